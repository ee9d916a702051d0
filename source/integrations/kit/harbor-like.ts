import type {Values} from '../types.js';
import {optionalBoolean, optionalValue, requireValue, scopeList} from './values.js';

/**
 * The OIDC settings Harbor and OVHcloud Managed Private Registry (a managed Harbor) share, read
 * from the session values once so both integrations name and default them the same way.
 */
export type HarborLikeSettings = {
	name: string;
	/** The issuer, byte for byte: Harbor compares it with the discovery document's `issuer`. */
	endpoint: string;
	clientId: string;
	/** Harbor wants commas. */
	scope: string;
	verifyCert: boolean;
	userClaim?: string;
	groupsClaim?: string;
	adminGroup?: string;
	autoOnboard?: boolean;
};

export const harborDefaultScopes = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The name on Harbor's "Login via OIDC provider" button: the IdP's name from the flows, else the issuer's host. */
function providerName(values: Values, issuer: string): string {
	const given = optionalValue(values, 'provider_name') ?? optionalValue(values, 'idp_name');
	if (given) {
		return given;
	}

	try {
		return new URL(issuer).hostname;
	} catch {
		return 'OIDC';
	}
}

export function harborLikeSettings(values: Values, app: string): HarborLikeSettings {
	const endpoint = requireValue(values, 'issuer', app);
	const settings: HarborLikeSettings = {
		name: providerName(values, endpoint),
		endpoint,
		clientId: requireValue(values, 'client_id', app),
		scope: scopeList(values['scopes'], harborDefaultScopes).join(','),
		verifyCert: optionalBoolean(values, 'verify_cert', app) ?? true,
	};
	const userClaim = optionalValue(values, 'username_claim');
	const groupsClaim = optionalValue(values, 'groups_claim');
	const adminGroup = optionalValue(values, 'admin_group');
	const autoOnboard = optionalBoolean(values, 'auto_onboard', app);
	return {
		...settings,
		...(userClaim === undefined ? {} : {userClaim}),
		...(groupsClaim === undefined ? {} : {groupsClaim}),
		...(adminGroup === undefined ? {} : {adminGroup}),
		...(autoOnboard === undefined ? {} : {autoOnboard}),
	};
}

/** Warnings about choices that work today and hurt later. */
export function harborLikeWarnings(settings: HarborLikeSettings, label: string): string[] {
	const warnings: string[] = [];
	if (!settings.scope.split(',').includes('offline_access')) {
		warnings.push(
			`The scopes do not include offline_access: without a refresh token the CLI secret that \`docker login\` uses stops working when the first ID token expires. Add offline_access unless your identity provider refuses it.`,
		);
	}

	if (!settings.verifyCert) {
		warnings.push(`${label} will not check the identity provider's TLS certificate (verify_cert=false): anyone between them could impersonate it. Prefer a certificate ${label} trusts.`);
	}

	if (settings.adminGroup && !settings.groupsClaim) {
		warnings.push(`An admin group (${settings.adminGroup}) is set but no groups claim: ${label} cannot tell who is in the group. Set groups_claim (often "groups").`);
	}

	if (settings.adminGroup?.startsWith('/')) {
		warnings.push(`The admin group "${settings.adminGroup}" starts with "/": that is Keycloak's full group path, which only matches when the groups claim also sends full paths.`);
	}

	return warnings;
}

export function fallbackSignInUrl(baseUrl: string): string {
	return `${baseUrl}/account/sign-in`;
}

/** What a person needs after the switch to push and pull images with docker. */
export function cliSecretNote(baseUrl: string): string {
	return `For docker login: sign in once through the identity provider at ${baseUrl}, open your user profile (your name, top right → User Profile) and copy the CLI secret; use it as the password of \`docker login ${new URL(baseUrl).host}\`. It keeps working only while the identity provider hands out refresh tokens (scope offline_access).`;
}

/** What turning off certificate checks costs, said wherever an app offers it. */
export const certificateChecksOff = 'which turns certificate checks off: anyone who can intercept the traffic between the app and the IdP can then pose as the IdP and sign in as any user';
