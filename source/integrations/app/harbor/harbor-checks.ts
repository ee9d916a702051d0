import {missingSecret, requireValues, type CheckOutcome} from '../../../core/check-outcome.js';
import {splitScopes} from '../../../core/scopes.js';
import {sameSet} from '../../../core/sets.js';
import {appHttp} from '../../kit/http-advice.js';
import {harborApi, type HarborConfigurations} from './harbor-api.js';
import {harborApiUrl} from './harbor-access.js';
import type {AppVerification, IntegrationContext} from '../../types.js';
import {Findings} from '../../../core/findings.js';
import type {ProviderMetadata} from '../../../core/provider-metadata.js';
import {compareSignIn, localAdminSignIn, startSignIn} from '../../kit/harbor-sign-in.js';
import {certificateChecksOff} from '../../kit/harbor-like.js';
import {commandLine} from '../../../core/command-line.js';

/**
 * Reads Harbor's settings back, lets Harbor itself reach the IdP (the OIDC ping), and starts a
 * sign-in (/c/oidc/login) to see the authorization request Harbor really sends (harbor.md §4, §5, §10).
 */
export async function harborSettingsCheck(context: IntegrationContext, {discovery, idpName}: {discovery: Promise<ProviderMetadata | undefined>; idpName: string}): Promise<CheckOutcome> {
	const required = requireValues(context.values, ['app_url', 'issuer', 'client_id']);
	if ('outcome' in required) {
		return required.outcome;
	}

	const password = await context.secret('harbor_admin_password');
	if (!password) {
		return missingSecret('harbor_admin_password');
	}

	const {issuer, client_id: clientId} = required.values;
	const api = await harborApi(context);
	const configurations = await api.configurations();
	const findings = new Findings();
	const setting = (key: string) => configurations[key]?.value;
	const isOidc = setting('auth_mode') === 'oidc_auth';
	compareSettings(findings, configurations, {issuer, clientId, scopes: context.values['scopes'], separator: context.values['scope_separator']});

	const http = appHttp(context);
	const configuredEndpoint = setting('oidc_endpoint');
	const endpoint = typeof configuredEndpoint === 'string' && configuredEndpoint !== '' ? configuredEndpoint : issuer;
	const [ping, info, login] = await Promise.all([
		http.request({
			method: 'POST',
			url: harborApiUrl(api.access, '/system/oidc/ping'),
			step: 'verify: harbor OIDC ping',
			headers: {authorization: api.access.authorization},
			json: {url: endpoint, verify_cert: setting('oidc_verify_cert') !== false},
			expect: 'any',
		}),
		api.systemInfo(),
		isOidc ? startSignIn(http, api.baseUrl) : undefined,
	]);

	if (ping.status === 200) {
		findings.ok(`Harbor itself reached ${endpoint} (OIDC ping).`);
	} else {
		findings.fail(
			`Harbor could not read the IdP's discovery document from where it runs (OIDC ping: HTTP ${ping.status}).`,
			`From the Harbor host, open ${endpoint.replace(/\/+$/, '')}/.well-known/openid-configuration: look for a host name only this machine resolves, a firewall or proxy, or a certificate Harbor does not trust (its core log names the cause).`,
		);
	}

	const redirectUri = info.external_url ? `${info.external_url.replace(/\/+$/, '')}/c/oidc/callback` : undefined;
	const registered = context.values['redirect_uri'];
	if (redirectUri && registered && redirectUri !== registered) {
		findings.fail(
			`Harbor builds its redirect URI from its external URL: ${redirectUri}, not ${registered}.`,
			`Set external_url in harbor.yml to the address people use (then ./prepare and restart Harbor), or register ${redirectUri} at ${idpName}.`,
		);
	}

	if (login) {
		compareSignIn(findings, login, {app: 'Harbor', clientId, redirectUri: redirectUri ?? registered, metadata: await discovery});
	}

	return findings.outcome();
}

function compareSettings(findings: Findings, configurations: HarborConfigurations, expected: {issuer: string; clientId: string; scopes: string | undefined; separator: string | undefined}): void {
	const value = (key: string) => configurations[key]?.value;
	const fixApply = `Apply the settings again (${commandLine('apply')}), or correct them under Administration → Configuration → Authentication.`;
	if (value('auth_mode') !== 'oidc_auth') {
		findings.fail(`Harbor's auth mode is ${String(value('auth_mode'))}, not oidc_auth.`, fixApply);
		return;
	}

	const mismatches: string[] = [];
	if (value('oidc_endpoint') !== expected.issuer) {
		mismatches.push(`OIDC endpoint "${String(value('oidc_endpoint'))}" instead of "${expected.issuer}"`);
	}

	if (value('oidc_client_id') !== expected.clientId) {
		mismatches.push(`client ID "${String(value('oidc_client_id'))}" instead of "${expected.clientId}"`);
	}

	// Harbor splits its scope setting on commas only.
	const harborScopes = String(value('oidc_scope') ?? '').split(',').map((scope) => scope.trim()).filter(Boolean);
	if (expected.scopes) {
		const wanted = splitScopes(expected.scopes, expected.separator);
		if (!sameSet(harborScopes, wanted)) {
			mismatches.push(`scopes "${String(value('oidc_scope'))}" instead of "${wanted.join(',')}" (comma-separated)`);
		}
	}

	if (mismatches.length > 0) {
		findings.fail(`Harbor's OIDC settings differ: ${mismatches.join('; ')}.`, fixApply);
	} else {
		findings.ok(`Harbor reads back auth mode oidc_auth, endpoint ${expected.issuer}, client ${expected.clientId}.`);
	}
}

export async function harborWayBackIn(context: IntegrationContext, {where}: {where: string}): Promise<CheckOutcome> {
	return localAdminSignIn(context, where, async () => (await (await harborApi(context)).currentUser()).username);
}

export const harborVerification: AppVerification = {
	name: 'Harbor',
	fallbackPath: '/account/sign-in',
	comparesIssuer: true,
	needsOfflineAccess: true,
	trustPrivateCa: `Harbor must trust it too. It has no CA setting for OIDC: add the CA to the trust store of the Harbor core container, or set oidc_verify_cert to false (${certificateChecksOff}).`,
	readSettings: harborSettingsCheck,
	wayBackIn: harborWayBackIn,
};
