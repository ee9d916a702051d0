import {UsageError} from '../../core/errors.js';
import {splitScopes} from '../../core/scopes.js';
import type {IntegrationContext} from '../types.js';

/** What every IdP integration needs to know about the app, read once from the flow's values. */
export type AppSettings = {
	/** The IdP's base URL, normalised by the flow (no trailing slash). */
	idpUrl: string;
	/** "harbor", "portainer", "ovh-mpr". */
	app: string;
	appName: string;
	appUrl: string | undefined;
	redirectUri: string;
	postLogoutRedirectUri: string | undefined;
	launchUrl: string | undefined;
	pkce: boolean;
	scopes: string[];
	groupsClaim: string | undefined;
	/** A client id the person asked for; absent when the IdP may choose. */
	clientId: string | undefined;
};

/** `idpUrl: 'optional'` for the generic provider, which is known by its issuer instead. */
export function readAppSettings(context: IntegrationContext, idp: string, options: {idpUrl?: 'optional'} = {}): AppSettings {
	const {values} = context;
	const app = values['app'] ?? '';
	const appName = values['app_name'] ?? app;
	if (!appName) {
		throw missingValue(idp, 'app', 'the app this client is for');
	}

	return {
		idpUrl: (options.idpUrl === 'optional' ? (values['idp_url'] ?? '') : required(context, idp, 'idp_url', 'the URL of the identity provider')).replace(/\/+$/, ''),
		app: app || appName.toLowerCase(),
		appName,
		appUrl: nonEmpty(values['app_url'])?.replace(/\/+$/, ''),
		redirectUri: required(context, idp, 'redirect_uri', 'the redirect URI of the app'),
		postLogoutRedirectUri: nonEmpty(values['post_logout_redirect_uri']),
		launchUrl: nonEmpty(values['launch_url']),
		pkce: values['pkce'] === 'true',
		scopes: splitScopes(values['scopes'] ?? 'openid profile email'),
		groupsClaim: nonEmpty(values['groups_claim']),
		clientId: nonEmpty(values['client_id']),
	};
}

export function required(context: IntegrationContext, idp: string, key: string, what: string): string {
	const value = nonEmpty(context.values[key]);
	if (value === undefined) {
		throw missingValue(idp, key, what);
	}

	return value;
}

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function missingValue(idp: string, key: string, what: string): UsageError {
	return new UsageError(`${idp}: the value ${key} (${what}) is missing.`, {
		hint: `Answer it in the wizard or pass --set ${key}=… .`,
	});
}
