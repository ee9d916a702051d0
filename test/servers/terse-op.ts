import {randomBytes} from 'node:crypto';
import {clientCredentials, redirect, respond, startIdpServer, type IdpRequest, type Reply} from './recording-server.js';

/**
 * An OpenID provider whose probe answers say little, as issue #14 describes one:
 * - an authorization request with an unregistered redirect_uri gets HTTP 403 and a bare page, no
 *   Location (a registered one is sent back with error=login_required under prompt=none);
 * - the token endpoint looks the code up before it authenticates the client, so a made-up code
 *   gets `403 unauthorized_client` whatever the secret (a code it issued still needs the secret);
 * - discovery's lists are short: scopes_supported `openid profile email address phone`, no
 *   offline_access, though refresh tokens are issued for it.
 * Codes are issued by `issueCode` (there is no login page: the verify probes never sign in).
 */

export type TerseClient = {clientId: string; clientSecret: string; redirectUris: string[]};

export type TerseOpOptions = {
	clients: TerseClient[];
	/** Default `openid profile email address phone`. */
	scopesSupported?: string[];
	/** Default absent (OpenID Connect Discovery then means authorization_code and implicit). */
	grantTypesSupported?: string[];
	claimsSupported?: string[];
};

export type TerseOp = {
	issuer: string;
	requests: IdpRequest[];
	/** A code for this client and redirect URI, as the authorization endpoint would issue after a sign-in. */
	issueCode(clientId: string, redirectUri: string, scope: string): string;
	close(): Promise<void>;
};

export async function startTerseOp(options: TerseOpOptions): Promise<TerseOp> {
	const codes = new Map<string, {clientId: string; redirectUri: string; scope: string}>();
	const refreshTokens = new Map<string, string>();
	let issuer = '';

	const discovery = (): Reply =>
		respond(200, {
			issuer,
			authorization_endpoint: `${issuer}/authorize`,
			token_endpoint: `${issuer}/token`,
			userinfo_endpoint: `${issuer}/userinfo`,
			jwks_uri: `${issuer}/jwks`,
			response_types_supported: ['code'],
			subject_types_supported: ['public'],
			id_token_signing_alg_values_supported: ['RS256'],
			token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
			scopes_supported: options.scopesSupported ?? ['openid', 'profile', 'email', 'address', 'phone'],
			...(options.grantTypesSupported ? {grant_types_supported: options.grantTypesSupported} : {}),
			...(options.claimsSupported ? {claims_supported: options.claimsSupported} : {}),
		});

	const authorize = (query: URLSearchParams): Reply => {
		const client = options.clients.find((entry) => entry.clientId === query.get('client_id'));
		const redirectUri = query.get('redirect_uri') ?? '';
		if (!client || !client.redirectUris.includes(redirectUri)) {
			return respond(403, '<!DOCTYPE html><html><head><title>Forbidden</title></head><body>Forbidden</body></html>', 'text/html');
		}

		const back = new URL(redirectUri);
		back.searchParams.set('error', 'login_required');
		if (query.get('state')) back.searchParams.set('state', query.get('state') ?? '');
		return redirect(back.toString());
	};

	const token = (request: IdpRequest): Reply => {
		const form = (request.body ?? {}) as Record<string, string>;
		const unauthorized = respond(403, {error: 'unauthorized_client'});
		const {clientId, clientSecret} = clientCredentials(request.headers, form);
		const client = options.clients.find((entry) => entry.clientId === clientId);
		if (form['grant_type'] === 'authorization_code') {
			// The code first: an unknown one is refused before the client is authenticated.
			const code = codes.get(form['code'] ?? '');
			if (!code) return unauthorized;
			if (!client || client.clientSecret !== clientSecret || code.clientId !== client.clientId) return respond(401, {error: 'invalid_client'});
			codes.delete(form['code'] ?? '');
			if (code.redirectUri !== form['redirect_uri']) return respond(400, {error: 'invalid_grant'});
			const refresh = code.scope.split(' ').includes('offline_access') ? randomBytes(16).toString('hex') : undefined;
			if (refresh) refreshTokens.set(refresh, client.clientId);
			return respond(200, {access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, ...(refresh ? {refresh_token: refresh} : {})});
		}

		if (form['grant_type'] === 'refresh_token') {
			if (!client || client.clientSecret !== clientSecret) return respond(401, {error: 'invalid_client'});
			if (refreshTokens.get(form['refresh_token'] ?? '') !== client.clientId) return respond(400, {error: 'invalid_grant'});
			return respond(200, {access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300});
		}

		return unauthorized;
	};

	const server = await startIdpServer({
		failureBody: () => ({error: 'server_error'}),
		malformedBody: {error: 'invalid_request'},
		handle(request) {
			if (request.path === '/.well-known/openid-configuration') return discovery();
			if (request.path === '/authorize') return authorize(request.query);
			if (request.path === '/token' && request.method === 'POST') return token(request);
			if (request.path === '/jwks') return respond(200, {keys: []});
			return respond(404, {error: 'not_found'});
		},
	});
	issuer = server.url;

	return {
		issuer,
		requests: server.requests,
		issueCode(clientId, redirectUri, scope) {
			const code = randomBytes(16).toString('hex');
			codes.set(code, {clientId, redirectUri, scope});
			return code;
		},
		close: server.close,
	};
}
