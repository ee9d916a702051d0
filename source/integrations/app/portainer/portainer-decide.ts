import * as z from 'zod';
import type {PlanChange, Values} from '../../types.js';
import {optionalBoolean, optionalValue, scopeList} from '../../kit/values.js';
import type {IdpEndpoints} from './idp-endpoints.js';
import type {PortainerSettings} from './portainer-api.js';
import {changeRow} from '../../kit/plan-rows.js';

/** The Portainer settings sso-setup sets (portainer-ovh.md §1), their labels in Portainer's UI, and the diff. */

export const oauthMethod = 3;

/** The User identifier sso-setup writes when username_claim is not set (Portainer's own form leaves it empty). */
export const defaultUserIdentifier = 'preferred_username';

export const portainerFields = {
	ClientID: 'Client ID',
	AuthorizationURI: 'Authorization URL',
	AccessTokenURI: 'Access token URL',
	ResourceURI: 'Resource URL',
	RedirectURI: 'Redirect URL',
	LogoutURI: 'Logout URL',
	UserIdentifier: 'User identifier',
	Scopes: 'Scopes',
	OAuthAutoCreateUsers: 'Automatic user provisioning',
} as const;
export type PortainerField = keyof typeof portainerFields;

const fieldNames = Object.keys(portainerFields) as [PortainerField, ...PortainerField[]];
export const portainerDesiredSchema = z.object({
	AuthenticationMethod: z.number(),
	OAuth: z.partialRecord(z.enum(fieldNames), z.union([z.string(), z.boolean()])),
});
export type PortainerDesired = z.infer<typeof portainerDesiredSchema>;

export const secretKey = 'ClientSecret';
export const secretLabel = 'Client secret';

const methods: Record<number, string> = {1: 'internal', 2: 'LDAP', 3: 'OAuth'};
export const methodName = (method: number) => methods[method] ?? `method ${method}`;
const methodText = (method: number) => `${methodName(method)} (${method})`;

export function desiredPortainerSettings(values: Values, endpoints: IdpEndpoints, baseUrl: string, clientId: string): {desired: PortainerDesired; warnings: string[]} {
	const warnings: string[] = [];
	const redirect = optionalValue(values, 'redirect_uri') ?? `${baseUrl}/`;
	if (/[?&]/.test(redirect)) {
		warnings.push(`The redirect URL ${redirect} contains "?" or "&": Portainer pastes it into the sign-in link without encoding, which breaks the link.`);
	}

	const identifier = optionalValue(values, 'username_claim') ?? defaultUserIdentifier;
	if (identifier === 'sub') {
		warnings.push('The user identifier "sub" is usually an opaque id: Portainer uses it as the user name, so people show up as long random strings. preferred_username or email read better.');
	}

	// Opt-in (oidc_logout): Portainer also signs people out of the IdP on a session timeout
	// (portainer#10510). Unset, the current logout URL is kept.
	const logout = optionalBoolean(values, 'oidc_logout', 'portainer');
	const autoCreate = optionalBoolean(values, 'auto_create_users', 'portainer');
	const desired: PortainerDesired = {
		AuthenticationMethod: oauthMethod,
		OAuth: {
			ClientID: clientId,
			AuthorizationURI: endpoints.authorize,
			AccessTokenURI: endpoints.token,
			ResourceURI: endpoints.userinfo,
			RedirectURI: redirect,
			...(logout === undefined ? {} : {LogoutURI: logout ? (endpoints.endSession ?? '') : ''}),
			UserIdentifier: identifier,
			// Portainer puts this text into the authorize URL as it is: spaces, never commas.
			Scopes: scopeList(values['scopes'], ['openid', 'profile', 'email']).join(' '),
			...(autoCreate === undefined ? {} : {OAuthAutoCreateUsers: autoCreate}),
		},
	};
	return {desired, warnings};
}

/** The rows that differ between the wanted settings and `current`. */
export function portainerChanges(desired: PortainerDesired, current: PortainerSettings): PlanChange[] {
	const changes: PlanChange[] = [];
	if (current.AuthenticationMethod !== desired.AuthenticationMethod) {
		changes.push(changeRow('AuthenticationMethod', 'Authentication method', methodText(current.AuthenticationMethod), methodText(desired.AuthenticationMethod)));
	}

	for (const [field, wanted] of Object.entries(desired.OAuth) as Array<[PortainerField, string | boolean]>) {
		const now = current.OAuthSettings[field];
		if ((now ?? '') !== wanted && !(now === undefined && wanted === false)) {
			changes.push(changeRow(field, portainerFields[field], now, wanted));
		}
	}

	return changes;
}

export const portainerBackupSchema = z.object({
	app: z.literal('portainer'),
	AuthenticationMethod: z.number(),
	OAuthSettings: z.record(z.string(), z.unknown()),
});
export type PortainerBackup = z.infer<typeof portainerBackupSchema>;

export function portainerBackup(current: PortainerSettings): PortainerBackup {
	const {ClientSecret: _hidden, KubeSecretKey: _generated, ...oauth} = current.OAuthSettings;
	return {app: 'portainer', AuthenticationMethod: current.AuthenticationMethod, OAuthSettings: oauth};
}

/**
 * The whole OAuthSettings object for a PUT (Portainer resets every field left out): what Portainer
 * has, with `changes` on top. An empty ClientSecret keeps the stored one, KubeSecretKey null keeps its key.
 */
export function fullOAuthSettings(current: PortainerSettings, changes: Record<string, unknown>, clientSecret: string | undefined): Record<string, unknown> {
	return {...current.OAuthSettings, ...changes, ClientSecret: clientSecret ?? '', KubeSecretKey: null};
}
