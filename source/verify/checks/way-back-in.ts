import * as z from 'zod';
import {RemoteError} from '../../core/errors.js';
import {appHttp} from '../../integrations/kit/http-advice.js';
import {harborApi} from '../../integrations/app/harbor/harbor-api.js';
import type {IntegrationContext} from '../../integrations/types.js';
import type {CheckOutcome, IndependentCheck} from '../types.js';
import {jsonOrUndefined, skipped} from '../values.js';

const fallbackPaths: Record<string, string> = {harbor: '/account/sign-in', 'ovh-mpr': '/account/sign-in', portainer: '/#!/internal-auth'};

/** Where the local admin signs in when the IdP is down or misconfigured. */
export function fallbackLoginUrl(values: Readonly<Record<string, string>>): string | undefined {
	const path = fallbackPaths[values['app'] ?? ''];
	const base = values['app_url']?.replace(/\/+$/, '');
	return values['fallback_login_url'] ?? (path && base ? `${base}${path}` : undefined);
}

/** The local admin can still sign in with a password, so a broken IdP cannot lock anyone out. */
export const wayBackInCheck: IndependentCheck = {
	id: 'way-back-in',
	title: 'Way back in (local admin)',
	needsDiscovery: false,
	async run(context) {
		const fallback = fallbackLoginUrl(context.values);
		if (!fallback) {
			return skipped('Not checked: no app or app_url value.');
		}

		const where = `If the IdP fails, sign in at ${fallback}`;
		return context.values['app'] === 'portainer' ? portainer(context, fallback, where) : harbor(context, where);
	},
};

async function harbor(context: IntegrationContext, where: string): Promise<CheckOutcome> {
	if (!(await context.secret('harbor_admin_password'))) {
		return skipped(`Not checked: no harbor_admin_password. ${where} with the admin password.`);
	}

	try {
		const user = await (await harborApi(context)).currentUser();
		return {status: 'pass', seen: `"${user.username}" signs in with its password. ${where}.`};
	} catch (error) {
		if (error instanceof RemoteError && error.status === 401) {
			return {status: 'fail', seen: `The local admin's password was refused (HTTP 401). ${where}, but only with the right password.`, fix: error.hint ?? 'Check harbor_admin_user and its password.'};
		}

		throw error;
	}
}

const authAnswerSchema = z.looseObject({jwt: z.string().optional(), message: z.string().optional(), details: z.string().optional()});

/** One password sign-in at most: Portainer bans an address for an hour after 10 a second. */
async function portainer(context: IntegrationContext, fallback: string, where: string): Promise<CheckOutcome> {
	const base = (context.values['app_url'] ?? '').replace(/\/+$/, '');
	const http = appHttp(context);
	const password = await context.secret('portainer_admin_password');
	if (password) {
		const user = context.values['portainer_admin_user'] || 'admin';
		const response = await http.request({method: 'POST', url: `${base}/api/auth`, step: 'verify: portainer admin sign-in', json: {Username: user, Password: password}, expect: 'any'});
		const answer = authAnswerSchema.catch({}).parse(jsonOrUndefined(response.text));
		const said = [answer.message, answer.details].filter(Boolean).join(': ');
		if (response.status === 200 && answer.jwt) {
			return {status: 'pass', seen: `"${user}" signs in with its password. ${where}.`};
		}

		if (/only initial admin/i.test(said)) {
			return {
				status: 'fail',
				seen: `"${user}" may not sign in with a password while OAuth is on: only the initial administrator (user 1) can.`,
				fix: `Keep the password of Portainer's initial admin account at hand, and use that account at ${fallback}.`,
			};
		}

		if (response.status === 403) {
			return {status: 'fail', seen: 'Portainer refused the sign-in with 403 Access denied: it bans an address for an hour after more than 10 sign-ins a second.', fix: 'Wait an hour, or restart Portainer, then verify again.'};
		}

		return {status: 'fail', seen: `The password of "${user}" was refused (HTTP ${response.status}${said ? ` ${said}` : ''}). ${where}, but only with the right password.`, fix: 'Check portainer_admin_user and its password.'};
	}

	const apiKey = await context.secret('portainer_api_key');
	if (apiKey) {
		const response = await http.request({url: `${base}/api/settings`, step: 'verify: portainer admin API key', headers: {'x-api-key': apiKey}, expect: 'any'});
		return response.status === 200
			? {status: 'pass', seen: `The administrator's API key works. ${where} as the initial admin (user 1).`}
			: {status: 'fail', seen: `Portainer refused the API key (HTTP ${response.status}). ${where} as the initial admin (user 1).`, fix: 'Create a new API key for an administrator under My account → Access tokens.'};
	}

	return skipped(`Not checked: no portainer_admin_password or portainer_api_key. ${where} as the initial admin (user 1).`);
}
