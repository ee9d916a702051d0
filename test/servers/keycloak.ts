import {randomBytes, randomUUID} from 'node:crypto';
import {clientCredentials, redirect, respond, startIdpServer, type IdpRequest, type Reply} from './recording-server.js';
import {keycloakLogin, type LoginClient} from './keycloak-login.js';

/**
 * A fake Keycloak on 127.0.0.1:0, following Keycloak's admin REST API: admin-cli password
 * grant on the master realm, the admin REST calls for clients, their secret and protocol mappers
 * (201 + Location, 409 on duplicates, exact clientId search), the legacy /auth prefix, the 26.8.2
 * kc-admin-api refusal, the OpenID endpoints the verification probes (section D), and the users,
 * groups and browser sign-in of the sign-in proof (keycloak-login.ts).
 * Client representations are checked for unknown fields and wrong types (recorded in contractErrors).
 */

export type FakeKeycloakOptions = {
	/** Default 26.0.5. Below 20 the wrong-secret answer says "Invalid client secret". */
	version?: string;
	adminUser?: string;
	adminPassword?: string;
	/** Realms besides master. Default: ['apps']. */
	realms?: string[];
	/** Serve everything under /auth only (Keycloak 16 and older, or --http-relative-path=/auth). */
	legacyAuthPrefix?: boolean;
	/** Admin tokens lack the kc-admin-api scope (26.8.2+ with a changed admin-cli): the admin API answers 401. */
	adminApiScopeMissing?: boolean;
	/** realm-management roles the admin lacks. */
	deny?: Array<'view-clients' | 'manage-clients' | 'manage-realm'>;
	tls?: {key: string; cert: string};
};

export type FakeMapper = {id: string; name: string; protocol: string; protocolMapper: string; config: Record<string, string>};
export type FakeKeycloakClient = {realm: string; id: string; rep: Record<string, any>; mappers: FakeMapper[]};
export type RecordedRequest = IdpRequest;
export type {FailRule} from './recording-server.js';
export type HookRule = {method?: string; path: string | RegExp; run: () => void};

const stringArrays = ['redirectUris', 'webOrigins', 'defaultClientScopes', 'optionalClientScopes', 'defaultRoles'];
const booleans = [
	'surrogateAuthRequired', 'enabled', 'alwaysDisplayInConsole', 'bearerOnly', 'consentRequired', 'standardFlowEnabled', 'implicitFlowEnabled',
	'directAccessGrantsEnabled', 'serviceAccountsEnabled', 'authorizationServicesEnabled', 'publicClient', 'frontchannelLogout', 'fullScopeAllowed',
];
const strings = ['id', 'clientId', 'name', 'description', 'type', 'rootUrl', 'adminUrl', 'baseUrl', 'clientAuthenticatorType', 'secret', 'registrationAccessToken', 'protocol', 'origin'];
const others = ['notBefore', 'attributes', 'authenticationFlowBindingOverrides', 'nodeReRegistrationTimeout', 'registeredNodes', 'protocolMappers', 'access', 'authorizationSettings'];

export async function startFakeKeycloak(options: FakeKeycloakOptions = {}) {
	const version = options.version ?? '26.0.5';
	const major = Number.parseInt(version, 10);
	const adminUser = options.adminUser ?? 'admin';
	const adminPassword = options.adminPassword ?? 'admin-password';
	const realms = new Set(['master', ...(options.realms ?? ['apps'])]);
	const prefix = options.legacyAuthPrefix ? '/auth' : '';
	const deny = new Set(options.deny ?? []);
	const clients: FakeKeycloakClient[] = [];
	const contractErrors: string[] = [];
	const adminTokens = new Set<string>();
	let url = '';

	const issuerOf = (realm: string) => `${url}${prefix}/realms/${realm}`;
	const login = keycloakLogin({issuerOf, baseUrl: () => `${url}${prefix}`});
	const loginClient = (client: FakeKeycloakClient): LoginClient => ({clientId: String(client.rep['clientId']), rep: client.rep, mappers: client.mappers});
	const view = (client: FakeKeycloakClient) => ({...structuredClone(client.rep), id: client.id});

	const representationProblems = (body: unknown): string[] => {
		if (!body || typeof body !== 'object' || Array.isArray(body)) {
			return ['the body is not a ClientRepresentation object'];
		}

		const problems: string[] = [];
		for (const [key, value] of Object.entries(body)) {
			if (stringArrays.includes(key)) {
				if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) problems.push(`${key} must be an array of strings`);
			} else if (booleans.includes(key)) {
				if (typeof value !== 'boolean') problems.push(`${key} must be a boolean`);
			} else if (strings.includes(key)) {
				if (typeof value !== 'string') problems.push(`${key} must be a string`);
			} else if (key === 'attributes') {
				if (!value || typeof value !== 'object' || Object.values(value).some((item) => typeof item !== 'string')) problems.push('attributes must map names to strings');
			} else if (!others.includes(key)) {
				problems.push(`Unrecognized field "${key}" (class org.keycloak.representations.idm.ClientRepresentation)`);
			}
		}

		return problems;
	};

	const addClient = (realm: string, rep: Record<string, any>): FakeKeycloakClient => {
		const client: FakeKeycloakClient = {
			realm,
			id: randomUUID(),
			rep: {
				clientId: rep['clientId'],
				name: '',
				enabled: true,
				protocol: 'openid-connect',
				publicClient: false,
				bearerOnly: false,
				clientAuthenticatorType: 'client-secret',
				standardFlowEnabled: true,
				implicitFlowEnabled: false,
				directAccessGrantsEnabled: true,
				serviceAccountsEnabled: false,
				redirectUris: [],
				webOrigins: [],
				rootUrl: '',
				baseUrl: '',
				attributes: {},
				...structuredClone(rep),
			},
			mappers: [],
		};
		if (!client.rep['publicClient'] && !client.rep['secret']) {
			client.rep['secret'] = randomBytes(24).toString('base64url');
		}

		clients.push(client);
		return client;
	};

	const admin = (request: RecordedRequest, path: string): Reply => {
		const bearer = request.headers['authorization']?.replace(/^Bearer /, '');
		if (!bearer || !adminTokens.has(bearer) || options.adminApiScopeMissing) {
			return respond(401, {error: 'HTTP 401 Unauthorized'});
		}

		const {method, query, body} = request;
		const forbidden = () => respond(403, {error: 'HTTP 403 Forbidden'});
		if (method === 'GET' && path === '/serverinfo') {
			return respond(200, {systemInfo: {version, serverTime: new Date().toISOString()}});
		}

		const match = /^\/realms\/([^/]+)(\/.*)?$/.exec(path);
		const realm = match ? decodeURIComponent(match[1]!) : '';
		if (!match || !realms.has(realm)) {
			return respond(404, {error: 'Realm not found.'});
		}

		const rest = match[2] ?? '';
		const usersOrGroups = login.admin(request, realm, rest, created, contractErrors);
		if (usersOrGroups) return usersOrGroups;
		const mayView = !deny.has('view-clients');
		const mayManage = !deny.has('manage-clients');
		if (rest === '/clients' && method === 'GET') {
			if (!mayView) return forbidden();
			const clientId = query.get('clientId');
			const search = query.get('search') === 'true';
			return respond(
				200,
				clients
					.filter((client) => client.realm === realm)
					.filter((client) => !clientId || (search ? String(client.rep['clientId']).includes(clientId) : client.rep['clientId'] === clientId))
					.map(view),
			);
		}

		if (rest === '/clients' && method === 'POST') {
			if (!mayManage) return forbidden();
			const problems = representationProblems(body);
			if (problems.length > 0) {
				contractErrors.push(...problems);
				return respond(400, {error: 'unknown_error', errorMessage: problems.join('; ')});
			}

			const rep = body as Record<string, any>;
			if (clients.some((client) => client.realm === realm && client.rep['clientId'] === rep['clientId'])) {
				return respond(409, {errorMessage: `Client ${String(rep['clientId'])} already exists`});
			}

			const client = addClient(realm, rep);
			return created(`${url}${prefix}/admin/realms/${realm}/clients/${client.id}`);
		}

		const clientMatch = /^\/clients\/([^/]+)(\/.*)?$/.exec(rest);
		const client = clientMatch ? clients.find((candidate) => candidate.realm === realm && candidate.id === clientMatch[1]) : undefined;
		if (!clientMatch || !client) {
			return respond(404, {error: 'Could not find client'});
		}

		const sub = clientMatch[2] ?? '';
		if (sub === '' && method === 'GET') {
			return mayView ? respond(200, view(client)) : forbidden();
		}

		if (sub === '' && method === 'PUT') {
			if (!mayManage) return forbidden();
			const problems = representationProblems(body);
			if (problems.length > 0) {
				contractErrors.push(...problems);
				return respond(400, {error: 'unknown_error', errorMessage: problems.join('; ')});
			}

			const {id: _id, attributes, ...fields} = body as Record<string, any>;
			if (fields['clientId'] !== client.rep['clientId'] && clients.some((candidate) => candidate.realm === realm && candidate.rep['clientId'] === fields['clientId'])) {
				return respond(409, {errorMessage: `Client ${String(fields['clientId'])} already exists`});
			}

			Object.assign(client.rep, structuredClone(fields));
			Object.assign(client.rep['attributes'], attributes ?? {});
			return respond(204, '');
		}

		if (sub === '/client-secret') {
			if (method === 'POST') {
				if (!mayManage) return forbidden();
				client.rep['secret'] = randomBytes(24).toString('base64url');
			} else if (!mayView) {
				return forbidden();
			}

			return respond(200, client.rep['publicClient'] ? {type: 'secret'} : {type: 'secret', value: client.rep['secret']});
		}

		if (sub === '/protocol-mappers/models' && method === 'GET') {
			return mayView ? respond(200, client.mappers) : forbidden();
		}

		if (sub === '/protocol-mappers/models' && method === 'POST') {
			if (!mayManage || deny.has('manage-realm')) return forbidden();
			const mapper = body as Partial<FakeMapper> | undefined;
			const problems = mapperProblems(mapper);
			if (problems.length > 0) {
				contractErrors.push(...problems);
				return respond(400, {error: 'unknown_error', errorMessage: problems.join('; ')});
			}

			if (client.mappers.some((existing) => existing.name === mapper!.name)) {
				return respond(409, {errorMessage: `Protocol mapper exists with same name`});
			}

			const stored: FakeMapper = {id: randomUUID(), name: mapper!.name!, protocol: mapper!.protocol!, protocolMapper: mapper!.protocolMapper!, config: {...mapper!.config}};
			client.mappers.push(stored);
			return created(`${url}${prefix}/admin/realms/${realm}/clients/${client.id}/protocol-mappers/models/${stored.id}`);
		}

		return respond(404, {error: 'RESTEASY003210: Could not find resource for full path'});
	};

	const realmEndpoints = async (request: RecordedRequest, realm: string, rest: string): Promise<Reply> => {
		const issuer = issuerOf(realm);
		const oidc = `${issuer}/protocol/openid-connect`;
		if (request.method === 'GET' && rest === '/.well-known/openid-configuration') {
			return respond(200, {
				issuer,
				authorization_endpoint: `${oidc}/auth`,
				token_endpoint: `${oidc}/token`,
				introspection_endpoint: `${oidc}/token/introspect`,
				userinfo_endpoint: `${oidc}/userinfo`,
				end_session_endpoint: `${oidc}/logout`,
				jwks_uri: `${oidc}/certs`,
				grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials'],
				response_types_supported: ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'],
				subject_types_supported: ['public', 'pairwise'],
				id_token_signing_alg_values_supported: ['RS256', 'ES256', 'PS256'],
				token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
				claims_supported: ['aud', 'sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'acr'],
				scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'roles', 'web-origins', 'acr', 'basic', 'address', 'phone', 'microprofile-jwt'],
				code_challenge_methods_supported: ['plain', 'S256'],
			});
		}

		if (request.method === 'POST' && rest === '/protocol/openid-connect/token') {
			const form = (request.body ?? {}) as Record<string, string>;
			if (realm === 'master' && form['client_id'] === 'admin-cli' && form['grant_type'] === 'password') {
				if (form['username'] !== adminUser || form['password'] !== adminPassword) {
					return respond(401, {error: 'invalid_grant', error_description: 'Invalid user credentials'});
				}

				const token = randomBytes(32).toString('base64url');
				adminTokens.add(token);
				return respond(200, {access_token: token, expires_in: 60, refresh_expires_in: 1800, token_type: 'Bearer', 'not-before-policy': 0, scope: 'profile email'});
			}

			const {clientId, clientSecret} = clientCredentials(request.headers, form);
			const client = clients.find((candidate) => candidate.realm === realm && candidate.rep['clientId'] === clientId);
			if (!client) {
				return respond(401, {error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials'});
			}

			if (!client.rep['publicClient'] && client.rep['secret'] !== clientSecret) {
				return respond(401, {error: 'unauthorized_client', error_description: major >= 20 ? 'Invalid client or Invalid client credentials' : 'Invalid client secret'});
			}

			if (form['grant_type'] === 'authorization_code') {
				return login.exchange(realm, loginClient(client), form);
			}

			return respond(400, {error: 'unsupported_grant_type', error_description: 'Unsupported grant_type'});
		}

		if (request.method === 'GET' && rest === '/protocol/openid-connect/auth') {
			const {query} = request;
			const client = clients.find((candidate) => candidate.realm === realm && candidate.rep['clientId'] === query.get('client_id'));
			if (!client) return login.errorPage(realm, 'Client not found.', 400);
			const redirectUri = query.get('redirect_uri') ?? '';
			const allowed = (client.rep['redirectUris'] as string[]).some((pattern) => (pattern.endsWith('*') ? redirectUri.startsWith(pattern.slice(0, -1)) : pattern === redirectUri));
			if (!allowed) return login.errorPage(realm, 'Invalid parameter: redirect_uri', 400);
			const target = new URL(redirectUri);
			// As the real Keycloak (26.7.3) does: a client that requires PKCE sends a request without it
			// back with invalid_request, before looking at prompt or the session.
			const pkce = (client.rep['attributes'] as Record<string, string> | undefined)?.['pkce.code.challenge.method'];
			if (pkce && !query.get('code_challenge_method')) {
				target.searchParams.set('error', 'invalid_request');
				target.searchParams.set('error_description', 'Missing parameter: code_challenge_method');
				if (query.get('state')) target.searchParams.set('state', query.get('state')!);
				target.searchParams.set('iss', issuer);
				return redirect(target.toString());
			}

			if (query.get('prompt') !== 'none') return login.startLogin(request, realm, loginClient(client), redirectUri);
			target.searchParams.set('error', 'login_required');
			if (query.get('state')) target.searchParams.set('state', query.get('state')!);
			target.searchParams.set('iss', issuer);
			return redirect(target.toString());
		}

		if (request.method === 'GET' && rest === '/protocol/openid-connect/certs') return login.certs();
		if (rest === '/protocol/openid-connect/userinfo') return login.userinfo(request, realm);
		const actions = login.loginActions(request, realm, rest);
		if (actions) return actions;
		return respond(404, {error: 'Unable to find matching target resource method'});
	};

	const route = async (request: RecordedRequest): Promise<Reply> => {
		if (!request.path.startsWith(`${prefix}/`)) {
			return respond(404, {error: 'RESTEASY003210: Could not find resource for full path'});
		}

		const path = request.path.slice(prefix.length);
		if (path.startsWith('/admin/')) {
			return admin(request, path.slice('/admin'.length));
		}

		const match = /^\/realms\/([^/]+)(\/.*)$/.exec(path);
		if (match && realms.has(decodeURIComponent(match[1]!))) {
			return realmEndpoints(request, decodeURIComponent(match[1]!), match[2]!);
		}

		return respond(404, {error: match ? 'Realm does not exist' : 'RESTEASY003210: Could not find resource for full path'});
	};

	const server = await startIdpServer({
		tls: options.tls,
		failureBody: () => ({error: 'Injected failure'}),
		malformedBody: {error: 'unknown_error'},
		handle: route,
	});
	url = server.url;

	return {
		url,
		/** The Keycloak URL users type: with /auth when the legacy prefix is on. */
		baseUrl: `${url}${prefix}`,
		version,
		adminUser,
		adminPassword,
		requests: server.requests,
		contractErrors,
		clients,
		/** The users and groups made through the admin API (the sign-in proof's test users). */
		users: login.users,
		groups: login.groups,
		issuerOf,
		failNext: server.failNext,
		/** Runs `run` just before the next matching request is handled (e.g. a concurrent change). */
		beforeNext(rule: HookRule) {
			server.beforeNext(rule);
		},
		/** A client as if made by hand (confidential unless publicClient is set). */
		addClient(realm: string, rep: {clientId: string; secret?: string; redirectUris?: string[]; publicClient?: boolean; standardFlowEnabled?: boolean; attributes?: Record<string, string>; rootUrl?: string}) {
			realms.add(realm);
			return addClient(realm, rep);
		},
		close: server.close,
	};
}

export type FakeKeycloak = Awaited<ReturnType<typeof startFakeKeycloak>>;

function created(location: string): Reply {
	return {status: 201, headers: {location}};
}

function mapperProblems(mapper: Partial<FakeMapper> | undefined): string[] {
	if (!mapper || typeof mapper !== 'object') return ['the body is not a ProtocolMapperRepresentation'];
	const problems: string[] = [];
	for (const key of Object.keys(mapper)) {
		if (!['id', 'name', 'protocol', 'protocolMapper', 'config', 'consentRequired', 'consentText'].includes(key)) problems.push(`Unrecognized field "${key}" (class org.keycloak.representations.idm.ProtocolMapperRepresentation)`);
	}

	if (typeof mapper.name !== 'string' || mapper.name === '') problems.push('name is required');
	if (typeof mapper.protocolMapper !== 'string') problems.push('protocolMapper is required');
	if (mapper.protocol !== undefined && mapper.protocol !== 'openid-connect' && mapper.protocol !== 'saml') problems.push('protocol is unknown');
	if (mapper.config && Object.values(mapper.config).some((value) => typeof value !== 'string')) problems.push('config values must be strings');
	return problems;
}
