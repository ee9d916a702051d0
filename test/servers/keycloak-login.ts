import {createHash, generateKeyPairSync, randomBytes, randomUUID, type KeyObject} from 'node:crypto';
import {exportJWK, SignJWT} from 'jose';
import {redirect, respond, type IdpRequest, type Reply} from './recording-server.js';

/**
 * The fake Keycloak's users, groups and browser sign-in, as Keycloak 26.7 does them (checked against
 * the real one in test/real/sign-in-keycloak.test.ts, which runs the same scenarios on both):
 * the admin REST calls for users and groups, the login form (keycloak.v2 theme markup, its action
 * with &amp; entities, the AUTH_SESSION_ID cookie on the realm's path), its messages ("Invalid
 * username or password.", "Account is disabled, contact your administrator."), required actions as
 * a redirect to login-actions/required-action, and the code → tokens exchange with PKCE, an RS256
 * ID token (the profile, email and basic scopes' claims, the groups mapper's claim) and userinfo.
 */

export type FakeKeycloakUser = {
	id: string;
	realm: string;
	username: string;
	email?: string;
	emailVerified: boolean;
	firstName?: string;
	lastName?: string;
	enabled: boolean;
	password?: string;
	requiredActions: string[];
	groups: string[];
};

export type FakeKeycloakGroup = {id: string; realm: string; name: string; parentId?: string};

type AuthSession = {id: string; realm: string; clientId: string; redirectUri: string; state?: string; nonce?: string; codeChallenge?: string; codeChallengeMethod?: string; scope: string; userId?: string};
type Grant = {realm: string; clientId: string; redirectUri: string; userId: string; codeChallenge?: string; codeChallengeMethod?: string; nonce?: string; sessionId: string};

/** What the login needs to know of a client (the fake's client store). */
export type LoginClient = {clientId: string; rep: Record<string, any>; mappers: Array<{protocolMapper: string; config: Record<string, string>}>};

const userFields = new Set(['id', 'username', 'email', 'emailVerified', 'firstName', 'lastName', 'enabled', 'credentials', 'requiredActions', 'groups', 'attributes', 'createdTimestamp', 'totp', 'notBefore', 'access', 'disableableCredentialTypes', 'federationLink', 'serviceAccountClientId']);

export function keycloakLogin(options: {issuerOf(realm: string): string; baseUrl(): string}) {
	const users: FakeKeycloakUser[] = [];
	const groups: FakeKeycloakGroup[] = [];
	const sessions = new Map<string, AuthSession>();
	const grants = new Map<string, Grant>();
	const accessTokens = new Map<string, {realm: string; claims: Record<string, unknown>}>();
	let keys: {privateKey: KeyObject; jwk: Record<string, unknown>} | undefined;

	const signingKey = async () => {
		if (!keys) {
			const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
			keys = {privateKey, jwk: {...(await exportJWK(publicKey)), kid: 'fake-rs256', alg: 'RS256', use: 'sig'}};
		}

		return keys;
	};

	const userView = (user: FakeKeycloakUser) => ({
		id: user.id,
		username: user.username,
		...(user.firstName === undefined ? {} : {firstName: user.firstName}),
		...(user.lastName === undefined ? {} : {lastName: user.lastName}),
		...(user.email === undefined ? {} : {email: user.email}),
		emailVerified: user.emailVerified,
		enabled: user.enabled,
		createdTimestamp: 1_796_000_000_000,
		totp: false,
		requiredActions: [...user.requiredActions],
		notBefore: 0,
	});

	const pathOf = (group: FakeKeycloakGroup): string => {
		const parent = group.parentId ? groups.find((candidate) => candidate.id === group.parentId) : undefined;
		return `${parent ? pathOf(parent) : ''}/${group.name}`;
	};

	/** GET /groups?search: the top-level groups whose branch has a match, with only the matching branches under them. */
	const groupTree = (realm: string, parentId: string | undefined, matches: (group: FakeKeycloakGroup) => boolean): unknown[] =>
		groups
			.filter((group) => group.realm === realm && group.parentId === parentId)
			.map((group) => ({group, children: groupTree(realm, group.id, matches)}))
			.filter(({group, children}) => matches(group) || children.length > 0)
			.map(({group, children}) => ({id: group.id, name: group.name, path: pathOf(group), subGroupCount: groups.filter((child) => child.parentId === group.id).length, subGroups: children}));

	const groupView = (group: FakeKeycloakGroup) => ({id: group.id, name: group.name, path: pathOf(group), ...(group.parentId ? {parentId: group.parentId} : {}), subGroupCount: 0, subGroups: [], attributes: {}, realmRoles: [], clientRoles: {}});

	/** The admin REST calls under /admin/realms/{realm} for users and groups; undefined for any other path. */
	const admin = (request: IdpRequest, realm: string, rest: string, created: (location: string) => Reply, contractErrors: string[]): Reply | undefined => {
		const {method, query, body} = request;
		const location = (path: string) => `${options.baseUrl()}/admin/realms/${realm}${path}`;
		if (rest === '/users' && method === 'POST') {
			const rep = (body ?? {}) as Record<string, any>;
			const unknown = Object.keys(rep).filter((key) => !userFields.has(key));
			if (unknown.length > 0 || typeof rep['username'] !== 'string') {
				const problems = unknown.length > 0 ? unknown.map((key) => `Unrecognized field "${key}" (class org.keycloak.representations.idm.UserRepresentation)`) : ['username is required'];
				contractErrors.push(...problems);
				return respond(400, {error: 'unknown_error', errorMessage: problems.join('; ')});
			}

			const username = rep['username'].toLowerCase();
			const email = typeof rep['email'] === 'string' ? rep['email'].toLowerCase() : undefined;
			if (users.some((user) => user.realm === realm && user.username === username)) return respond(409, {errorMessage: 'User exists with same username'});
			if (email && users.some((user) => user.realm === realm && user.email === email)) return respond(409, {errorMessage: 'User exists with same email'});
			const password = (rep['credentials'] as Array<{type?: string; value?: string; temporary?: boolean}> | undefined)?.find((credential) => credential.type === 'password');
			const user: FakeKeycloakUser = {
				id: randomUUID(),
				realm,
				username,
				...(email === undefined ? {} : {email}),
				emailVerified: rep['emailVerified'] === true,
				...(typeof rep['firstName'] === 'string' ? {firstName: rep['firstName']} : {}),
				...(typeof rep['lastName'] === 'string' ? {lastName: rep['lastName']} : {}),
				enabled: rep['enabled'] === true,
				...(password?.value === undefined ? {} : {password: password.value}),
				requiredActions: [...((rep['requiredActions'] as string[] | undefined) ?? []), ...(password?.temporary ? ['UPDATE_PASSWORD'] : [])],
				groups: [],
			};
			users.push(user);
			return created(location(`/users/${user.id}`));
		}

		if (rest === '/users' && method === 'GET') {
			const username = query.get('username');
			const search = query.get('search');
			const exact = query.get('exact') === 'true';
			const found = users
				.filter((user) => user.realm === realm)
				.filter((user) => (username === null ? true : exact ? user.username === username.toLowerCase() : user.username.includes(username.toLowerCase())))
				.filter((user) => (search === null ? true : [user.username, user.email ?? '', user.firstName ?? '', user.lastName ?? ''].some((field) => field.toLowerCase().includes(search.toLowerCase()))));
			return respond(200, found.slice(0, Number(query.get('max') ?? 100)).map(userView));
		}

		const userMatch = /^\/users\/([^/]+)(\/groups\/([^/]+))?$/.exec(rest);
		if (userMatch) {
			const user = users.find((candidate) => candidate.realm === realm && candidate.id === userMatch[1]);
			if (!user) return respond(404, {error: 'User not found'});
			if (userMatch[3] !== undefined && method === 'PUT') {
				const group = groups.find((candidate) => candidate.realm === realm && candidate.id === userMatch[3]);
				if (!group) return respond(404, {error: 'Could not find group by id'});
				if (!user.groups.includes(group.id)) user.groups.push(group.id);
				return respond(204, '');
			}

			if (userMatch[3] === undefined && method === 'GET') return respond(200, userView(user));
			if (userMatch[3] === undefined && method === 'DELETE') {
				users.splice(users.indexOf(user), 1);
				return respond(204, '');
			}

			if (userMatch[3] === undefined && method === 'PUT') {
				// Keycloak updates the fields the representation carries.
				const rep = (body ?? {}) as Record<string, any>;
				if (typeof rep['enabled'] === 'boolean') user.enabled = rep['enabled'];
				if (Array.isArray(rep['requiredActions'])) user.requiredActions = rep['requiredActions'] as string[];
				for (const field of ['firstName', 'lastName'] as const) if (typeof rep[field] === 'string') user[field] = rep[field];
				return respond(204, '');
			}
		}

		const groupChildren = /^\/groups(?:\/([^/]+)\/children)?$/.exec(rest);
		if (groupChildren && method === 'POST') {
			const rep = (body ?? {}) as {name?: unknown};
			if (typeof rep.name !== 'string' || rep.name === '') return respond(400, {errorMessage: 'Group name is missing'});
			const parentId = groupChildren[1];
			if (parentId && !groups.some((group) => group.id === parentId)) return respond(404, {error: 'Could not find group by id'});
			if (groups.some((group) => group.realm === realm && group.parentId === parentId && group.name === rep.name)) return respond(409, {errorMessage: `Top level group named '${rep.name}' already exists.`});
			const group: FakeKeycloakGroup = {id: randomUUID(), realm, name: rep.name, ...(parentId ? {parentId} : {})};
			groups.push(group);
			return parentId ? respond(201, groupView(group)) : created(location(`/groups/${group.id}`));
		}

		if (rest === '/groups' && method === 'GET') {
			const search = query.get('search') ?? '';
			const exact = query.get('exact') === 'true';
			return respond(200, groupTree(realm, undefined, (group) => (search === '' ? true : exact ? group.name === search : group.name.toLowerCase().includes(search.toLowerCase()))));
		}

		if (rest.startsWith('/group-by-path/') && method === 'GET') {
			const wanted = `/${rest.slice('/group-by-path/'.length).split('/').map(decodeURIComponent).join('/')}`;
			const group = groups.find((candidate) => candidate.realm === realm && pathOf(candidate) === wanted);
			return group ? respond(200, groupView(group)) : respond(404, {error: 'Group path does not exist'});
		}

		return undefined;
	};

	const cookieOf = (request: IdpRequest) => /(?:^|;\s*)AUTH_SESSION_ID=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];

	const loginPage = (realm: string, session: AuthSession, error?: string, status = 200): Reply => {
		const action = `${options.issuerOf(realm)}/login-actions/authenticate?session_code=${randomBytes(16).toString('base64url')}&execution=${randomUUID()}&client_id=${encodeURIComponent(session.clientId)}&tab_id=${session.id.slice(0, 11)}`;
		const feedback = error ? `<div class="pf-v5-c-helper-text__item pf-m-error" id="input-error-username"><span class="pf-v5-c-helper-text__item-text pf-m-error kc-feedback-text">${error}</span></div>` : '';
		return respond(
			status,
			`<!DOCTYPE html><html><head><title>Sign in to ${realm}</title></head><body><h1 class="pf-v5-c-title pf-m-3xl" id="kc-page-title">Sign in to your account</h1>
<div id="kc-form"><div id="kc-form-wrapper"><form id="kc-form-login" class="pf-v5-c-form pf-v5-u-w-100" onsubmit="login.disabled = true; return true;" action="${action.replaceAll('&', '&amp;')}" method="post" novalidate="novalidate">
<input id="username" name="username" value="" type="text" autocomplete="username" autofocus/>${feedback}
<input id="password" name="password" value="" type="password" autocomplete="current-password"/>
<input type="hidden" id="id-hidden-input" name="credentialId" />
<button class="pf-v5-c-button pf-m-primary pf-m-block" name="login" id="kc-login" type="submit">Sign In</button>
</form></div></div></body></html>`,
			'text/html;charset=utf-8',
		);
	};

	/** GET …/auth once the client and redirect URI are accepted: a new authentication session and its login form. */
	const startLogin = (request: IdpRequest, realm: string, client: LoginClient, redirectUri: string): Reply => {
		const {query} = request;
		const session: AuthSession = {
			id: randomBytes(18).toString('base64url'),
			realm,
			clientId: client.clientId,
			redirectUri,
			scope: query.get('scope') ?? 'openid',
			...(query.get('state') ? {state: query.get('state')!} : {}),
			...(query.get('nonce') ? {nonce: query.get('nonce')!} : {}),
			...(query.get('code_challenge') ? {codeChallenge: query.get('code_challenge')!, codeChallengeMethod: query.get('code_challenge_method') ?? 'plain'} : {}),
		};
		sessions.set(session.id, session);
		const reply = loginPage(realm, session);
		reply.headers = {...reply.headers, 'set-cookie': `AUTH_SESSION_ID=${session.id};Version=1;Path=/realms/${realm}/;Secure;HttpOnly;SameSite=None`};
		return reply;
	};

	const errorPage = (realm: string, message: string, status: number): Reply =>
		respond(status, `<!DOCTYPE html><html><head><title>Sign in to ${realm}</title></head><body><h1 id="kc-page-title">We are sorry...</h1><div id="kc-error-message"><p class="instruction">${message}</p></div></body></html>`, 'text/html;charset=utf-8');

	/** POST login-actions/authenticate and GET login-actions/required-action. */
	const loginActions = (request: IdpRequest, realm: string, rest: string): Reply | undefined => {
		if (rest === '/login-actions/required-action' && request.method === 'GET') {
			const titles: Record<string, string> = {UPDATE_PASSWORD: 'Update password', VERIFY_PROFILE: 'Update Account Information', VERIFY_EMAIL: 'Email verification', CONFIGURE_TOTP: 'Mobile Authenticator Setup'};
			return respond(200, `<!DOCTYPE html><html><head><title>${titles[request.query.get('execution') ?? ''] ?? 'Required action'}</title></head><body><h1 id="kc-page-title">${titles[request.query.get('execution') ?? ''] ?? 'Required action'}</h1></body></html>`, 'text/html;charset=utf-8');
		}

		if (rest !== '/login-actions/authenticate' || request.method !== 'POST') return undefined;
		const session = sessions.get(cookieOf(request) ?? '');
		if (!session || session.realm !== realm) return errorPage(realm, 'Cookie not found. Please make sure cookies are enabled in your browser.', 400);
		const form = (request.body ?? {}) as Record<string, string>;
		const login = (form['username'] ?? '').toLowerCase();
		const user = users.find((candidate) => candidate.realm === realm && (candidate.username === login || candidate.email === login));
		if (!user || user.password === undefined || user.password !== form['password']) return loginPage(realm, session, 'Invalid username or password.');
		if (!user.enabled) return loginPage(realm, session, 'Account is disabled, contact your administrator.');
		// Keycloak 26's default user profile wants an email and both names.
		const pending = [...user.requiredActions, ...(!user.email || !user.firstName || !user.lastName ? ['VERIFY_PROFILE'] : [])];
		if (pending.length > 0) {
			return redirect(`${options.issuerOf(realm)}/login-actions/required-action?execution=${pending[0]}&client_id=${encodeURIComponent(session.clientId)}&tab_id=${session.id.slice(0, 11)}`);
		}

		sessions.delete(session.id);
		const code = `${randomUUID()}.${session.id}.${randomUUID()}`;
		grants.set(code, {
			realm,
			clientId: session.clientId,
			redirectUri: session.redirectUri,
			userId: user.id,
			sessionId: session.id,
			...(session.codeChallenge ? {codeChallenge: session.codeChallenge, codeChallengeMethod: session.codeChallengeMethod ?? 'plain'} : {}),
			...(session.nonce ? {nonce: session.nonce} : {}),
		});
		const target = new URL(session.redirectUri);
		if (session.state) target.searchParams.set('state', session.state);
		target.searchParams.set('session_state', session.id);
		target.searchParams.set('iss', options.issuerOf(realm));
		target.searchParams.set('code', code);
		return {status: 302, headers: {location: target.toString(), 'set-cookie': `AUTH_SESSION_ID=;Version=1;Path=/realms/${realm}/;Max-Age=0`}};
	};

	/** The claims Keycloak's default client scopes give (profile, email, basic) and the client's group membership mappers. */
	const claimsOf = (user: FakeKeycloakUser, client: LoginClient): Record<string, unknown> => {
		const claims: Record<string, unknown> = {sub: user.id, email_verified: user.emailVerified, preferred_username: user.username};
		if (user.firstName || user.lastName) claims['name'] = [user.firstName, user.lastName].filter(Boolean).join(' ');
		if (user.firstName) claims['given_name'] = user.firstName;
		if (user.lastName) claims['family_name'] = user.lastName;
		if (user.email) claims['email'] = user.email;
		for (const mapper of client.mappers.filter((candidate) => candidate.protocolMapper === 'oidc-group-membership-mapper')) {
			const names = user.groups.map((id) => groups.find((group) => group.id === id)).filter((group): group is FakeKeycloakGroup => group !== undefined);
			claims[mapper.config['claim.name'] ?? 'groups'] = names.map((group) => (mapper.config['full.path'] === 'false' ? group.name : pathOf(group)));
		}

		return claims;
	};

	/** grant_type=authorization_code once the client is authenticated: the code, its redirect URI and PKCE, then the tokens. */
	const exchange = async (realm: string, client: LoginClient, form: Record<string, string>): Promise<Reply> => {
		const grant = grants.get(form['code'] ?? '');
		if (!grant || grant.realm !== realm) return respond(400, {error: 'invalid_grant', error_description: 'Code not valid'});
		grants.delete(form['code']!);
		if (grant.clientId !== client.clientId) return respond(400, {error: 'invalid_grant', error_description: 'Auth error'});
		if (form['redirect_uri'] !== grant.redirectUri) return respond(400, {error: 'invalid_grant', error_description: 'Incorrect redirect_uri'});
		if (grant.codeChallenge) {
			const verifier = form['code_verifier'];
			if (!verifier) return respond(400, {error: 'invalid_grant', error_description: 'PKCE code verifier not specified'});
			const computed = grant.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
			if (computed !== grant.codeChallenge) return respond(400, {error: 'invalid_grant', error_description: 'PKCE verification failed: Code mismatch'});
		}

		const user = users.find((candidate) => candidate.id === grant.userId);
		if (!user) return respond(400, {error: 'invalid_grant', error_description: 'User not found'});
		const claims = claimsOf(user, client);
		const {privateKey} = await signingKey();
		const issuer = options.issuerOf(realm);
		const idToken = await new SignJWT({...claims, typ: 'ID', azp: client.clientId, sid: grant.sessionId, ...(grant.nonce ? {nonce: grant.nonce} : {})})
			.setProtectedHeader({alg: 'RS256', kid: 'fake-rs256', typ: 'JWT'})
			.setIssuer(issuer)
			.setAudience(client.clientId)
			.setIssuedAt()
			.setExpirationTime('5m')
			.setJti(randomUUID())
			.sign(privateKey);
		const accessToken = randomBytes(32).toString('base64url');
		accessTokens.set(accessToken, {realm, claims});
		return respond(200, {access_token: accessToken, expires_in: 300, refresh_expires_in: 1800, refresh_token: randomBytes(32).toString('base64url'), token_type: 'Bearer', id_token: idToken, 'not-before-policy': 0, session_state: grant.sessionId, scope: 'openid profile email'});
	};

	const certs = async (): Promise<Reply> => respond(200, {keys: [(await signingKey()).jwk]});

	const userinfo = (request: IdpRequest, realm: string): Reply => {
		const token = accessTokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
		if (!token || token.realm !== realm) return {status: 401, headers: {'www-authenticate': 'Bearer realm="' + realm + '", error="invalid_token", error_description="Token verification failed"'}, json: {error: 'invalid_token', error_description: 'Token verification failed'}};
		return respond(200, token.claims);
	};

	return {users, groups, admin, startLogin, errorPage, loginActions, exchange, certs, userinfo};
}
