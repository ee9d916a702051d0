import {UsageError} from '../../../core/errors.js';
import type {DiscoveryDocument} from '../../../core/discovery.js';
import {readAppSettings, required} from '../../kit/app-settings.js';
import {discover} from '../../kit/discover.js';
import {defineIdp} from '../../types.js';
import {oidcSignIn} from './oidc-sign-in.js';
import {commandLine} from '../../../core/command-line.js';

/** Any other OpenID provider: sso-setup checks its discovery document; the client is created by hand. */
export const oidcGeneric = defineIdp({
	id: 'oidc',
	verification: {name: 'the identity provider'},
	signIn: oidcSignIn,
	/** A generic provider has no flow-derived endpoints: read them from its discovery document (Portainer types them by hand). */
	async enrichAnswers(context) {
		const issuer = context.values['issuer'];
		if (!issuer) {
			return undefined;
		}

		const document = await discover(context, issuer);
		return {
			authorize_url: document.authorization_endpoint,
			token_url: document.token_endpoint,
			...(document.userinfo_endpoint ? {userinfo_url: document.userinfo_endpoint} : {}),
			...(document.end_session_endpoint ? {end_session_url: document.end_session_endpoint} : {}),
		};
	},
	adminCredentialKeys: [],
	async plan(context) {
		const settings = readAppSettings(context, 'oidc', {idpUrl: 'optional'});
		const issuer = context.values['issuer'] ?? required(context, 'oidc', 'issuer', 'the issuer URL of the identity provider');
		context.progress('oidc: reading the discovery document');
		const document = await discover(context, issuer);
		const summary = [
			`Create a confidential OpenID Connect client for ${settings.appName} in your identity provider by hand: sso-setup has no admin API for a generic provider.`,
			`Allow the redirect URI ${settings.redirectUri} exactly as written (a trailing slash matters).`,
			`Allow the authorization code grant and the scopes ${settings.scopes.join(' ')}.`,
		];
		if (settings.pkce) {
			summary.push('Require PKCE with the S256 method.');
		}

		if (settings.postLogoutRedirectUri) {
			summary.push(`Allow the post-logout redirect URI ${settings.postLogoutRedirectUri}.`);
		}

		if (settings.groupsClaim) {
			summary.push(`Put the user's group names in a "${settings.groupsClaim}" claim of the ID token.`);
		}

		summary.push('Then enter the client ID and the client secret the provider gives you.');
		return {action: 'none', summary, changes: [], questions: [], warnings: discoveryWarnings(document, settings)};
	},
	async register() {
		throw new UsageError('oidc: sso-setup cannot create the client at a generic OpenID provider.', {
			hint: `Create the client by hand as the plan describes (${commandLine('checklist')} prints every step), then give client_id and client_secret.`,
		});
	},
});

function discoveryWarnings(document: DiscoveryDocument, settings: {pkce: boolean; scopes: string[]}): string[] {
	const warnings: string[] = [];
	const methods = document.code_challenge_methods_supported;
	if (settings.pkce && methods && !methods.includes('S256')) {
		warnings.push('The provider does not list PKCE S256 among its code challenge methods, and the app uses it.');
	}

	const supported = document.scopes_supported;
	if (supported) {
		const missing = settings.scopes.filter((scope) => !supported.includes(scope));
		if (missing.length > 0) {
			warnings.push(`The provider does not list the scopes ${missing.join(', ')}; check that it accepts them.`);
		}
	}

	if (!document.end_session_endpoint) {
		warnings.push('The provider has no end_session_endpoint: logging out of the app will not log out of the provider.');
	}

	return warnings;
}
