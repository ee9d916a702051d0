import type {HttpClient, HttpResponse} from '../../core/http.js';
import type {Findings} from '../findings.js';
import type {ProviderMetadata} from '../metadata.js';

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
