/** OIDC Discovery 1.0 §4: the issuer without a trailing slash, plus the well-known path (where go-oidc looks too). */
export function discoveryUrl(issuer: string): string {
	return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** Where a verification reads the provider metadata: from the issuer, else a discovery URL given as such. */
export function verificationDiscoveryUrl(values: Readonly<Record<string, string | undefined>>): string | undefined {
	const issuer = values['issuer'];
	return issuer ? discoveryUrl(issuer) : values['discovery_url'];
}
