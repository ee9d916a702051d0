import * as z from 'zod';
import {skipped, type CheckOutcome} from '../../core/check-outcome.js';
import {RemoteError} from '../../core/errors.js';
import type {HttpClient, HttpResponse} from '../../core/http.js';
import type {IntegrationContext} from '../types.js';
import {appHttp, parseAnswer} from './http-advice.js';
import type {Findings} from '../../core/findings.js';
import type {ProviderMetadata} from '../../core/provider-metadata.js';

/** Starts a sign-in the way the browser does (harbor.md §5); no cookie is kept, nothing follows the redirect. */
export async function startSignIn(http: HttpClient, baseUrl: string): Promise<HttpResponse> {
	return http.request({url: `${baseUrl}/c/oidc/login`, step: 'verify: harbor sign-in redirect', expect: 'any'});
}

/** Harbor's answer to /c/oidc/login: a 302 to the IdP with the client, the redirect URI and PKCE. */
export function compareSignIn(
	findings: Findings,
	login: HttpResponse,
	expected: {app: string; clientId: string; redirectUri: string | undefined; metadata: ProviderMetadata | undefined},
): void {
	const location = login.headers['location'];
	if (login.status !== 302 || !location) {
		findings.fail(
			`Starting a sign-in (/c/oidc/login) gave HTTP ${login.status}${login.status === 500 ? `: ${expected.app} could not discover the IdP` : ''}.`,
			login.status === 412 ? `${expected.app} is not in OIDC mode: apply the settings again.` : `Look at the ${expected.app} core log for the cause (usually the issuer, the network path to the IdP, or its certificate).`,
		);
		return;
	}

	const target = new URL(location);
	const parameters = target.searchParams;
	const problems: string[] = [];
	const authorizeAt = `${target.origin}${target.pathname}`;
	if (expected.metadata && authorizeAt !== expected.metadata.authorization_endpoint) {
		problems.push(`goes to ${authorizeAt}, not to the IdP's authorization endpoint ${expected.metadata.authorization_endpoint}`);
	}

	if (parameters.get('client_id') !== expected.clientId) {
		problems.push(`carries client_id "${parameters.get('client_id') ?? ''}" instead of "${expected.clientId}"`);
	}

	if (expected.redirectUri && parameters.get('redirect_uri') !== expected.redirectUri) {
		problems.push(`carries redirect_uri "${parameters.get('redirect_uri') ?? ''}" instead of "${expected.redirectUri}"`);
	}

	if (problems.length > 0) {
		findings.fail(`${expected.app}'s sign-in redirect ${problems.join(', and ')}.`, 'Apply the settings again; if the redirect URI is wrong, fix the external URL Harbor was installed with.');
		return;
	}

	if (parameters.get('code_challenge')) {
		findings.ok('A sign-in starts with the right client, redirect URI and PKCE.');
	} else {
		findings.warn(`${expected.app} starts the sign-in without PKCE (code_challenge).`, 'Harbor adds PKCE from v2.13 on: upgrade Harbor, or keep PKCE optional for this client at the IdP.');
	}
}

/**
 * The local admin still signs in with its password (Harbor and the OVH registry, a managed Harbor,
 * keep their login form for it). `currentUser` signs in and returns the user name.
 */
export async function localAdminSignIn(context: IntegrationContext, where: string, currentUser: () => Promise<string>): Promise<CheckOutcome> {
	if (!(await context.secret('harbor_admin_password'))) {
		return skipped(`Not checked: no harbor_admin_password. ${where} with the admin password.`);
	}

	try {
		return {status: 'pass', seen: `"${await currentUser()}" signs in with its password. ${where}.`};
	} catch (error) {
		if (error instanceof RemoteError && error.status === 401) {
			return {status: 'fail', seen: `The local admin's password was refused (HTTP 401). ${where}, but only with the right password.`, fix: error.hint ?? 'Check harbor_admin_user and its password.'};
		}

		throw error;
	}
}

const currentUserSchema = z.looseObject({username: z.string()});

/** Harbor's /users/current with the local admin's password, for a managed Harbor that has no client of its own here. */
export async function harborCurrentUser(context: IntegrationContext, baseUrl: string): Promise<string> {
	const user = context.values['harbor_admin_user'] || 'admin';
	const password = (await context.secret('harbor_admin_password')) ?? '';
	const url = `${baseUrl}/api/v2.0/users/current`;
	const step = 'harbor: check admin sign-in';
	const {body} = await appHttp(context).json({url, step, headers: {authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`}});
	return parseAnswer(currentUserSchema, body, {url, step, product: 'Harbor'}).username;
}
