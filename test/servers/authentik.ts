import {randomBytes, randomUUID} from 'node:crypto';
import {createSignInSide, type FakeBinding, type FakeGroup, type FakePolicy, type FakeUser} from './authentik-sign-in.js';
import {loadContract} from './contract.js';
import {clientCredentials, redirect, respond, startIdpServer, type IdpRequest, type Reply} from './recording-server.js';

/**
 * A fake authentik (API v3 + the OAuth2 provider endpoints) on 127.0.0.1:0. Every request body is
 * checked against authentik's own OpenAPI schema (test/contracts/authentik) and refused with
 * 400 on a violation, as the real serializers would. Behaviour follows authentik's API:
 * redirect URIs as strict entries or as the old regex string depending on `version`, scope mappings
 * under the old or new path, 403 for a bad token, and the OpenID endpoints the verification probes.
 * The sign-in proof's side (users, groups, policy bindings, the authorize view, the flow executor,
 * codes that the token endpoint honours) is in authentik-sign-in.ts.
 */

export type FakeAuthentikOptions = {
	/** version_current; decides the redirect URI format, the scope mapping path and the invalidation flow. */
	version?: string;
	/** The only API token accepted. */
	token?: string;
	/** Permission codenames the token's user lacks: lists come back empty, writes get 403. */
	deny?: string[];
	/** Certificates with a private key. Default: the self-signed one authentik ships. */
	signingKeys?: Array<{name: string}>;
	tls?: {key: string; cert: string};
	/** After the password, the authentication flow skips MFA (default: users without devices) or asks for it. */
	mfa?: 'skip' | 'required';
};

export type {FakeBinding, FakeGroup, FakePolicy, FakeUser};

export type RedirectEntry = {matching_mode: 'strict' | 'regex'; url: string};

export type FakeProvider = {
	pk: number;
	name: string;
	authorization_flow: string;
	invalidation_flow: string | null;
	property_mappings: string[];
	client_type: 'confidential' | 'public';
	client_id: string;
	client_secret: string;
	/** Stored as entries whatever the version; older versions read and write them as a regex string. */
	redirect_uris: RedirectEntry[];
	signing_key: string | null;
	issuer_mode: 'global' | 'per_provider';
	include_claims_in_id_token: boolean;
	sub_mode: string;
};

export type FakeApplication = {pk: string; name: string; slug: string; provider: number | null; meta_launch_url: string};

export type RecordedRequest = IdpRequest;
export type {FailRule, HookRule} from './recording-server.js';

const managedPrefix = 'goauthentik.io/providers/oauth2/scope-';

export async function startFakeAuthentik(options: FakeAuthentikOptions = {}) {
	const version = options.version ?? '2026.2.2';
	const token = options.token ?? 'authentik-admin-token';
	const deny = new Set(options.deny ?? []);
	const [year, month, patch] = version.split('.').map((part) => Number.parseInt(part, 10)) as [number, number, number];
	const at = (y: number, m: number, p = 0) => year * 10_000 + month * 100 + patch >= y * 10_000 + m * 100 + p;
	const features = {
		redirectList: at(2024, 10, 3) || (at(2024, 8, 5) && !at(2024, 10)),
		invalidation: at(2024, 10),
		providerScopePath: at(2024, 8),
		offlineAccess: at(2024, 2),
	};
	const contract = loadContract('authentik');

	const flows = [
		{pk: randomUUID(), slug: 'default-provider-authorization-explicit-consent', name: 'Authorize Application', designation: 'authorization'},
		{pk: randomUUID(), slug: 'default-provider-authorization-implicit-consent', name: 'Authorize Application', designation: 'authorization'},
		{pk: randomUUID(), slug: 'default-authentication-flow', name: 'Welcome to authentik!', designation: 'authentication'},
		{pk: randomUUID(), slug: 'default-invalidation-flow', name: 'Logout', designation: 'invalidation'},
		...(features.invalidation ? [{pk: randomUUID(), slug: 'default-provider-invalidation-flow', name: 'Logged out of application', designation: 'invalidation'}] : []),
	];
	const scopeMappings = ['openid', 'email', 'profile', ...(features.offlineAccess ? ['offline_access'] : [])].map((scope) => ({
		pk: randomUUID(),
		managed: `${managedPrefix}${scope}`,
		name: `authentik default OAuth Mapping: OpenID '${scope}'`,
		scope_name: scope,
		expression: 'return {}',
	}));
	scopeMappings.push({pk: randomUUID(), managed: null as unknown as string, name: 'custom mapping', scope_name: 'custom', expression: 'return {}'});
	const signingKeys = (options.signingKeys ?? [{name: 'authentik Self-signed Certificate'}]).map((key) => ({pk: randomUUID(), name: key.name}));
	const providers: FakeProvider[] = [];
	const applications: FakeApplication[] = [];
	const contractErrors: string[] = [];
	let nextPk = 1;
	let url = '';
	const page = (results: unknown[]) =>
		respond(200, {pagination: {next: 0, previous: 0, count: results.length, current: 1, total_pages: 1, start_index: results.length > 0 ? 1 : 0, end_index: results.length}, results});

	const applicationNamed = (slug: string) => {
		const application = applications.find((candidate) => candidate.slug === slug);
		if (!application) throw new Error(`fake authentik: no application ${slug}`);
		return application;
	};
	const issuerFor = (application: FakeApplication, provider: FakeProvider) => (provider.issuer_mode === 'global' ? `${url}/` : `${url}/application/o/${application.slug}/`);
	const providerView = (provider: FakeProvider) => {
		const application = applications.find((candidate) => candidate.provider === provider.pk);
		return {
			pk: provider.pk,
			name: provider.name,
			authentication_flow: null,
			authorization_flow: provider.authorization_flow,
			...(features.invalidation ? {invalidation_flow: provider.invalidation_flow} : {}),
			property_mappings: provider.property_mappings,
			component: 'ak-provider-oauth2-form',
			assigned_application_slug: application?.slug ?? null,
			assigned_application_name: application?.name ?? null,
			assigned_backchannel_application_slug: null,
			assigned_backchannel_application_name: null,
			verbose_name: 'OAuth2/OpenID Provider',
			verbose_name_plural: 'OAuth2/OpenID Providers',
			meta_model_name: 'authentik_providers_oauth2.oauth2provider',
			client_type: provider.client_type,
			client_id: provider.client_id,
			client_secret: provider.client_secret,
			access_code_validity: 'minutes=1',
			access_token_validity: 'minutes=5',
			refresh_token_validity: 'days=30',
			include_claims_in_id_token: provider.include_claims_in_id_token,
			signing_key: provider.signing_key,
			encryption_key: null,
			redirect_uris: features.redirectList ? provider.redirect_uris : provider.redirect_uris.map((entry) => entry.url).join('\n'),
			sub_mode: provider.sub_mode,
			issuer_mode: provider.issuer_mode,
		};
	};

	const applicationView = (application: FakeApplication) => ({
		...application,
		provider_obj: null,
		backchannel_providers: [],
		launch_url: application.meta_launch_url || null,
		open_in_new_tab: false,
		meta_icon: '',
		meta_description: '',
		meta_publisher: '',
		policy_engine_mode: 'any',
		group: '',
	});

	const createProvider = (body: Record<string, any>): FakeProvider => ({
		pk: nextPk++,
		name: body['name'],
		authorization_flow: body['authorization_flow'],
		invalidation_flow: body['invalidation_flow'] ?? null,
		property_mappings: body['property_mappings'] ?? [],
		client_type: body['client_type'] ?? 'confidential',
		client_id: body['client_id'] ?? randomBytes(20).toString('hex'),
		client_secret: body['client_secret'] ?? randomBytes(64).toString('hex'),
		redirect_uris: readRedirects(body['redirect_uris']) ?? [],
		signing_key: body['signing_key'] ?? null,
		issuer_mode: body['issuer_mode'] ?? 'per_provider',
		include_claims_in_id_token: body['include_claims_in_id_token'] ?? true,
		sub_mode: body['sub_mode'] ?? 'hashed_user_id',
	});

	/** Semantic checks the serializer makes beyond the schema. Returns DRF-style field errors. */
	const providerProblems = (body: Record<string, any>, current?: FakeProvider): Record<string, string[]> | undefined => {
		const problems: Record<string, string[]> = {};
		if ('redirect_uris' in body && features.redirectList !== Array.isArray(body['redirect_uris'])) {
			problems['redirect_uris'] = [features.redirectList ? 'Expected a list of items but got type "str".' : 'Not a valid string.'];
		}

		if ('name' in body && providers.some((provider) => provider.name === body['name'] && provider !== current)) {
			problems['name'] = ['provider with this name already exists.'];
		}

		if ('client_id' in body && providers.some((provider) => provider.client_id === body['client_id'] && provider !== current)) {
			problems['client_id'] = ['OAuth2/OpenID Provider with this Client ID already exists.'];
		}

		const flowIs = (pk: unknown, designation: string) => flows.some((flow) => flow.pk === pk && flow.designation === designation);
		if ('authorization_flow' in body && !flowIs(body['authorization_flow'], 'authorization')) {
			problems['authorization_flow'] = [`Invalid pk "${String(body['authorization_flow'])}" - object does not exist.`];
		}

		if (features.invalidation && 'invalidation_flow' in body && !flowIs(body['invalidation_flow'], 'invalidation')) {
			problems['invalidation_flow'] = [`Invalid pk "${String(body['invalidation_flow'])}" - object does not exist.`];
		}

		for (const pk of (body['property_mappings'] as string[] | undefined) ?? []) {
			if (!scopeMappings.some((mapping) => mapping.pk === pk)) {
				problems['property_mappings'] = [`Invalid pk "${pk}" - object does not exist.`];
			}
		}

		if (body['signing_key'] && !signingKeys.some((key) => key.pk === body['signing_key'])) {
			problems['signing_key'] = [`Invalid pk "${String(body['signing_key'])}" - object does not exist.`];
		}

		return Object.keys(problems).length > 0 ? problems : undefined;
	};

	/** Checks a write against the contract; older versions differ from it in the two documented ways. */
	const contractCheck = (method: string, path: string, body: unknown): string[] => {
		let checked = body;
		if (body && typeof body === 'object' && path.startsWith('/api/v3/providers/oauth2/')) {
			const copy = {...(body as Record<string, unknown>)};
			if (typeof copy['redirect_uris'] === 'string') {
				copy['redirect_uris'] = (readRedirects(copy['redirect_uris']) ?? []).map((entry) => ({...entry, matching_mode: 'strict'}));
			}

			if (!features.invalidation && method === 'POST' && copy['invalidation_flow'] === undefined) {
				copy['invalidation_flow'] = randomUUID();
			}

			if (!features.redirectList && method === 'POST' && copy['redirect_uris'] === undefined) {
				copy['redirect_uris'] = [];
			}

			checked = copy;
		}

		const result = contract.check(method, path, checked, {strictProperties: true});
		return result.known ? result.errors : [`${method} ${path} is not an authentik API operation`];
	};

	const api = (request: RecordedRequest): Reply => {
		const authorization = request.headers['authorization'];
		if (!authorization) {
			return respond(403, {detail: 'Authentication credentials were not provided.'});
		}

		if (authorization !== `Bearer ${token}`) {
			return respond(403, {detail: 'Token invalid/expired'});
		}

		const {method, path, query, body} = request;
		if (method !== 'GET' && method !== 'DELETE') {
			const errors = contractCheck(method, path, body);
			if (errors.length > 0) {
				contractErrors.push(...errors);
				return respond(400, {non_field_errors: errors});
			}
		}

		const allowed = (permission: string) => !deny.has(permission);
		const forbidden = () => respond(403, {detail: 'You do not have permission to perform this action.'});
		const route = `${method} ${path.replace(/^\/api\/v3/, '')}`;
		let match: RegExpMatchArray | null;

		if (route === 'GET /admin/version/') {
			return respond(200, {version_current: version, version_latest: version, version_latest_valid: true, build_hash: '', outdated: false, outpost_outdated: false});
		}

		if (route === 'GET /flows/instances/') {
			const designation = query.get('designation');
			const slug = query.get('slug');
			return page(allowed('authentik_flows.view_flow') ? flows.filter((flow) => (!designation || flow.designation === designation) && (!slug || flow.slug === slug)) : []);
		}

		if (route === `GET ${features.providerScopePath ? '/propertymappings/provider/scope/' : '/propertymappings/scope/'}`) {
			const managed = query.getAll('managed');
			return page(allowed('authentik_providers_oauth2.view_scopemapping') ? scopeMappings.filter((mapping) => managed.length === 0 || managed.includes(mapping.managed)) : []);
		}

		if (route === 'GET /crypto/certificatekeypairs/') {
			return page(allowed('authentik_crypto.view_certificatekeypair') ? signingKeys.map((key) => ({...key, private_key_available: true})) : []);
		}

		if (route === 'GET /providers/oauth2/') {
			const name = query.get('name');
			const clientId = query.get('client_id');
			const visible = allowed('authentik_providers_oauth2.view_oauth2provider') ? providers : [];
			return page(visible.filter((provider) => (!name || provider.name === name) && (!clientId || provider.client_id === clientId)).map(providerView));
		}

		if (route === 'POST /providers/oauth2/') {
			if (!allowed('authentik_providers_oauth2.add_oauth2provider')) return forbidden();
			const problems = providerProblems(body as Record<string, any>);
			if (problems) return respond(400, problems);
			const provider = createProvider(body as Record<string, any>);
			providers.push(provider);
			return respond(201, providerView(provider));
		}

		if ((match = /^(GET|PATCH) \/providers\/oauth2\/(\d+)\/$/.exec(route))) {
			const provider = providers.find((candidate) => candidate.pk === Number(match![2]));
			if (!provider || !allowed('authentik_providers_oauth2.view_oauth2provider')) return respond(404, {detail: 'No OAuth2Provider matches the given query.'});
			if (method === 'GET') return respond(200, providerView(provider));
			if (!allowed('authentik_providers_oauth2.change_oauth2provider')) return forbidden();
			const patch = body as Record<string, any>;
			const problems = providerProblems(patch, provider);
			if (problems) return respond(400, problems);
			const {redirect_uris: redirects, ...rest} = patch;
			Object.assign(provider, rest, redirects === undefined ? {} : {redirect_uris: readRedirects(redirects)});
			return respond(200, providerView(provider));
		}

		if (route === 'POST /core/applications/') {
			if (!allowed('authentik_core.add_application')) return forbidden();
			const wanted = body as Record<string, any>;
			const problems = applicationProblems(wanted);
			if (problems) return respond(400, problems);
			const application: FakeApplication = {pk: randomUUID(), name: wanted['name'], slug: wanted['slug'], provider: wanted['provider'] ?? null, meta_launch_url: wanted['meta_launch_url'] ?? ''};
			applications.push(application);
			return respond(201, applicationView(application));
		}

		if ((match = /^(GET|PATCH) \/core\/applications\/([^/]+)\/$/.exec(route))) {
			const application = applications.find((candidate) => candidate.slug === decodeURIComponent(match![2]!));
			if (!application || !allowed('authentik_core.view_application')) return respond(404, {detail: 'No Application matches the given query.'});
			if (method === 'GET') return respond(200, applicationView(application));
			if (!allowed('authentik_core.change_application')) return forbidden();
			const problems = applicationProblems(body as Record<string, any>, application);
			if (problems) return respond(400, problems);
			Object.assign(application, body);
			return respond(200, applicationView(application));
		}

		const signInPermission = signInPermissions.find(([pattern]) => pattern.test(route))?.[1];
		if (signInPermission) {
			const known = contract.check(method, path, method === 'GET' || method === 'DELETE' ? undefined : body);
			if (!known.known) {
				contractErrors.push(...known.errors);
				return respond(404, {detail: 'Not found.'});
			}

			if (!allowed(signInPermission)) return method === 'GET' ? page([]) : forbidden();
			const answer = signIn.api(request, route);
			if (answer) return answer;
		}

		return respond(404, {detail: 'Not found.'});
	};

	const applicationProblems = (body: Record<string, any>, current?: FakeApplication): Record<string, string[]> | undefined => {
		if ('slug' in body && applications.some((application) => application.slug === body['slug'] && application !== current)) {
			return {slug: ['Application with this slug already exists.']};
		}

		if (body['provider'] !== undefined && body['provider'] !== null) {
			if (!providers.some((provider) => provider.pk === body['provider'])) return {provider: [`Invalid pk "${String(body['provider'])}" - object does not exist.`]};
			if (applications.some((application) => application.provider === body['provider'] && application !== current)) return {provider: ['Application with this provider already exists.']};
		}

		return undefined;
	};

	/** The OpenID side: discovery per application, the token endpoint and the authorize endpoint. */
	const openId = async (request: RecordedRequest): Promise<Reply> => {
		const {method, path, query} = request;
		let match: RegExpMatchArray | null;
		if (method === 'GET' && (match = /^\/application\/o\/([^/]+)\/\.well-known\/openid-configuration$/.exec(path))) {
			const application = applications.find((candidate) => candidate.slug === match![1]);
			const provider = providers.find((candidate) => candidate.pk === application?.provider);
			if (!application || !provider) return respond(404, {detail: 'Not found.'});
			const base = `${url}/application/o`;
			return respond(200, {
				issuer: issuerFor(application, provider),
				authorization_endpoint: `${base}/authorize/`,
				token_endpoint: `${base}/token/`,
				userinfo_endpoint: `${base}/userinfo/`,
				end_session_endpoint: `${base}/${application.slug}/end-session/`,
				introspection_endpoint: `${base}/introspect/`,
				revocation_endpoint: `${base}/revoke/`,
				device_authorization_endpoint: `${base}/device/`,
				jwks_uri: `${base}/${application.slug}/jwks/`,
				response_types_supported: ['code', 'id_token', 'id_token token', 'code token', 'code id_token', 'code id_token token'],
				response_modes_supported: ['query', 'fragment', 'form_post'],
				grant_types_supported: ['authorization_code', 'refresh_token', 'implicit', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code'],
				id_token_signing_alg_values_supported: [provider.signing_key ? 'RS256' : 'HS256'],
				subject_types_supported: ['public'],
				token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
				scopes_supported: scopeMappings.filter((mapping) => provider.property_mappings.includes(mapping.pk)).map((mapping) => mapping.scope_name),
				claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'amr', 'nonce', 'email', 'email_verified', 'name', 'given_name', 'preferred_username', 'nickname', 'groups'],
				code_challenge_methods_supported: ['plain', 'S256'],
				request_parameter_supported: false,
				claims_parameter_supported: false,
			});
		}

		if (method === 'POST' && path === '/application/o/token/') {
			const form = request.body as Record<string, string>;
			const {clientId, clientSecret} = clientCredentials(request.headers, form);
			const provider = providers.find((candidate) => candidate.client_id === clientId);
			const invalidClient = () =>
				respond(400, {error: 'invalid_client', error_description: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)'});
			if (!provider || (provider.client_type === 'confidential' && provider.client_secret !== clientSecret)) return invalidClient();
			if (form['grant_type'] === 'authorization_code') {
				if (!matches(provider.redirect_uris, form['redirect_uri'] ?? '')) return invalidClient();
				const exchanged = await signIn.exchange(request, provider);
				if (exchanged) return exchanged;
				return respond(400, {error: 'invalid_grant', error_description: 'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client'});
			}

			return respond(400, {error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.'});
		}

		if (method === 'GET' && path === '/application/o/authorize/') {
			const provider = providers.find((candidate) => candidate.client_id === query.get('client_id'));
			if (!provider) return respond(400, errorPage('Client ID Error', 'The client identifier (client_id) is missing or invalid.'), 'text/html');
			const redirectUri = query.get('redirect_uri') ?? '';
			if (!matches(provider.redirect_uris, redirectUri)) {
				return respond(400, errorPage('Redirect URI Error', 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).'), 'text/html');
			}

			const application = applications.find((candidate) => candidate.provider === provider.pk);
			if (!application) return respond(200, '<!DOCTYPE html><html><head><title>Permission denied - authentik</title></head><body><p>Request has been denied.</p><p>Failed to resolve application</p></body></html>', 'text/html');
			if (query.get('prompt') === 'none' && !signIn.signedIn(request)) {
				const target = new URL(redirectUri);
				target.searchParams.set('error', 'login_required');
				target.searchParams.set('error_description', 'The Authorization Server requires End-User authentication.');
				if (query.get('state')) target.searchParams.set('state', query.get('state')!);
				return redirect(target.toString());
			}

			return signIn.authorizeView(request, provider, application);
		}

		return respond(404, {detail: 'Not found.'});
	};

	const signIn = createSignInSide({
		url: () => url,
		contract,
		contractErrors,
		flows,
		providers,
		applications,
		scopeMappings,
		issuerFor,
		page,
		mfa: options.mfa ?? 'skip',
	});

	const server = await startIdpServer({
		tls: options.tls,
		failureBody: () => ({detail: 'Injected failure'}),
		malformedBody: {detail: 'JSON parse error'},
		handle: (request) => signIn.browserRoute(request) ?? (request.path.startsWith('/api/v3/') ? api(request) : openId(request)),
	});
	url = server.url;

	return {
		url,
		token,
		version,
		requests: server.requests,
		contractErrors,
		providers,
		applications,
		flows,
		scopeMappings,
		signingKeys,
		failNext: server.failNext,
		beforeNext: server.beforeNext,
		users: signIn.users,
		groups: signIn.groups,
		bindings: signIn.bindings,
		/** Browser sessions by cookie value (a test looks for them in what was said). */
		sessions: signIn.sessions,
		addUser: signIn.addUser,
		addGroup: signIn.addGroup,
		/** Only members of the group may use the application (slug). */
		bindGroup: (slug: string, group: FakeGroup, options?: {negate?: boolean}) => signIn.bindGroup(applicationNamed(slug), group, options),
		/** A policy only some users pass, bound to the application (slug). */
		bindPolicy: (slug: string, name: string, passes: (user: FakeUser) => boolean) => signIn.bindPolicy(applicationNamed(slug), name, passes),
		/** A complete client as if made by hand: provider plus application. */
		addClient(client: {slug: string; name?: string; clientId?: string; clientSecret?: string; redirectUris?: string[]; clientType?: 'confidential' | 'public'; issuerMode?: 'global' | 'per_provider'}) {
			const provider = createProvider({
				name: `Provider for ${client.name ?? client.slug}`,
				authorization_flow: flows[0]!.pk,
				invalidation_flow: features.invalidation ? flows.find((flow) => flow.designation === 'invalidation')!.pk : undefined,
				property_mappings: scopeMappings.filter((mapping) => mapping.managed).map((mapping) => mapping.pk),
				client_id: client.clientId,
				client_secret: client.clientSecret,
				client_type: client.clientType,
				redirect_uris: (client.redirectUris ?? []).map((uri) => ({matching_mode: 'strict', url: uri})),
				signing_key: signingKeys[0]?.pk,
				issuer_mode: client.issuerMode,
			});
			providers.push(provider);
			const application: FakeApplication = {pk: randomUUID(), name: client.name ?? client.slug, slug: client.slug, provider: provider.pk, meta_launch_url: ''};
			applications.push(application);
			return {provider, application, issuer: issuerFor(application, provider)};
		},
		close: server.close,
	};
}

export type FakeAuthentik = Awaited<ReturnType<typeof startFakeAuthentik>>;

/** The permission each route of the sign-in side needs (the token's user may lack it: see `deny`). */
const signInPermissions: Array<[RegExp, string]> = [
	[/^GET \/core\/users\//, 'authentik_core.view_user'],
	[/^POST \/core\/users\/$/, 'authentik_core.add_user'],
	[/^POST \/core\/users\/\d+\/set_password\/$/, 'authentik_core.reset_user_password'],
	[/^DELETE \/core\/users\/\d+\/$/, 'authentik_core.delete_user'],
	[/^GET \/core\/groups\/$/, 'authentik_core.view_group'],
	[/^POST \/core\/groups\/[^/]+\/add_user\/$/, 'authentik_core.add_user_to_group'],
	[/^GET \/policies\/bindings\/$/, 'authentik_policies.view_policybinding'],
];

function readRedirects(value: unknown): RedirectEntry[] | undefined {
	if (typeof value === 'string') {
		return value
			.split(/\s+/)
			.filter(Boolean)
			.map((url) => ({matching_mode: 'regex', url}));
	}

	return Array.isArray(value) ? (value as RedirectEntry[]).map((entry) => ({matching_mode: entry.matching_mode, url: entry.url})) : undefined;
}

function matches(entries: RedirectEntry[], uri: string): boolean {
	return entries.some((entry) => (entry.matching_mode === 'strict' ? entry.url === uri : new RegExp(`^(?:${entry.url})$`).test(uri)));
}

function errorPage(title: string, message: string): string {
	return `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${message}</p></body></html>`;
}
