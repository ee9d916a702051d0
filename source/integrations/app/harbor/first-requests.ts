import {appHttp} from '../../kit/http-advice.js';
import type {FirstRequests} from '../../types.js';
import {harborAccess, harborApiUrl, harborPaths} from './harbor-access.js';

/**
 * What Harbor's checks read first (the settings, the admin's own sign-in), sent before verify loads
 * them; the checks' own requests take these answers. Without the password or a usable URL, nothing.
 */
export const harborFirstRequests: FirstRequests = async (context) => {
	const password = await context.secret('harbor_admin_password');
	if (!password) {
		return;
	}

	const access = await harborAccess(context.values, async () => password);
	const http = appHttp(context);
	await Promise.all(
		[harborPaths.configurations, harborPaths.currentUser].map(async (path) => http.early({url: harborApiUrl(access, path), step: 'harbor: read ahead', headers: {authorization: access.authorization}})),
	);
};
