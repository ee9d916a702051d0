/** The values the Harbor flow derives, as the IdP integrations receive them. */
export function harborValues(idpUrl: string, extra: Record<string, string> = {}): Record<string, string> {
	return {
		idp_url: idpUrl,
		app: 'harbor',
		app_name: 'Harbor',
		app_url: 'https://harbor.example.com',
		redirect_uri: 'https://harbor.example.com/c/oidc/callback',
		launch_url: 'https://harbor.example.com',
		pkce: 'true',
		scopes: 'openid,profile,email,offline_access',
		groups_claim: 'groups',
		...extra,
	};
}

export function portainerValues(idpUrl: string, extra: Record<string, string> = {}): Record<string, string> {
	return {
		idp_url: idpUrl,
		app: 'portainer',
		app_name: 'Portainer',
		app_url: 'https://portainer.example.com',
		redirect_uri: 'https://portainer.example.com/',
		post_logout_redirect_uri: 'https://portainer.example.com/',
		launch_url: 'https://portainer.example.com',
		pkce: 'false',
		scopes: 'openid profile email',
		...extra,
	};
}

/** Everything a run showed or kept outside the keychain, to search for a secret. */
export function visibleOutput(context: {messages: string[]; store: Map<string, unknown>; values: Record<string, string>}, ...more: unknown[]): string {
	return JSON.stringify([context.messages, [...context.store.entries()], context.values, more]);
}
