import {createHash, generateKeyPairSync, randomBytes, randomUUID, type KeyObject} from 'node:crypto';
import {exportJWK, SignJWT} from 'jose';
import type {FakeApplication, FakeProvider} from './authentik.js';
import type {Contract} from './contract.js';
import {clientCredentials, redirect, respond, type IdpRequest, type Reply} from './recording-server.js';

/**
 * The part of the fake authentik a sign-in goes through, following authentik's own code: users,
 * groups and who may use an application (policy bindings, authentik/policies), browser sessions,
 * the authorize view (providers/oauth2/views/authorize.py), the flow interface and the flow
 * executor API (flows/views/executor.py) with the stages of the default flows (identification,
 * password, user login; consent in the explicit-consent authorization flow), and a token endpoint
 * and userinfo that honour the codes it issued, with the claims of the default scope mappings
 * (blueprints/system/providers-oauth2.yaml). Every challenge and every object it answers is
 * checked against the published schema (errors go to contractErrors).
 */

export type FakeUser = {
	pk: number;
	uuid: string;
	username: string;
	name: string;
	email: string;
	is_active: boolean;
	path: string;
	type: string;
	/** In clear: a fake. */
	password: string | undefined;
	groups: Set<string>;
	date_joined: string;
};

export type FakeGroup = {pk: string; num_pk: number; name: string; is_superuser: boolean};

/** A policy reduced to its verdict (an expression policy, a group membership policy, …). */
export type FakePolicy = {pk: string; name: string; passes: (user: FakeUser) => boolean};

export type FakeBinding = {pk: string; target: string; order: number; enabled: boolean; negate: boolean; group: string | null; user: number | null; policy: string | null};

type Flow = {pk: string; slug: string; name: string; designation: string};
type Provider = FakeProvider;
type Application = FakeApplication;
type ScopeMapping = {pk: string; scope_name: string};

export type SignInShared = {
	url: () => string;
	contract: Contract;
	contractErrors: string[];
	flows: Flow[];
	providers: Provider[];
	applications: Application[];
	scopeMappings: ScopeMapping[];
	issuerFor: (application: Application, provider: Provider) => string;
	page: (results: unknown[]) => Reply;
	/** What the authentication flow asks after the password: nothing (MFA skipped, the default for users without devices) or a TOTP/WebAuthn validation. */
	mfa: 'skip' | 'required';
};

type StageKind = 'identification' | 'password' | 'authenticator-validate' | 'user-login' | 'consent' | 'fulfillment';

type AuthorizeParams = {
	clientId: string;
	redirectUri: string;
	scope: Set<string>;
	state: string;
	nonce: string | undefined;
	codeChallenge: string | undefined;
	codeChallengeMethod: string;
};

type Plan = {
	flowSlug: string;
	stages: StageKind[];
	pendingUser?: FakeUser | {username: string; fake: true};
	params?: AuthorizeParams;
	application?: Application;
	invalidTries: number;
	consentToken?: string;
};

type Session = {id: string; csrf: string; user?: FakeUser; authTime?: number; plan?: Plan; get?: URLSearchParams};

type IssuedCode = {code: string; providerPk: number; userPk: number; params: AuthorizeParams; expires: number; authTime: number; sessionId: string};
type IssuedToken = {userPk: number; providerPk: number; scope: Set<string>; expires: number};

const sessionCookie = 'authentik_session';
const csrfCookie = 'authentik_csrf';
const authenticationFlow = 'default-authentication-flow';
const installId = randomUUID();
let rsaKey: {privateKey: KeyObject; publicKey: KeyObject} | undefined;

/** One RSA key per test process, whatever the number of fakes and signing keys: generating one is slow. */
function signingKeyPair(): {privateKey: KeyObject; publicKey: KeyObject} {
	rsaKey ??= generateKeyPairSync('rsa', {modulusLength: 2048});
	return rsaKey;
}

export function createSignInSide(shared: SignInShared) {
	const users: FakeUser[] = [];
	const groups: FakeGroup[] = [];
	const policies: FakePolicy[] = [];
	const bindings: FakeBinding[] = [];
	const sessions = new Map<string, Session>();
	const consents = new Set<string>();
	const codes = new Map<string, IssuedCode>();
	const tokens = new Map<string, IssuedToken>();
	let nextUserPk = 10;
	let nextGroupPk = 1;

	const uidOf = (user: FakeUser) => createHash('sha256').update(`${user.pk}-${installId}`).digest('hex');
	const groupsOf = (user: FakeUser) => groups.filter((group) => user.groups.has(group.pk));
	const partialGroup = (group: FakeGroup) => ({pk: group.pk, num_pk: group.num_pk, name: group.name, is_superuser: group.is_superuser, attributes: {}});
	const userView = (user: FakeUser, includeGroups = true) => ({
		pk: user.pk,
		username: user.username,
		name: user.name,
		is_active: user.is_active,
		last_login: null,
		date_joined: user.date_joined,
		is_superuser: groupsOf(user).some((group) => group.is_superuser),
		groups: [...user.groups],
		groups_obj: includeGroups ? groupsOf(user).map(partialGroup) : null,
		roles: [],
		roles_obj: null,
		email: user.email,
		avatar: `${shared.url()}/static/dist/assets/images/user_default.png`,
		attributes: {},
		uid: uidOf(user),
		path: user.path,
		type: user.type,
		uuid: user.uuid,
		password_change_date: user.date_joined,
		last_updated: user.date_joined,
	});
	const groupView = (group: FakeGroup) => ({
		pk: group.pk,
		num_pk: group.num_pk,
		name: group.name,
		is_superuser: group.is_superuser,
		parents: [],
		parents_obj: null,
		users: users.filter((user) => user.groups.has(group.pk)).map((user) => user.pk),
		users_obj: null,
		attributes: {},
		roles: [],
		roles_obj: [],
		inherited_roles_obj: null,
		children: [],
		children_obj: null,
	});
	// policy_obj/group_obj/user_obj are null when the binding has none, as DRF answers (the schema calls them objects).
	const bindingView = (binding: FakeBinding) => {
		const group = groups.find((candidate) => candidate.pk === binding.group);
		const user = users.find((candidate) => candidate.pk === binding.user);
		const policy = policies.find((candidate) => candidate.pk === binding.policy);
		return {
			...binding,
			policy_obj: policy ? {pk: policy.pk, name: policy.name, component: 'ak-policy-expression-form', execution_logging: false} : null,
			group_obj: group ? partialGroup(group) : null,
			user_obj: user ? {pk: user.pk, username: user.username, name: user.name, is_active: user.is_active, email: user.email, attributes: {}, uid: uidOf(user)} : null,
			timeout: 30,
			failure_result: false,
		};
	};

	/** The fake's own answers checked against the schema: a fake that drifts from it fails the test that reads contractErrors. */
	const conforming = (pointer: string, value: unknown) => {
		shared.contractErrors.push(...shared.contract.checkSchema(pointer, value).map((error) => `answer: ${error}`));
		return value;
	};

	// ------------------------------------------------------------ sessions and cookies

	const cookiesOf = (request: IdpRequest): Record<string, string> =>
		Object.fromEntries(
			(request.headers.cookie ?? '')
				.split(';')
				.map((part) => part.trim().split('='))
				.filter((pair) => pair.length === 2)
				.map(([name, value]) => [name!, value!]),
		);

	/** The session of the browser, a new one when it has none; `set` lists the cookies to send. */
	const sessionOf = (request: IdpRequest): {session: Session; set: string[]} => {
		const id = cookiesOf(request)[sessionCookie];
		const known = id ? sessions.get(id) : undefined;
		if (known) return {session: known, set: []};
		const session: Session = {id: randomBytes(16).toString('hex'), csrf: randomBytes(16).toString('hex')};
		sessions.set(session.id, session);
		return {session, set: [`${sessionCookie}=${session.id}; Path=/; HttpOnly; SameSite=None`]};
	};

	const withCookies = (reply: Reply, set: string[]): Reply => (set.length === 0 ? reply : {...reply, headers: {...reply.headers, 'set-cookie': set as unknown as string}});

	// ------------------------------------------------------------ who may use an application

	const bindingPasses = (binding: FakeBinding, user: FakeUser): boolean => {
		let passes = false;
		if (binding.group) passes = user.groups.has(binding.group);
		else if (binding.user !== null) passes = binding.user === user.pk;
		else if (binding.policy) passes = policies.find((policy) => policy.pk === binding.policy)?.passes(user) ?? false;
		return binding.negate ? !passes : passes;
	};

	/** authentik's PolicyEngine in the application's default mode "any": no binding lets everyone in. */
	const mayUse = (application: Application, user: FakeUser): boolean => {
		const bound = bindings.filter((binding) => binding.target === application.pk && binding.enabled);
		return bound.length === 0 || bound.some((binding) => bindingPasses(binding, user));
	};

	// ------------------------------------------------------------ the admin API's new routes

	const api = (request: IdpRequest, route: string): Reply | undefined => {
		const {query, body} = request;
		let match: RegExpMatchArray | null;
		if (route === 'GET /core/users/') {
			const username = query.get('username');
			const found = users.filter((user) => !username || user.username === username).map((user) => userView(user, query.get('include_groups') !== 'false'));
			return respond(200, conforming('#/components/schemas/PaginatedUserList', pageOf(found)));
		}

		if (route === 'POST /core/users/') {
			const wanted = body as Record<string, any>;
			if (users.some((user) => user.username === wanted['username'])) return respond(400, {username: ['This field must be unique.']});
			const user: FakeUser = {
				pk: nextUserPk++,
				uuid: randomUUID(),
				username: wanted['username'],
				name: wanted['name'],
				email: wanted['email'] ?? '',
				is_active: wanted['is_active'] ?? true,
				path: wanted['path'] ?? 'users',
				type: wanted['type'] ?? 'internal',
				password: undefined,
				groups: new Set(wanted['groups'] ?? []),
				date_joined: new Date().toISOString(),
			};
			users.push(user);
			return respond(201, conforming('#/components/schemas/User', userView(user)));
		}

		if ((match = /^(GET|DELETE) \/core\/users\/(\d+)\/$/.exec(route))) {
			const user = users.find((candidate) => candidate.pk === Number(match![2]));
			if (!user) return respond(404, {detail: 'No User matches the given query.'});
			if (match[1] === 'GET') return respond(200, conforming('#/components/schemas/User', userView(user)));
			users.splice(users.indexOf(user), 1);
			for (const binding of bindings.filter((candidate) => candidate.user === user.pk)) bindings.splice(bindings.indexOf(binding), 1);
			for (const session of sessions.values()) if (session.user === user) sessions.delete(session.id);
			return respond(204, undefined);
		}

		if ((match = /^POST \/core\/users\/(\d+)\/set_password\/$/.exec(route))) {
			const user = users.find((candidate) => candidate.pk === Number(match![1]));
			if (!user) return respond(404, {detail: 'No User matches the given query.'});
			user.password = (body as {password: string}).password;
			return respond(204, undefined);
		}

		if (route === 'GET /core/groups/') {
			const name = query.get('name');
			return respond(200, conforming('#/components/schemas/PaginatedGroupList', pageOf(groups.filter((group) => !name || group.name === name).map(groupView))));
		}

		if ((match = /^POST \/core\/groups\/([^/]+)\/add_user\/$/.exec(route))) {
			const group = groups.find((candidate) => candidate.pk === match![1]);
			if (!group) return respond(404, {detail: 'No Group matches the given query.'});
			const user = users.find((candidate) => candidate.pk === (body as {pk: number}).pk);
			if (!user) return respond(404, {detail: 'No User matches the given query.'});
			user.groups.add(group.pk);
			return respond(204, undefined);
		}

		if (route === 'GET /policies/bindings/') {
			const target = query.get('target');
			return respond(200, pageOf(bindings.filter((binding) => !target || binding.target === target).sort((a, b) => a.order - b.order).map(bindingView)));
		}

		return undefined;
	};

	// ------------------------------------------------------------ authorize, flows, executor

	const authorizeView = (request: IdpRequest, provider: Provider, application: Application): Reply => {
		const {session, set} = sessionOf(request);
		const {query, path} = request;
		if (!session.user) {
			// PolicyAccessView.handle_no_permission → redirect_to_login(next=<full path>), LOGIN_URL = the default authentication flow.
			return withCookies(redirect(`${shared.url()}/flows/-/default/authentication/?${new URLSearchParams({next: `${path}?${query.toString()}`})}`), set);
		}

		if (!mayUse(application, session.user)) {
			return withCookies(respond(200, deniedPage(), 'text/html'), set);
		}

		const offered = new Set(shared.scopeMappings.filter((mapping) => provider.property_mappings.includes(mapping.pk)).map((mapping) => mapping.scope_name));
		const requested = new Set((query.get('scope') ?? '').split(/\s+/).filter(Boolean));
		const scope = requested.size === 0 ? offered : new Set([...requested].filter((name) => offered.has(name)));
		const flow = shared.flows.find((candidate) => candidate.pk === provider.authorization_flow)!;
		const stages: StageKind[] = flow.slug === 'default-provider-authorization-explicit-consent' ? ['consent'] : [];
		// offline_access turns prompt=consent on; a flow without a consent stage gets an in-memory one.
		if (scope.has('offline_access') && !stages.includes('consent')) stages.push('consent');
		session.plan = {
			flowSlug: flow.slug,
			stages: [...stages, 'fulfillment'],
			application,
			invalidTries: 0,
			params: {
				clientId: provider.client_id,
				redirectUri: query.get('redirect_uri') ?? '',
				scope,
				state: query.get('state') ?? '',
				nonce: query.get('nonce') ?? undefined,
				codeChallenge: query.get('code_challenge') ?? undefined,
				codeChallengeMethod: query.get('code_challenge_method') ?? 'plain',
			},
		};
		return withCookies(redirect(`${shared.url()}/if/flow/${flow.slug}/?${query.toString()}`), set);
	};

	const flowInfo = (flow: Flow) => ({title: flow.name, layout: 'stacked', cancel_url: '/flows/-/cancel/'});
	const avatar = () => `${shared.url()}/static/dist/assets/images/user_default.png`;
	const challengeReply = (value: Record<string, unknown>) => respond(200, conforming('#/components/schemas/ChallengeTypes', value));
	const redirectChallenge = (flow: Flow, to: string) => challengeReply({flow_info: flowInfo(flow), component: 'xak-flow-redirect', to});

	const planFor = (flow: Flow): Plan | undefined => {
		if (flow.slug === authenticationFlow) {
			return {flowSlug: flow.slug, stages: ['identification', 'password', ...(shared.mfa === 'required' ? ['authenticator-validate' as const] : []), 'user-login'], invalidTries: 0};
		}

		return undefined;
	};

	const accessDenied = (session: Session, flow: Flow, message?: string) => {
		session.plan = undefined;
		return challengeReply({flow_info: flowInfo(flow), component: 'ak-stage-access-denied', pending_user: '', pending_user_avatar: avatar(), ...(message ? {error_message: message} : {})});
	};

	/** FlowExecutorView: the current stage's challenge (GET) or its answer (POST). */
	const executor = (request: IdpRequest, slug: string): Reply => {
		const flow = shared.flows.find((candidate) => candidate.slug === slug);
		if (!flow) return respond(404, {detail: 'No Flow matches the given query.'});
		const {session, set} = sessionOf(request);
		const query = request.query.get('query');
		if (query === null) return respond(400, {query: ['This field is required.']});
		if (request.method === 'POST' && session.user) {
			const refused = csrfRefusal(request, session);
			if (refused) return withCookies(refused, set);
		}

		if (session.plan && session.plan.flowSlug !== flow.slug) session.plan = undefined;
		if (!session.plan) {
			const plan = planFor(flow);
			if (!plan) return withCookies(accessDenied(session, flow, 'Flow does not apply to current user.'), set);
			session.plan = plan;
			session.get = new URLSearchParams(query);
		}

		session.get = new URLSearchParams(query);
		return withCookies(request.method === 'POST' ? solve(request, session, flow) : current(session, flow), set);
	};

	/** The challenge of the current stage; stages without one (user login, fulfillment) act at once. */
	const current = (session: Session, flow: Flow): Reply => {
		const plan = session.plan!;
		const stage = plan.stages[0];
		const pending = plan.pendingUser;
		switch (stage) {
			case undefined: {
				return done(session, flow);
			}

			case 'identification': {
				return challengeReply({
					flow_info: flowInfo(flow),
					component: 'ak-stage-identification',
					user_fields: ['email', 'username'],
					password_fields: false,
					...(plan.application ? {application_pre: plan.application.name} : {}),
					flow_designation: flow.designation,
					primary_action: 'Log in',
					sources: [],
					show_source_labels: false,
					enable_remember_me: true,
				});
			}

			case 'password': {
				return challengeReply({flow_info: flowInfo(flow), component: 'ak-stage-password', pending_user: pending?.username ?? '', pending_user_avatar: avatar(), allow_show_password: false});
			}

			case 'authenticator-validate': {
				return challengeReply({flow_info: flowInfo(flow), component: 'ak-stage-authenticator-validate', pending_user: pending?.username ?? '', pending_user_avatar: avatar(), device_challenges: [], configuration_stages: []});
			}

			case 'user-login': {
				if (!pending || 'fake' in pending || !pending.is_active) return accessDenied(session, flow);
				session.user = pending;
				session.authTime = Math.floor(Date.now() / 1000);
				plan.stages.shift();
				return current(session, flow);
			}

			case 'consent': {
				const key = `${session.user?.pk} ${plan.application?.pk}`;
				if (consents.has(key)) {
					plan.stages.shift();
					return current(session, flow);
				}

				plan.consentToken = randomUUID();
				return challengeReply({
					flow_info: flowInfo(flow),
					component: 'ak-stage-consent',
					pending_user: session.user?.username ?? '',
					pending_user_avatar: avatar(),
					header_text: `You're about to sign into ${plan.application?.name ?? 'the application'}.`,
					permissions: [...(plan.params?.scope ?? [])].filter((scope) => scope !== 'openid').map((scope) => ({id: scope, name: scope})),
					additional_permissions: [],
					token: plan.consentToken,
				});
			}

			default: {
				return fulfil(session, flow);
			}
		}
	};

	const solve = (request: IdpRequest, session: Session, flow: Flow): Reply => {
		const plan = session.plan!;
		const body = (request.body ?? {}) as Record<string, any>;
		const stage = plan.stages[0];
		const invalid = (field: string, message: string, code = 'invalid') => {
			const reply = current(session, flow);
			const challenge = reply.json as Record<string, unknown>;
			return challengeReply({...challenge, response_errors: {[field]: [{string: message, code}]}});
		};

		const ok = (): Reply => {
			plan.stages.shift();
			// stage_ok: the next stage is fetched again from the executor (a redirect to the same URL), the last one ends the flow.
			return plan.stages.length > 0 ? redirect(`${shared.url()}${request.path}?${request.query.toString()}`) : done(session, flow);
		};

		switch (stage) {
			case 'identification': {
				if (body['component'] !== 'ak-stage-identification') return invalid('non_field_errors', 'Invalid challenge response.');
				const uid = String(body['uid_field'] ?? '');
				const user = users.find((candidate) => candidate.username === uid || (candidate.email !== '' && candidate.email === uid));
				// pretend_user_exists (the default): an unknown user goes on to the password stage.
				plan.pendingUser = user ?? {username: uid, fake: true};
				return ok();
			}

			case 'password': {
				const pending = plan.pendingUser;
				const right = pending && !('fake' in pending) && pending.password !== undefined && pending.password === body['password'];
				if (!right) {
					plan.invalidTries += 1;
					// failed_attempts_before_cancel: 5
					if (plan.invalidTries > 5) return accessDenied(session, flow);
					return invalid('password', 'Invalid password');
				}

				if (!pending.is_active) return accessDenied(session, flow);
				return ok();
			}

			case 'consent': {
				if (!plan.consentToken || body['token'] !== plan.consentToken) return invalid('token', 'Invalid consent token, re-showing prompt');
				consents.add(`${session.user?.pk} ${plan.application?.pk}`);
				return ok();
			}

			case 'authenticator-validate': {
				return invalid('non_field_errors', 'No device selected.');
			}

			default: {
				// user-login and the fulfillment act on GET; a POST to them runs them the same way.
				return current(session, flow);
			}
		}
	};

	/** _flow_done: to the `next` the flow was started with, or to the root. */
	const done = (session: Session, flow: Flow): Reply => {
		const next = session.get?.get('next') ?? '/';
		session.plan = undefined;
		session.get = undefined;
		return redirectChallenge(flow, next);
	};

	/** OAuthFulfillmentStage: the code, then a redirect to the redirect URI with it. */
	const fulfil = (session: Session, flow: Flow): Reply => {
		const plan = session.plan!;
		const params = plan.params!;
		const provider = shared.providers.find((candidate) => candidate.client_id === params.clientId)!;
		const code = randomBytes(16).toString('hex');
		codes.set(code, {code, providerPk: provider.pk, userPk: session.user!.pk, params, expires: Date.now() + 60_000, authTime: session.authTime ?? Math.floor(Date.now() / 1000), sessionId: session.id});
		const target = new URL(params.redirectUri);
		target.searchParams.set('code', code);
		target.searchParams.set('state', params.state);
		session.plan = undefined;
		return redirectChallenge(flow, target.toString());
	};

	/** Django's CSRF check of a session-authenticated API call: the Origin, and the header echoing the cookie. */
	const csrfRefusal = (request: IdpRequest, session: Session): Reply | undefined => {
		const origin = request.headers.origin;
		if (origin !== undefined && origin !== shared.url()) return respond(403, {detail: `CSRF Failed: Origin checking failed - ${origin} does not match any trusted origins.`});
		if (request.headers['x-authentik-csrf'] !== session.csrf) return respond(403, {detail: 'CSRF Failed: CSRF token missing.'});
		return undefined;
	};

	// ------------------------------------------------------------ tokens

	const claimsFor = (user: FakeUser, scope: Set<string>): Record<string, unknown> => ({
		...(scope.has('email') ? {email: user.email, email_verified: true} : {}),
		...(scope.has('profile') ? {name: user.name, given_name: user.name, preferred_username: user.username, nickname: user.username, groups: groupsOf(user).map((group) => group.name)} : {}),
	});

	const subjectOf = (user: FakeUser, provider: Provider): string =>
		({user_id: String(user.pk), user_uuid: user.uuid, user_email: user.email, user_username: user.username})[provider.sub_mode] ?? uidOf(user);

	const sign = async (payload: Record<string, unknown>, provider: Provider): Promise<string> => {
		if (provider.signing_key) {
			return new SignJWT(payload).setProtectedHeader({alg: 'RS256', kid: keyId(provider.signing_key), typ: 'JWT'}).sign(signingKeyPair().privateKey);
		}

		return new SignJWT(payload).setProtectedHeader({alg: 'HS256', typ: 'JWT'}).sign(new TextEncoder().encode(provider.client_secret));
	};

	/** The authorization_code grant of a code this fake issued; undefined when the request is another grant. */
	const exchange = async (request: IdpRequest, provider: Provider): Promise<Reply | undefined> => {
		const form = request.body as Record<string, string>;
		const issued = codes.get(form['code'] ?? '');
		if (form['grant_type'] !== 'authorization_code' || !issued) return undefined;
		const invalidGrant = () =>
			respond(400, {error: 'invalid_grant', error_description: 'The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client'});
		if (issued.providerPk !== provider.pk || issued.expires < Date.now() || issued.params.redirectUri !== form['redirect_uri']) return invalidGrant();
		if (issued.params.codeChallenge) {
			const verifier = form['code_verifier'] ?? '';
			const computed = issued.params.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
			if (computed !== issued.params.codeChallenge) return invalidGrant();
		}

		codes.delete(issued.code);
		const user = users.find((candidate) => candidate.pk === issued.userPk);
		const application = shared.applications.find((candidate) => candidate.provider === provider.pk);
		if (!user || !application) return invalidGrant();
		const now = Math.floor(Date.now() / 1000);
		const accessToken = randomBytes(32).toString('hex');
		tokens.set(accessToken, {userPk: user.pk, providerPk: provider.pk, scope: issued.params.scope, expires: Date.now() + 300_000});
		const idToken = await sign(
			{
				iss: shared.issuerFor(application, provider),
				sub: subjectOf(user, provider),
				aud: provider.client_id,
				exp: now + 300,
				iat: now,
				auth_time: issued.authTime,
				acr: 'goauthentik.io/providers/oauth2/default',
				amr: ['pwd'],
				...(issued.params.nonce ? {nonce: issued.params.nonce} : {}),
				sid: createHash('sha256').update(issued.sessionId).digest('hex'),
				...(provider.include_claims_in_id_token ? claimsFor(user, issued.params.scope) : {}),
			},
			provider,
		);
		return respond(200, {
			access_token: accessToken,
			token_type: 'Bearer',
			scope: [...issued.params.scope].join(' '),
			expires_in: 300,
			id_token: idToken,
			...(issued.params.scope.has('offline_access') ? {refresh_token: randomBytes(32).toString('hex')} : {}),
		});
	};

	const userinfo = (request: IdpRequest): Reply => {
		const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
		const token = bearer ? tokens.get(bearer) : undefined;
		const user = users.find((candidate) => candidate.pk === token?.userPk);
		const provider = shared.providers.find((candidate) => candidate.pk === token?.providerPk);
		if (!token || token.expires < Date.now() || !user || !provider) return respond(401, {error: 'invalid_token', error_description: 'The access token is invalid or has expired'});
		return respond(200, {sub: subjectOf(user, provider), ...claimsFor(user, token.scope)});
	};

	const jwks = async (provider: Provider): Promise<Reply> => {
		if (!provider.signing_key) return respond(200, {keys: []});
		const jwk = await exportJWK(signingKeyPair().publicKey);
		return respond(200, {keys: [{...jwk, kid: keyId(provider.signing_key), alg: 'RS256', use: 'sig'}]});
	};

	/** The browser side: the default-flow redirect, the flow interface, the executor. */
	const browserRoute = (request: IdpRequest): Reply | Promise<Reply> | undefined => {
		const {method, path, query} = request;
		let match: RegExpMatchArray | null;
		if (method === 'GET' && path === '/flows/-/default/authentication/') {
			return redirect(`${shared.url()}/if/flow/${authenticationFlow}/?${query.toString()}`);
		}

		if (method === 'GET' && (match = /^\/if\/flow\/([^/]+)\/$/.exec(path))) {
			const {session, set} = sessionOf(request);
			const flow = shared.flows.find((candidate) => candidate.slug === match![1]);
			if (!flow) return respond(404, '<!DOCTYPE html><html><head><title>Not Found</title></head><body>Not Found</body></html>', 'text/html');
			// The interface renders a CSRF token (Django's get_token), which sets the cookie its fetches echo.
			return withCookies(respond(200, `<!DOCTYPE html><html><head><title>${flow.name}</title></head><body><ak-flow-executor flowSlug="${flow.slug}"></ak-flow-executor></body></html>`, 'text/html'), [
				...set,
				`${csrfCookie}=${session.csrf}; Path=/; SameSite=Lax`,
			]);
		}

		if ((method === 'GET' || method === 'POST') && (match = /^\/api\/v3\/flows\/executor\/([^/]+)\/$/.exec(path))) {
			const known = shared.contract.check(method, path, method === 'POST' ? request.body : undefined, {strictProperties: true});
			if (known.errors.length > 0) {
				shared.contractErrors.push(...known.errors);
				return respond(400, {non_field_errors: known.errors});
			}

			return executor(request, decodeURIComponent(match[1]!));
		}

		if ((method === 'GET' || method === 'POST') && path === '/application/o/userinfo/') return userinfo(request);
		if (method === 'GET' && (match = /^\/application\/o\/([^/]+)\/jwks\/$/.exec(path))) {
			const application = shared.applications.find((candidate) => candidate.slug === match![1]);
			const provider = shared.providers.find((candidate) => candidate.pk === application?.provider);
			return provider ? jwks(provider) : respond(404, {detail: 'Not found.'});
		}

		return undefined;
	};

	return {
		users,
		groups,
		policies,
		bindings,
		sessions,
		api,
		browserRoute,
		authorizeView,
		exchange,
		signedIn: (request: IdpRequest) => Boolean(sessions.get(cookiesOf(request)[sessionCookie] ?? '')?.user),
		/** Checks the client of a token request (basic or post) the way the token view does. */
		clientOf: (request: IdpRequest) => clientCredentials(request.headers, (request.body ?? {}) as Record<string, string>),
		addGroup(name: string, options: {superuser?: boolean} = {}): FakeGroup {
			const group: FakeGroup = {pk: randomUUID(), num_pk: nextGroupPk++, name, is_superuser: options.superuser ?? false};
			groups.push(group);
			return group;
		},
		/** Only members of the group may use the application (a group binding). */
		bindGroup(application: Application, group: FakeGroup, options: {negate?: boolean} = {}): FakeBinding {
			const binding: FakeBinding = {pk: randomUUID(), target: application.pk, order: bindings.length, enabled: true, negate: options.negate ?? false, group: group.pk, user: null, policy: null};
			bindings.push(binding);
			return binding;
		},
		/** A policy bound to the application (an expression policy, say): sso-setup cannot make a test user pass it. */
		bindPolicy(application: Application, name: string, passes: (user: FakeUser) => boolean): FakeBinding {
			const policy: FakePolicy = {pk: randomUUID(), name, passes};
			policies.push(policy);
			const binding: FakeBinding = {pk: randomUUID(), target: application.pk, order: bindings.length, enabled: true, negate: false, group: null, user: null, policy: policy.pk};
			bindings.push(binding);
			return binding;
		},
		addUser(user: {username: string; password?: string; name?: string; email?: string; groups?: FakeGroup[]}): FakeUser {
			const created: FakeUser = {
				pk: nextUserPk++,
				uuid: randomUUID(),
				username: user.username,
				name: user.name ?? user.username,
				email: user.email ?? `${user.username}@example.com`,
				is_active: true,
				path: 'users',
				type: 'internal',
				password: user.password,
				groups: new Set((user.groups ?? []).map((group) => group.pk)),
				date_joined: new Date().toISOString(),
			};
			users.push(created);
			return created;
		},
	};

	function pageOf(results: unknown[]) {
		return {...(shared.page(results).json as Record<string, unknown>), autocomplete: {}};
	}
}

export type SignInSide = ReturnType<typeof createSignInSide>;

function keyId(signingKeyPk: string): string {
	return createHash('md5').update(signingKeyPk).digest('hex');
}

function deniedPage(): string {
	return '<!DOCTYPE html><html><head><title>Permission denied - authentik</title></head><body><h1>Permission denied</h1><form class="pf-c-form"><p>Request has been denied.</p></form></body></html>';
}
