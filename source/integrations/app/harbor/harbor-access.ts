import {appBaseUrl, optionalValue} from '../../kit/values.js';
import type {Values} from '../../types.js';

/** Where Harbor's API is and how its admin signs in: what every API request carries. Loads no schema. */
export type HarborAccess = {baseUrl: string; adminUser: string; authorization: string};

/** The URL is checked before the password is asked for (a wrong URL is said first). */
export async function harborAccess(values: Values, adminPassword: () => Promise<string>): Promise<HarborAccess> {
	const baseUrl = appBaseUrl(values, 'harbor');
	const adminUser = optionalValue(values, 'harbor_admin_user') ?? 'admin';
	const password = await adminPassword();
	return {baseUrl, adminUser, authorization: `Basic ${Buffer.from(`${adminUser}:${password}`).toString('base64')}`};
}

export function harborApiUrl(access: HarborAccess, path: string): string {
	return `${access.baseUrl}/api/v2.0${path}`;
}

/** The API's paths that verify reads first: the settings, and the admin's own sign-in. */
export const harborPaths = {configurations: '/configurations', currentUser: '/users/current', systemInfo: '/systeminfo'} as const;
