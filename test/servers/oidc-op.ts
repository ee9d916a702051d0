import {generateKeyPairSync, type JsonWebKey} from 'node:crypto';
import type http from 'node:http';
// @ts-ignore -- oidc-provider 8 ships no type declarations; the few members used are typed below.
import ProviderModule from 'oidc-provider';
import {listen} from './recording-server.js';

/**
 * A real OpenID provider (the npm package oidc-provider 8.8.1, as certified as they come) on
 * 127.0.0.1, over HTTP or HTTPS, for tests that must see what a standards-following IdP answers.
 */

export type OpClient = {
	client_id: string;
	/** Absent for a public client. */
	client_secret?: string;
	redirect_uris: string[];
	/** Default client_secret_basic; client_secret_post to refuse basic auth. */
	token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'none';
	/** Default ['authorization_code', 'refresh_token'] (without refresh_token when offlineAccess is false). */
	grant_types?: string[];
};

export type OpOptions = {
	/** Serve HTTPS with this key and certificate (e.g. testPki().server); plain HTTP when absent. */
	tls?: {key: string; cert: string};
	/** Path part of the issuer, e.g. '/application/o/harbor' (authentik) or '/realms/test' (Keycloak). Default none. */
	path?: string;
	/** End the issuer with '/' (authentik does, the others do not). Default false. */
	trailingSlash?: boolean;
	/** Host name written in the issuer instead of 127.0.0.1 (Keycloak's frontend hostname). Default 127.0.0.1. */
	issuerHost?: string;
	clients: OpClient[];
	/** Publish and accept offline_access. Default true. */
	offlineAccess?: boolean;
	/** Scope → the claims it releases. Default openid, profile (preferred_username, name), email, groups. */
	claims?: Record<string, string[]>;
};

export type RunningOp = {
	/** The issuer exactly as the provider publishes it. */
	issuer: string;
	/** scheme://127.0.0.1:port, no trailing slash. */
	origin: string;
	discoveryUrl: string;
	/** Every request seen: method, path with query, and who asked (the user agent). */
	requests: Array<{method: string; url: string; userAgent?: string | undefined}>;
	close(): Promise<void>;
};

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;
type ProviderInstance = {callback(): Handler};
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
const Provider = ProviderModule as unknown as ProviderConstructor;

const defaultClaims: Record<string, string[]> = {
	openid: ['sub'],
	profile: ['preferred_username', 'name'],
	email: ['email', 'email_verified'],
	groups: ['groups'],
};

/** In-memory storage per provider (the built-in one is shared by all instances and warns on start). */
function memoryAdapter() {
	const store = new Map<string, Record<string, unknown>>();
	return class {
		constructor(private readonly model: string) {}
		async upsert(id: string, payload: Record<string, unknown>) {
			store.set(`${this.model}:${id}`, payload);
		}

		async find(id: string) {
			return store.get(`${this.model}:${id}`);
		}

		async findByUid(uid: string) {
			return [...store.values()].find((payload) => payload['uid'] === uid);
		}

		async findByUserCode(userCode: string) {
			return [...store.values()].find((payload) => payload['userCode'] === userCode);
		}

		async consume(id: string) {
			const payload = store.get(`${this.model}:${id}`);
			if (payload) payload['consumed'] = Math.floor(Date.now() / 1000);
		}

		async destroy(id: string) {
			store.delete(`${this.model}:${id}`);
		}

		async revokeByGrantId(grantId: string) {
			for (const [key, payload] of store) {
				if (payload['grantId'] === grantId) store.delete(key);
			}
		}
	};
}

const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

let signingKey: JsonWebKey | undefined;

/** One RSA key per test process: generating it per provider would make every test slow. */
function rsaSigningKey(): JsonWebKey {
	signingKey ??= generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({format: 'jwk'});
	return signingKey;
}

export async function startOidcOp(options: OpOptions): Promise<RunningOp> {
	const requests: RunningOp['requests'] = [];
	let handle: Handler = (_request, response) => {
		response.statusCode = 503;
		response.end();
	};

	const mountPath = (options.path ?? '').replace(/\/+$/, '');
	const listener = (request: http.IncomingMessage, response: http.ServerResponse) => {
		const url = request.url ?? '/';
		requests.push({method: request.method ?? 'GET', url, userAgent: request.headers['user-agent']});
		if (mountPath !== '' && url !== mountPath && !url.startsWith(`${mountPath}/`) && !url.startsWith(`${mountPath}?`)) {
			response.statusCode = 404;
			response.end('not found');
			return;
		}

		// oidc-provider finds its mount path from originalUrl, as under Express.
		Object.assign(request, {originalUrl: url, url: url.slice(mountPath.length) || '/'});
		handle(request, response);
	};

	const server = await listen(listener, options.tls);
	const origin = server.url;
	const scheme = options.tls ? 'https' : 'http';
	const issuer = `${scheme}://${options.issuerHost ?? '127.0.0.1'}:${server.port}${mountPath}${options.trailingSlash ? '/' : ''}`;

	const provider = new Provider(issuer, {
		clients: options.clients.map((client) => ({
			grant_types: options.offlineAccess === false ? ['authorization_code'] : ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			token_endpoint_auth_method: client.client_secret === undefined ? 'none' : 'client_secret_basic',
			...client,
		})),
		jwks: {keys: [{...rsaSigningKey(), use: 'sig', alg: 'RS256', kid: 'test'}]},
		cookies: {keys: ['sso-setup-test-cookie-key']},
		scopes: options.offlineAccess === false ? ['openid'] : ['openid', 'offline_access'],
		claims: options.claims ?? defaultClaims,
		adapter: memoryAdapter(),
		features: {devInteractions: {enabled: false}},
		// A page like the real IdPs show: the error in the title, the description in the body.
		async renderError(context: {type: string; body: string}, out: {error: string; error_description?: string}) {
			context.type = 'html';
			context.body = `<!DOCTYPE html><html><head><title>${escapeHtml(out.error)}</title></head><body><p>${escapeHtml(out.error_description ?? '')}</p></body></html>`;
		},
		pkce: {required: () => false},
		async findAccount(_context: unknown, sub: string) {
			return {accountId: sub, claims: () => ({sub})};
		},
	});
	handle = provider.callback();

	return {
		issuer,
		origin,
		discoveryUrl: `${origin}${mountPath}/.well-known/openid-configuration`,
		requests,
		close: server.close,
	};
}
