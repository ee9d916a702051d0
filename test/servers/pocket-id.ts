import {randomBytes, randomUUID} from 'node:crypto';
import {createPocketSignIn, type FakePocketUser} from './pocket-id-sign-in.js';
import {clientCredentials, respond, startIdpServer, type IdpRequest, type Reply} from './recording-server.js';

/**
 * A fake Pocket ID on 127.0.0.1:0, following Pocket ID's API: X-API-Key auth,
 * OIDC clients (201 on create, PUT replaces), the client secret endpoint of the configured version
 * (POST …/secrets from v2.14.0, POST …/secret before; the other one is gin's plain 404), allowed
 * user groups, and the OpenID endpoints the verification probes (section D: fosite answers from
 * v2.10, the older JSON errors and the SPA /authorize before). Bodies are checked against the DTOs
 * (unknown fields and bad values are recorded in contractErrors and refused with 400).
 * The sign-in proof's side (users, one-time access tokens, the authorize interaction, codes that
 * the token endpoint honours) is in pocket-id-sign-in.ts.
 */

export type {FakePocketUser};

export type FakePocketIdOptions = {
	/** Default 2.14.0. */
	version?: string;
	apiKey?: string;
	/** The key's user is an administrator (default true); false gives 403 on admin endpoints. */
	apiKeyIsAdmin?: boolean;
	/** Whether GET /api/version/current exists (default true). */
	versionEndpoint?: boolean;
	groups?: Array<{name: string; friendlyName?: string}>;
	tls?: {key: string; cert: string};
};

export type FakePocketClient = {
	id: string;
	name: string;
	callbackURLs: string[];
	logoutCallbackURLs: string[];
	isPublic: boolean;
	pkceEnabled: boolean;
	isGroupRestricted: boolean;
	requiresReauthentication: boolean;
	launchURL: string | null;
	hasLogo: boolean;
	allowedUserGroupIds: string[];
	/** Active secrets in clear (the real server keeps hashes). */
	secrets: string[];
};

export type RecordedRequest = IdpRequest;
export type {FailRule, HookRule} from './recording-server.js';

const updateFields = new Set([
	'name', 'description', 'callbackURLs', 'logoutCallbackURLs', 'isPublic', 'pkceEnabled', 'requiresReauthentication', 'requiresPushedAuthorizationRequests',
	'skipConsent', 'credentials', 'launchURL', 'hasLogo', 'hasDarkLogo', 'logoUrl', 'darkLogoUrl', 'isGroupRestricted',
]);
const fositeClientError = 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).';

export async function startFakePocketId(options: FakePocketIdOptions = {}) {
	const version = options.version ?? '2.14.0';
	const [major, minor] = version.split('.').map((part) => Number.parseInt(part, 10)) as [number, number];
	const at = (wantMajor: number, wantMinor: number) => major > wantMajor || (major === wantMajor && minor >= wantMinor);
	const apiKey = options.apiKey ?? 'pocket-id-api-key';
	const groups = (options.groups ?? [{name: 'harbor-admins', friendlyName: 'Harbor admins'}]).map((group) => ({id: randomUUID(), name: group.name, friendlyName: group.friendlyName ?? group.name}));
	const clients: FakePocketClient[] = [];
	const contractErrors: string[] = [];
	let url = '';

	const view = (client: FakePocketClient) => ({
		id: client.id,
		name: client.name,
		hasLogo: client.hasLogo,
		hasDarkLogo: false,
		launchURL: client.launchURL,
		requiresReauthentication: client.requiresReauthentication,
		callbackURLs: client.callbackURLs,
		logoutCallbackURLs: client.logoutCallbackURLs,
		isPublic: client.isPublic,
		pkceEnabled: client.pkceEnabled,
		...(at(2, 0) ? {isGroupRestricted: client.isGroupRestricted} : {}),
		credentials: {},
		allowedUserGroups: groups.filter((group) => client.allowedUserGroupIds.includes(group.id)).map((group) => ({...group, userCount: 0})),
	});

	const dtoProblems = (body: unknown, create: boolean): string[] => {
		if (!body || typeof body !== 'object') return ['the body is not a JSON object'];
		const problems: string[] = [];
		const record = body as Record<string, unknown>;
		for (const key of Object.keys(record)) {
			if (!updateFields.has(key) && !(create && key === 'id')) problems.push(`unknown field "${key}" in OidcClient${create ? 'Create' : 'Update'}Dto`);
		}

		if (typeof record['name'] !== 'string' || record['name'] === '' || record['name'].length > 50) problems.push('name is required, at most 50 characters');
		for (const key of ['callbackURLs', 'logoutCallbackURLs']) {
			const value = record[key];
			if (value !== undefined && value !== null && (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || !isCallbackPattern(item)))) problems.push(`${key} must be a list of URLs`);
		}

		if (!Array.isArray(record['callbackURLs']) || record['callbackURLs'].length === 0) problems.push('callbackURLs: at least one callback URL is required');
		for (const key of ['isPublic', 'pkceEnabled', 'requiresReauthentication', 'isGroupRestricted', 'hasLogo']) {
			if (record[key] !== undefined && typeof record[key] !== 'boolean') problems.push(`${key} must be a boolean`);
		}

		if (record['launchURL'] !== undefined && record['launchURL'] !== null && (typeof record['launchURL'] !== 'string' || !URL.canParse(record['launchURL']))) problems.push('launchURL must be a URL');
		if (create && record['id'] !== undefined && (typeof record['id'] !== 'string' || !/^[a-zA-Z0-9._-]{2,128}$/.test(record['id']))) problems.push('id must match ^[a-zA-Z0-9._-]+$ (2–128 characters)');
		return problems;
	};

	const apply = (client: FakePocketClient, record: Record<string, any>) => {
		// PUT replaces: every absent field falls back to its zero value, as Go's decoder does.
		client.name = record['name'];
		client.callbackURLs = record['callbackURLs'] ?? [];
		client.logoutCallbackURLs = record['logoutCallbackURLs'] ?? [];
		client.isPublic = record['isPublic'] ?? false;
		client.pkceEnabled = record['pkceEnabled'] ?? false;
		client.requiresReauthentication = record['requiresReauthentication'] ?? false;
		client.isGroupRestricted = at(2, 0) ? (record['isGroupRestricted'] ?? false) : false;
		client.launchURL = record['launchURL'] ?? null;
		client.hasLogo = record['hasLogo'] ?? false;
	};

	const api = (request: RecordedRequest): Reply => {
		const {method, path, query, body} = request;
		if (method === 'GET' && path === '/api/version/current' && options.versionEndpoint !== false) {
			return respond(200, {currentVersion: version});
		}

		if (request.headers['x-api-key'] !== apiKey) {
			return respond(401, {error: 'You are not signed in'});
		}

		if (options.apiKeyIsAdmin === false) {
			return respond(403, {error: "You don't have permission to access this resource"});
		}

		const refuse = (problems: string[]) => {
			contractErrors.push(...problems);
			return respond(400, {error: problems.join('; ')});
		};

		const signInAnswer = signIn.api(request);
		if (signInAnswer) return signInAnswer;

		if (path === '/api/oidc/clients' && method === 'GET') {
			const search = (query.get('search') ?? '').toLowerCase();
			const found = clients.filter((client) => client.name.toLowerCase().includes(search)).map(view);
			return respond(200, {data: found, pagination: {totalPages: 1, totalItems: found.length, currentPage: 1, itemsPerPage: 20}});
		}

		if (path === '/api/oidc/clients' && method === 'POST') {
			const problems = dtoProblems(body, true);
			if (problems.length > 0) return refuse(problems);
			const record = body as Record<string, any>;
			if (record['id'] && clients.some((client) => client.id === record['id'])) return respond(400, {error: 'Client ID already in use'});
			const client = blankClient(record['id'] ?? randomUUID());
			apply(client, record);
			clients.push(client);
			return respond(201, view(client));
		}

		if (path === '/api/user-groups' && method === 'GET') {
			const search = (query.get('search') ?? '').toLowerCase();
			const found = groups.filter((group) => group.name.toLowerCase().includes(search) || group.friendlyName.toLowerCase().includes(search));
			return respond(200, {data: found, pagination: {totalPages: 1, totalItems: found.length, currentPage: 1, itemsPerPage: 20}});
		}

		const match = /^\/api\/oidc\/clients\/([^/]+)(\/.*)?$/.exec(path);
		const sub = match?.[2] ?? '';
		const route = `${method} ${sub}`;
		const knownRoutes = ['GET ', 'PUT ', 'PUT /allowed-user-groups', ...(at(2, 14) ? ['POST /secrets', 'GET /secrets'] : ['POST /secret'])];
		if (!match || !knownRoutes.includes(route)) {
			return respond(404, '404 page not found', 'text/plain');
		}

		const client = clients.find((candidate) => candidate.id === decodeURIComponent(match[1]!));
		if (!client) {
			return respond(404, {error: 'Record not found'});
		}

		switch (route) {
			case 'GET ': {
				return respond(200, view(client));
			}

			case 'PUT ': {
				const problems = dtoProblems(body, false);
				if (problems.length > 0) return refuse(problems);
				apply(client, body as Record<string, any>);
				return respond(200, view(client));
			}

			case 'PUT /allowed-user-groups': {
				const ids = (body as {userGroupIds?: unknown} | undefined)?.userGroupIds;
				if (!Array.isArray(ids) || ids.some((id) => !groups.some((group) => group.id === id))) return refuse(['userGroupIds must list existing group ids']);
				client.allowedUserGroupIds = ids as string[];
				return respond(200, view(client));
			}

			case 'POST /secrets': {
				const secret = secretFrom(body);
				if (typeof secret !== 'string') return secret;
				client.secrets.push(secret);
				return respond(201, {id: randomUUID(), prefix: secret.slice(0, 4), createdAt: new Date().toISOString(), expiresAt: null, isActive: true, secret});
			}

			case 'GET /secrets': {
				return respond(200, client.secrets.map((secret) => ({id: randomUUID(), prefix: secret.slice(0, 4), isActive: true})));
			}

			default: {
				// POST /secret (up to v2.13): replaces the only secret; a chosen one is accepted from v2.12.
				const secret = at(2, 12) ? secretFrom(body) : randomBytes(16).toString('hex');
				if (typeof secret !== 'string') return secret;
				client.secrets = [secret];
				return respond(200, {secret});
			}
		}
	};

	const openId = async (request: RecordedRequest): Promise<Reply> => {
		const {method, path} = request;
		const fosite = at(2, 10);
		if (method === 'GET' && path === '/.well-known/openid-configuration') {
			return respond(200, {
				issuer: url.toLowerCase(),
				authorization_endpoint: `${url}/authorize`,
				token_endpoint: `${url}/api/oidc/token`,
				userinfo_endpoint: `${url}/api/oidc/userinfo`,
				end_session_endpoint: `${url}/api/oidc/end-session`,
				introspection_endpoint: `${url}/api/oidc/introspect`,
				jwks_uri: `${url}/.well-known/jwks.json`,
				grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
				scopes_supported: ['openid', 'profile', 'email', 'groups', 'offline_access'],
				claims_supported: ['sub', 'given_name', 'family_name', 'name', 'email', 'email_verified', 'preferred_username', 'picture', 'groups'],
				response_types_supported: ['code', 'id_token'],
				subject_types_supported: ['public'],
				id_token_signing_alg_values_supported: ['RS256'],
				token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
				code_challenge_methods_supported: ['plain', 'S256'],
			});
		}

		if (method === 'POST' && path === '/api/oidc/token') {
			const form = (request.body ?? {}) as Record<string, string>;
			const {clientId, clientSecret} = clientCredentials(request.headers, form);
			const client = clients.find((candidate) => candidate.id === clientId);
			const authenticated = client && (client.isPublic || client.secrets.includes(clientSecret ?? ''));
			const exchanged = client && authenticated ? await signIn.exchange(request, client) : undefined;
			if (exchanged) return exchanged;
			if (fosite) {
				if (!authenticated) return respond(401, {error: 'invalid_client', error_description: fositeClientError});
				return respond(400, {error: 'invalid_grant', error_description: 'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.'});
			}

			if (!client) return respond(404, {error: 'Record not found'});
			if (!authenticated) return respond(401, {error: 'Invalid client secret'});
			return respond(400, {error: 'Invalid authorization code'});
		}

		if (method === 'GET' && path === '/authorize') {
			if (!fosite) return respond(200, '<!doctype html><html><body><div id="svelte">Pocket ID</div></body></html>', 'text/html');
			return signIn.authorize(request);
		}

		return respond(404, '404 page not found', 'text/plain');
	};

	const signIn = createPocketSignIn({url: () => url, at, clients, groups, contractErrors, matchesCallback});

	const server = await startIdpServer({
		tls: options.tls,
		failureBody: () => ({error: 'Injected failure'}),
		malformedBody: {error: 'invalid JSON'},
		handle: (request) => signIn.browserRoute(request) ?? (request.path.startsWith('/api/') && request.path !== '/api/oidc/token' ? api(request) : openId(request)),
	});
	url = server.url;

	return {
		url,
		version,
		apiKey,
		requests: server.requests,
		contractErrors,
		clients,
		groups,
		failNext: server.failNext,
		beforeNext: server.beforeNext,
		users: signIn.users,
		sessionCookies: signIn.sessionCookies,
		addGroup(name: string) {
			const group = {id: randomUUID(), name, friendlyName: name};
			groups.push(group);
			return group;
		},
		/** A client as if made by hand in the web UI. */
		addClient(client: {id?: string; name: string; callbackURLs?: string[]; secret?: string; pkceEnabled?: boolean; isPublic?: boolean}) {
			const stored = blankClient(client.id ?? randomUUID());
			Object.assign(stored, {name: client.name, callbackURLs: client.callbackURLs ?? [], pkceEnabled: client.pkceEnabled ?? false, isPublic: client.isPublic ?? false, secrets: client.secret ? [client.secret] : []});
			clients.push(stored);
			return stored;
		},
		close: server.close,
	};
}

export type FakePocketId = Awaited<ReturnType<typeof startFakePocketId>>;

function blankClient(id: string): FakePocketClient {
	return {id, name: '', callbackURLs: [], logoutCallbackURLs: [], isPublic: false, pkceEnabled: false, isGroupRestricted: false, requiresReauthentication: false, launchURL: null, hasLogo: false, allowedUserGroupIds: [], secrets: []};
}

/** A chosen secret (≥16 printable ASCII) from an optional body, else a generated one; the 400 to answer when the chosen one is unfit. */
function secretFrom(body: unknown): string | Reply {
	const chosen = (body as {secret?: unknown} | undefined)?.secret;
	if (chosen === undefined) return randomBytes(16).toString('hex');
	if (typeof chosen !== 'string' || chosen.length < 16 || !/^[\x21-\x7e]+$/.test(chosen)) {
		return respond(400, {error: 'secret must be at least 16 printable ASCII characters'});
	}

	return chosen;
}

function isCallbackPattern(value: string): boolean {
	return URL.canParse(value.replaceAll('*', 'x'));
}

function matchesCallback(pattern: string, uri: string): boolean {
	if (!pattern.includes('*')) return pattern === uri;
	const expression = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
	return new RegExp(`^${expression}$`).test(uri);
}
