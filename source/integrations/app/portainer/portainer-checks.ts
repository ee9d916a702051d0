import * as z from 'zod';
import {jsonOrUndefined, requireValues, skipped, type CheckOutcome} from '../../../core/check-outcome.js';
import {splitScopes} from '../../../core/scopes.js';
import {sameSet} from '../../../core/sets.js';
import {appHttp, parseAnswer} from '../../kit/http-advice.js';
import type {AppVerification, IntegrationContext} from '../../types.js';
import {Findings} from '../../../core/findings.js';
import type {ProviderMetadata} from '../../../core/provider-metadata.js';
import {commandLine} from '../../../core/command-line.js';

const publicSettingsSchema = z.looseObject({AuthenticationMethod: z.number(), OAuthLoginURI: z.string().nullish()});
const settingsSchema = z.looseObject({
	OAuthSettings: z.looseObject({AccessTokenURI: z.string().nullish(), ResourceURI: z.string().nullish(), UserIdentifier: z.string().nullish()}),
});

const methods: Record<number, string> = {1: 'internal', 2: 'LDAP', 3: 'OAuth'};
const fixApply = `Apply the settings again (${commandLine('apply')}), or correct them under Settings → Authentication → OAuth.`;

/**
 * Portainer shows the sign-in URL it will send people to in its public settings (portainer-ovh.md
 * §1), built without URL-encoding: compare its parts with what the IdP expects. With an API key,
 * the token and userinfo URLs are compared too.
 */
export async function portainerSettingsCheck(context: IntegrationContext, {discovery}: {discovery: Promise<ProviderMetadata | undefined>}): Promise<CheckOutcome> {
	const required = requireValues(context.values, ['app_url', 'client_id', 'redirect_uri']);
	if ('outcome' in required) {
		return required.outcome;
	}

	const {client_id: clientId, redirect_uri: redirectUri} = required.values;
	const base = required.values.app_url.replace(/\/+$/, '');
	const http = appHttp(context);
	const url = `${base}/api/settings/public`;
	const step = 'verify: portainer public settings';
	const settings = parseAnswer(publicSettingsSchema, (await http.json({url, step})).body, {url, step, product: 'Portainer'});
	const findings = new Findings();
	if (settings.AuthenticationMethod !== 3) {
		findings.fail(`Portainer's authentication method is ${methods[settings.AuthenticationMethod] ?? settings.AuthenticationMethod}, not OAuth.`, fixApply);
		return findings.outcome();
	}

	const metadata = await discovery;
	compareLoginUri(findings, settings.OAuthLoginURI ?? '', {clientId, redirectUri, metadata, scopes: context.values['scopes']});
	const apiKey = await context.secret('portainer_api_key');
	if (apiKey && metadata) {
		await compareEndpoints(findings, context, {base, apiKey, metadata});
	}

	return findings.outcome();
}

function compareLoginUri(findings: Findings, loginUri: string, expected: {clientId: string; redirectUri: string; metadata: ProviderMetadata | undefined; scopes: string | undefined}): void {
	if (!URL.canParse(loginUri)) {
		findings.fail(`Portainer's sign-in URL "${loginUri}" is not a URL.`, fixApply);
		return;
	}

	const login = new URL(loginUri);
	const parameters = login.searchParams;
	const problems: string[] = [];
	const authorizeAt = `${login.origin}${login.pathname}`;
	if (expected.metadata && authorizeAt !== expected.metadata.authorization_endpoint) {
		problems.push(`goes to ${authorizeAt}, not to the IdP's authorization endpoint ${expected.metadata.authorization_endpoint}`);
	}

	if (parameters.get('client_id') !== expected.clientId) {
		problems.push(`carries client_id "${parameters.get('client_id') ?? ''}" instead of "${expected.clientId}"`);
	}

	if (parameters.get('redirect_uri') !== expected.redirectUri) {
		problems.push(`carries redirect_uri "${parameters.get('redirect_uri') ?? ''}" instead of "${expected.redirectUri}"`);
	}

	const scope = parameters.get('scope') ?? '';
	if (scope.includes(',')) {
		findings.fail(`Portainer sends the scopes "${scope}" with commas: the IdP reads them as one unknown scope.`, 'Separate Portainer\'s scopes with spaces (openid profile email), not commas.');
	} else if (expected.scopes) {
		const wanted = splitScopes(expected.scopes, ' ');
		const sent = scope.split(' ').filter(Boolean);
		if (!sameSet(sent, wanted)) {
			problems.push(`asks for the scopes "${scope}" instead of "${wanted.join(' ')}"`);
		}
	}

	if (problems.length > 0) {
		findings.fail(`Portainer's sign-in URL ${problems.join(', and ')}.`, fixApply);
	} else {
		findings.ok('Portainer uses OAuth, and its sign-in URL has the right authorization endpoint, client, redirect URI and scopes.');
	}
}

async function compareEndpoints(findings: Findings, context: IntegrationContext, facts: {base: string; apiKey: string; metadata: ProviderMetadata}): Promise<void> {
	const url = `${facts.base}/api/settings`;
	const step = 'verify: portainer settings';
	const {body} = await appHttp(context).json({url, step, headers: {'x-api-key': facts.apiKey}});
	const oauth = parseAnswer(settingsSchema, body, {url, step, product: 'Portainer'}).OAuthSettings;
	const wrong: string[] = [];
	if (oauth.AccessTokenURI !== facts.metadata.token_endpoint) {
		wrong.push(`access token URL "${oauth.AccessTokenURI ?? ''}" instead of ${facts.metadata.token_endpoint}`);
	}

	if (facts.metadata.userinfo_endpoint && oauth.ResourceURI !== facts.metadata.userinfo_endpoint) {
		wrong.push(`resource URL "${oauth.ResourceURI ?? ''}" instead of ${facts.metadata.userinfo_endpoint}`);
	}

	const claim = context.values['username_claim'];
	if (claim && oauth.UserIdentifier !== claim) {
		wrong.push(`user identifier "${oauth.UserIdentifier ?? ''}" instead of ${claim}`);
	}

	if (wrong.length > 0) {
		findings.fail(`Portainer's OAuth settings differ: ${wrong.join('; ')}.`, fixApply);
	} else {
		findings.ok('Its token and userinfo URLs match the IdP.');
	}
}

const authAnswerSchema = z.looseObject({jwt: z.string().optional(), message: z.string().optional(), details: z.string().optional()});

/** One password sign-in at most: Portainer bans an address for an hour after 10 a second. */
export async function portainerWayBackIn(context: IntegrationContext, {url: fallback, where}: {url: string; where: string}): Promise<CheckOutcome> {
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

export const portainerVerification: AppVerification = {
	name: 'Portainer',
	// Portainer is given each endpoint URL and never compares issuers; other clients of the same IdP will.
	fallbackPath: '/#!/internal-auth',
	comparesIssuer: false,
	needsOfflineAccess: false,
	trustPrivateCa: "Portainer must trust it too: mount the CA certificate into the Portainer container's certificate store.",
	readSettings: portainerSettingsCheck,
	wayBackIn: portainerWayBackIn,
};
