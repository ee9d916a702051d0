import {createHmac, randomBytes} from 'node:crypto';
import {startRecordingServer, type IncomingCall, type RecordedRequest, type Reply} from './recording-server.js';
import {loadContract} from './contract.js';

/**
 * A fake Portainer that behaves like the real one where sso-setup can trip
 * (Portainer's api/http/handler/settings): OAuthSettings replaced whole by PUT /api/settings
 * (an empty ClientSecret and a null KubeSecretKey keep the stored ones; fields this edition does
 * not know are dropped), secrets hidden on every read, password sign-in for user 1 only once OAuth
 * is on, the 10-per-second sign-in ban, and /api/settings/public with the unencoded OAuthLoginURI.
 * Its OAuth sign-in is Portainer's (api/http/handler/auth/authenticate_oauth.go, api/oauth/oauth.go):
 * POST /api/auth/oauth/validate {code} exchanges the code at AccessTokenURI itself (golang.org/x/oauth2,
 * AuthStyle 0 tries Basic then the form), reads ResourceURI with the access token, merges the
 * ID token's claims under it, takes the user name from UserIdentifier and creates the user when
 * OAuthAutoCreateUsers is on; Business Edition also makes it an administrator when a value of the
 * TeamMemberships.OAuthClaimName claim matches AdminGroupClaimsRegexList (AdminAutoPopulate).
 * Every failure of the exchange, the user info or the claim is the same 500 "Unable to authenticate
 * through OAuth", as in Portainer (the cause goes to its log: here `oauthSignIns`).
 */

export type FakePortainerUser = {Id: number; Username: string; Password: string; Role: 1 | 2};

/** One POST /api/auth/oauth/validate and how it ended; `cause` is what Portainer writes to its log. */
export type FakeOAuthSignIn = {status: number; message: string; cause?: string; username?: string; created?: boolean};

export type FakePortainerOptions = {
	/** "2.23.0" by default. */
	version?: string;
	edition?: 'CE' | 'BE';
	adminUsername?: string;
	adminPassword?: string;
	/** More users (ids from 2); Role 1 = administrator, 2 = standard. */
	users?: Array<{username: string; password: string; admin?: boolean}>;
	/** Raw API key → user id. */
	apiKeys?: Record<string, number>;
	/** Initial top-level settings and OAuthSettings fields. */
	settings?: Record<string, unknown>;
	oauth?: Record<string, unknown>;
	tls?: {key: string; cert: string};
	/** Sign-ins allowed per second per address before the one-hour ban (10, like Portainer). */
	signInsPerSecond?: number;
	/** Awaited before each POST /api/auth/oauth/validate is handled: a test holds a sign-in in the middle with it. */
	beforeOAuthValidate?: () => Promise<void>;
};

export type FakePortainer = {
	url: string;
	close(): Promise<void>;
	requests: RecordedRequest[];
	contractErrors: string[];
	failNext(method: string, path: string, status: number): void;
	/** The stored settings, ClientSecret and KubeSecretKey included. */
	settings: {AuthenticationMethod: number; OAuthSettings: Record<string, unknown>} & Record<string, unknown>;
	users: FakePortainerUser[];
	/** Addresses banned from /api/auth and /api/auth/oauth/validate. */
	banned: Set<string>;
	/** Every OAuth sign-in, in order. */
	oauthSignIns: FakeOAuthSignIn[];
	/** Every JWT an OAuth sign-in handed out (body and portainer_api_key cookie), for tests that look for them in what a client showed. */
	issuedTokens: string[];
};

const ceOAuthFields: Record<string, unknown> = {
	ClientID: '',
	ClientSecret: '',
	AccessTokenURI: '',
	AuthorizationURI: '',
	ResourceURI: '',
	RedirectURI: '',
	UserIdentifier: '',
	Scopes: '',
	OAuthAutoCreateUsers: false,
	DefaultTeamID: 0,
	SSO: false,
	LogoutURI: '',
	KubeSecretKey: null,
	AuthStyle: 0,
};
const beOAuthFields: Record<string, unknown> = {
	...ceOAuthFields,
	HideInternalAuth: false,
	OAuthAutoMapTeamMemberships: false,
	TeamMemberships: {OAuthClaimName: '', OAuthClaimMappings: [], AdminAutoPopulate: false, AdminGroupClaimsRegexList: []},
};

const topLevelDefaults: Record<string, unknown> = {
	LogoURL: '',
	BlackListedLabels: [],
	AuthenticationMethod: 1,
	InternalAuthSettings: {RequiredPasswordLength: 12},
	LDAPSettings: {AnonymousMode: true, ReaderDN: '', URL: '', StartTLS: false, AutoCreateUsers: true, TLSConfig: {TLS: false, TLSSkipVerify: false}},
	SnapshotInterval: '5m',
	TemplatesURL: '',
	EdgeAgentCheckinInterval: 5,
	EnableEdgeComputeFeatures: false,
	UserSessionTimeout: '8h',
	KubeconfigExpiry: '0',
	EnableTelemetry: true,
	HelmRepositoryURL: 'https://charts.bitnami.com/bitnami',
	KubectlShellImage: 'portainer/kubectl-shell:2.23.0',
	TrustOnFirstConnect: false,
	EnforceEdgeID: false,
};

const problem = (message: string, details: string) => ({message, details});
const clone = <T>(value: T): T => structuredClone(value);

export async function startFakePortainer(options: FakePortainerOptions = {}): Promise<FakePortainer> {
	const contract = loadContract('portainer');
	const contractErrors: string[] = [];
	const version = options.version ?? '2.23.0';
	const edition = options.edition ?? 'CE';
	const oauthFields = edition === 'BE' ? beOAuthFields : ceOAuthFields;
	const signingKey = randomBytes(32);
	const settings: FakePortainer['settings'] = {
		...clone(topLevelDefaults),
		AuthenticationMethod: 1,
		...options.settings,
		OAuthSettings: {...clone(oauthFields), KubeSecretKey: randomBytes(32).toString('base64'), ...options.oauth},
	};
	const users: FakePortainerUser[] = [
		{Id: 1, Username: options.adminUsername ?? 'admin', Password: options.adminPassword ?? 'portainer-admin-pw', Role: 1},
		...(options.users ?? []).map((user, index) => ({Id: index + 2, Username: user.username, Password: user.password, Role: user.admin ? (1 as const) : (2 as const)})),
	];
	const banned = new Set<string>();
	const signIns = new Map<string, number[]>();
	const limit = options.signInsPerSecond ?? 10;
	const oauthSignIns: FakeOAuthSignIn[] = [];
	const issuedTokens: string[] = [];
	// Bolt's NextSequence: ids are never reused.
	let nextUserId = users.length + 1;

	/** Go's JSON decoder matches field names case-insensitively. */
	const field = (body: Record<string, unknown>, name: string) => Object.entries(body).find(([key]) => key.toLowerCase() === name.toLowerCase());

	const hideFields = () => {
		const {ClientSecret: _secret, ...oauth} = settings.OAuthSettings;
		return {...clone(settings), OAuthSettings: {...oauth, KubeSecretKey: null}};
	};

	const jwtFor = (user: FakePortainerUser) => {
		const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
		const unsigned = `${encode({alg: 'HS256', typ: 'JWT'})}.${encode({id: user.Id, username: user.Username, role: user.Role, scope: 'default', exp: Math.floor(Date.now() / 1000) + 8 * 3600})}`;
		return `${unsigned}.${createHmac('sha256', signingKey).update(unsigned).digest('base64url')}`;
	};

	const caller = (call: IncomingCall): FakePortainerUser | undefined => {
		const apiKey = call.headers['x-api-key'];
		if (apiKey !== undefined) {
			const id = options.apiKeys?.[apiKey];
			return users.find((user) => user.Id === id);
		}

		const token = /^Bearer (.+)$/.exec(call.headers['authorization'] ?? '')?.[1];
		const [header, payload, signature] = token?.split('.') ?? [];
		if (!header || !payload || createHmac('sha256', signingKey).update(`${header}.${payload}`).digest('base64url') !== signature) return undefined;
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {id: number};
		return users.find((user) => user.Id === claims.id);
	};

	/** api/http/server.go NewRateLimiter(10, 1s, 1h), shared by /api/auth and /api/auth/oauth/validate. */
	const rateLimited = (call: IncomingCall): Reply | undefined => {
		const now = Date.now();
		const recent = (signIns.get(call.remoteAddress) ?? []).filter((time) => now - time < 1000);
		recent.push(now);
		signIns.set(call.remoteAddress, recent);
		if (recent.length > limit) banned.add(call.remoteAddress);
		return banned.has(call.remoteAddress) ? {status: 403, json: problem('Access denied', 'Too many requests')} : undefined;
	};

	const authenticate = (call: IncomingCall): Reply => {
		const limited = rateLimited(call);
		if (limited) return limited;

		const body = (call.body ?? {}) as Record<string, unknown>;
		const username = field(body, 'Username')?.[1];
		const password = field(body, 'Password')?.[1];
		if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
			return {status: 400, json: problem('Invalid request payload', 'Invalid username')};
		}

		const user = users.find((entry) => entry.Username === username);
		if (!user) return {status: 422, json: problem('Invalid credentials', 'Unauthorized')};
		if (settings.AuthenticationMethod === 3 && user.Id !== 1) {
			return {status: 422, json: problem('Only initial admin is allowed to login without oauth', 'Unauthorized')};
		}

		if (user.Password !== password) return {status: 422, json: problem('Invalid credentials', 'Unauthorized')};
		return {status: 200, json: {jwt: jwtFor(user)}};
	};

	const updateSettings = (call: IncomingCall): Reply => {
		const body = call.body as Record<string, unknown>;
		const method = field(body, 'AuthenticationMethod')?.[1];
		if (method !== undefined && (typeof method !== 'number' || method < 1 || method > 3)) {
			return {status: 400, json: problem('Invalid request payload', 'Invalid authentication method value. Value must be one of: 1 (internal), 2 (LDAP/AD) or 3 (OAuth)')};
		}

		const oauth = field(body, 'OAuthSettings')?.[1] as Record<string, unknown> | undefined;
		const style = oauth ? field(oauth, 'AuthStyle')?.[1] : undefined;
		if (style !== undefined && (typeof style !== 'number' || style < 0 || style > 2)) {
			return {status: 400, json: problem('Invalid request payload', 'Invalid OAuth AuthStyle')};
		}

		for (const name of Object.keys(topLevelDefaults)) {
			const given = field(body, name);
			if (given && name !== 'OAuthSettings') settings[name] = given[1];
		}

		if (oauth) {
			// Replaced whole: every field left out goes back to its zero value.
			const next: Record<string, unknown> = clone(oauthFields);
			for (const name of Object.keys(oauthFields)) {
				const given = field(oauth, name);
				if (given) next[name] = given[1];
			}

			if (next['ClientSecret'] === '' || next['ClientSecret'] === undefined) next['ClientSecret'] = settings.OAuthSettings['ClientSecret'];
			if (next['KubeSecretKey'] === null) next['KubeSecretKey'] = settings.OAuthSettings['KubeSecretKey'];
			settings.OAuthSettings = next;
		}

		return {status: 200, json: hideFields()};
	};

	const publicSettings = (): Reply => {
		const oauth = settings.OAuthSettings;
		const isOAuth = settings.AuthenticationMethod === 3;
		// settings_public.go: fmt.Sprintf without any URL encoding.
		const login = `${String(oauth['AuthorizationURI'])}?response_type=code&client_id=${String(oauth['ClientID'])}&redirect_uri=${String(oauth['RedirectURI'])}&scope=${String(oauth['Scopes'])}${oauth['SSO'] ? '' : '&prompt=login'}`;
		return {
			status: 200,
			json: {
				AuthenticationMethod: settings.AuthenticationMethod,
				LogoURL: settings['LogoURL'],
				RequiredPasswordLength: 12,
				EnableEdgeComputeFeatures: settings['EnableEdgeComputeFeatures'],
				EnableTelemetry: settings['EnableTelemetry'],
				KubeconfigExpiry: settings['KubeconfigExpiry'],
				Features: {},
				OAuthLoginURI: isOAuth ? login : '',
				OAuthLogoutURI: isOAuth ? oauth['LogoutURI'] : '',
			},
		};
	};

	const validateOAuth = async (call: IncomingCall): Promise<Reply> => {
		await options.beforeOAuthValidate?.();
		const limited = rateLimited(call);
		if (limited) return limited;
		const answer = (status: number, message: string, details: string, entry: Partial<FakeOAuthSignIn> = {}): Reply => {
			oauthSignIns.push({status, message, ...entry});
			return {status, json: problem(message, details)};
		};

		const body = call.body;
		const code = body !== null && typeof body === 'object' ? field(body as Record<string, unknown>, 'Code')?.[1] : undefined;
		if (typeof body !== 'object' || body === null) return answer(400, 'Invalid request payload', 'invalid character in JSON body');
		if (typeof code !== 'string' || code === '') return answer(400, 'Invalid request payload', 'Invalid OAuth authorization code');
		if (settings.AuthenticationMethod !== 3) return answer(403, 'OAuth authentication is not enabled', 'OAuth authentication is not enabled');

		const oauth = settings.OAuthSettings;
		const resolved = await oauthUsername(code, oauth);
		if ('cause' in resolved) return answer(500, 'Unable to authenticate through OAuth', 'Unauthorized', {cause: resolved.cause});

		const {username, datamap} = resolved;
		// UserByUsername compares with strings.EqualFold.
		let user = users.find((entry) => entry.Username.toLowerCase() === username.toLowerCase());
		const mapsTeams = edition === 'BE' && oauth['OAuthAutoMapTeamMemberships'] === true;
		if (!user && !mapsTeams && oauth['OAuthAutoCreateUsers'] !== true) {
			return edition === 'BE'
				? answer(403, 'Auto OAuth team membership failed: user not created beforehand in Portainer and automatic user provisioning not enabled', 'Unauthorized', {username})
				: answer(403, 'Account not created beforehand in Portainer and automatic user provisioning not enabled', 'Unauthorized', {username});
		}

		let admin = false;
		const memberships = (oauth['TeamMemberships'] ?? {}) as {OAuthClaimName?: string; AdminAutoPopulate?: boolean; AdminGroupClaimsRegexList?: string[]};
		if (edition === 'BE') {
			const teams = mapsTeams && memberships.OAuthClaimName ? claimValues(datamap[memberships.OAuthClaimName]) : [];
			try {
				admin = teams.some((team) => (memberships.AdminGroupClaimsRegexList ?? []).some((pattern) => new RegExp(pattern).test(team)));
			} catch (error) {
				return answer(500, 'Failed to validate OAuth auto admin claims', String(error), {username});
			}
		}

		const autoAdmin = edition === 'BE' && memberships.AdminAutoPopulate === true;
		const created = !user;
		if (user) {
			if (autoAdmin) user.Role = admin ? 1 : 2;
		} else {
			user = {Id: nextUserId++, Username: username, Password: '', Role: autoAdmin && admin ? 1 : 2};
			users.push(user);
		}

		const token = jwtFor(user);
		issuedTokens.push(token);
		oauthSignIns.push({status: 200, message: 'signed in', username: user.Username, created});
		return {
			status: 200,
			json: {jwt: token},
			// security.AddAuthCookie
			headers: {'set-cookie': `portainer_api_key=${token}; Path=/; Expires=${new Date(Date.now() + 8 * 3600 * 1000).toUTCString()}; HttpOnly; SameSite=Strict`},
		};
	};

	const listUsers = (user: FakePortainerUser): Reply => {
		// Only administrators and team leaders may list users (users/user_list.go); passwords never leave.
		if (user.Role !== 1) return {status: 403, json: problem('Permission denied to access users list', 'Access denied')};
		return {status: 200, json: users.map((entry) => ({Id: entry.Id, Username: entry.Username, Role: entry.Role}))};
	};

	const deleteUser = (user: FakePortainerUser, rawId: string): Reply => {
		if (user.Role !== 1) return {status: 403, json: problem('Access denied to resource', 'A valid authorisation token is missing')};
		const id = Number(rawId);
		if (!/^\d+$/.test(rawId)) return {status: 400, json: problem('Invalid user identifier route variable', 'Invalid route variable')};
		if (id === 1) return {status: 403, json: problem('Cannot remove the initial admin account', 'Cannot remove the initial admin account')};
		if (id === user.Id) return {status: 403, json: problem('Cannot remove your own user account. Contact another administrator', 'Cannot remove your own user account')};
		const index = users.findIndex((entry) => entry.Id === id);
		if (index < 0) return {status: 404, json: problem('Unable to find a user with the specified identifier inside the database', 'Object not found inside the database')};
		const target = users[index]!;
		if (target.Role === 1 && target.Password !== '' && users.filter((entry) => entry.Role === 1 && entry.Password !== '').length < 2) {
			return {status: 500, json: problem('Cannot remove local administrator user', 'Cannot remove the last local administrator user')};
		}

		users.splice(index, 1);
		return {status: 204};
	};

	const route = async (call: IncomingCall): Promise<Reply> => {
		const {method, pathname} = call;
		// The single-page app: index.html at /, where Portainer's redirect URL points.
		if (pathname === '/' && method === 'GET') return {status: 200, text: '<!DOCTYPE html><html><head><title>Portainer</title></head><body ng-app="portainer"></body></html>', headers: {'content-type': 'text/html; charset=utf-8'}};
		if (pathname === '/api/system/status' && method === 'GET') return {status: 200, json: {Version: version, InstanceID: 'fake-instance'}};
		if (pathname === '/api/auth' && method === 'POST') return authenticate(call);
		if (pathname === '/api/auth/oauth/validate' && method === 'POST') return validateOAuth(call);
		if (pathname === '/api/settings/public' && method === 'GET') return publicSettings();

		const user = caller(call);
		if (!user) return {status: 401, json: problem('Unauthorized', 'A valid authorisation token is missing')};
		if (pathname === '/api/system/version' && method === 'GET') {
			return {status: 200, json: {ServerVersion: version, ServerEdition: edition, DatabaseVersion: version, Build: {BuildNumber: '1', GoVersion: 'go1.22'}}};
		}

		if (user.Role !== 1) return {status: 403, json: problem('Access denied to resource', 'A valid authorisation token is missing')};
		if (pathname === '/api/settings' && method === 'GET') return {status: 200, json: hideFields()};
		if (pathname === '/api/settings' && method === 'PUT') return updateSettings(call);
		if (pathname === '/api/users' && method === 'GET') return listUsers(user);
		const userPath = /^\/api\/users\/([^/]+)$/.exec(pathname);
		if (userPath && method === 'DELETE') return deleteUser(user, userPath[1] ?? '');
		return {status: 404, json: problem('Not found', `${method} ${pathname}`)};
	};

	/** Endpoints the reference documents but the stored contract (an older swagger) lacks; / is the web page, not the API. */
	const outsideContract = new Set(['/', '/api/system/status', '/api/system/version']);

	const server = await startRecordingServer({
		...(options.tls ? {tls: options.tls} : {}),
		failureBody: (status) => problem(status >= 500 ? 'Unable to process the request' : 'Injected failure', 'injected by the test'),
		handle(call) {
			if (!outsideContract.has(call.pathname)) {
				const check = contract.check(call.method, call.pathname, call.body);
				if (check.errors.length > 0) {
					contractErrors.push(...check.errors);
					return {status: check.known ? 400 : 404, json: problem('Invalid request payload', check.errors.join('; '))};
				}
			}

			return route(call);
		},
	});

	return {url: server.url, close: server.close, requests: server.requests, contractErrors, failNext: server.failNext, settings, users, banned, oauthSignIns, issuedTokens};
}

/** api/oauth: the code exchanged, the user info read and merged over the ID token's claims, the user name taken. */
async function oauthUsername(code: string, oauth: Record<string, unknown>): Promise<{username: string; datamap: Record<string, unknown>} | {cause: string}> {
	const text = (name: string) => (typeof oauth[name] === 'string' ? (oauth[name] as string) : '');
	let unescaped: string;
	try {
		// url.QueryUnescape
		unescaped = decodeURIComponent(code.replaceAll('+', ' '));
	} catch {
		return {cause: 'invalid URL escape in the code'};
	}

	const token = await exchange(unescaped, {
		tokenUrl: text('AccessTokenURI'),
		clientId: text('ClientID'),
		clientSecret: text('ClientSecret'),
		redirectUri: text('RedirectURI'),
		authStyle: typeof oauth['AuthStyle'] === 'number' ? (oauth['AuthStyle'] as number) : 0,
	});
	if ('cause' in token) return token;

	const idToken = typeof token.body['id_token'] === 'string' ? unverifiedClaims(token.body['id_token']) : {};
	const resource = await userInfo(text('ResourceURI'), token.accessToken);
	if ('cause' in resource) return resource;

	const datamap = {...idToken, ...resource.datamap};
	const value = datamap[text('UserIdentifier')];
	if (typeof value === 'string' && value !== '') return {username: value, datamap};
	if (typeof value === 'number' && value !== 0) return {username: String(Math.trunc(value)), datamap};
	return {cause: 'failed to extract username from oauth resource'};
}

/** golang.org/x/oauth2 Exchange: AuthStyle 1 in the form, 2 Basic, 0 Basic first and then the form. */
async function exchange(code: string, facts: {tokenUrl: string; clientId: string; clientSecret: string; redirectUri: string; authStyle: number}): Promise<{accessToken: string; body: Record<string, unknown>} | {cause: string}> {
	const attempt = async (style: 'header' | 'params') => {
		const form = new URLSearchParams({grant_type: 'authorization_code', code, ...(facts.redirectUri ? {redirect_uri: facts.redirectUri} : {})});
		const headers: Record<string, string> = {'content-type': 'application/x-www-form-urlencoded'};
		if (style === 'header') {
			headers['authorization'] = `Basic ${Buffer.from(`${goQueryEscape(facts.clientId)}:${goQueryEscape(facts.clientSecret)}`).toString('base64')}`;
		} else {
			form.set('client_id', facts.clientId);
			if (facts.clientSecret) form.set('client_secret', facts.clientSecret);
		}

		try {
			const response = await fetch(facts.tokenUrl, {method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000)});
			const raw = await response.text();
			if (response.status < 200 || response.status > 299) return {cause: `oauth2: cannot fetch token: ${response.status} Response: ${raw.slice(0, 200)}`};
			const type = response.headers.get('content-type') ?? '';
			const body: Record<string, unknown> =
				type.includes('application/x-www-form-urlencoded') || type.includes('text/plain') ? Object.fromEntries(new URLSearchParams(raw)) : (JSON.parse(raw) as Record<string, unknown>);
			const accessToken = body['access_token'];
			if (typeof accessToken !== 'string' || accessToken === '') return {cause: 'oauth2: server response missing access_token'};
			return {accessToken, body};
		} catch (error) {
			return {cause: `oauth2: ${String(error)}`};
		}
	};

	if (facts.authStyle === 1) return attempt('params');
	if (facts.authStyle === 2) return attempt('header');
	const first = await attempt('header');
	return 'cause' in first ? attempt('params') : first;
}

/** getResource: GET with the Bearer token, 200 only, JSON or (form, text/plain) a query string. */
async function userInfo(url: string, accessToken: string): Promise<{datamap: Record<string, unknown>} | {cause: string}> {
	try {
		const response = await fetch(url, {headers: {authorization: `Bearer ${accessToken}`}, signal: AbortSignal.timeout(10_000)});
		const raw = await response.text();
		if (response.status !== 200) return {cause: `oauth2: cannot fetch resource: ${response.status}`};
		const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
		if (type === '') return {cause: 'mime: no media type'};
		if (type === 'application/x-www-form-urlencoded' || type === 'text/plain') return {datamap: Object.fromEntries(new URLSearchParams(raw))};
		const parsed = JSON.parse(raw) as unknown;
		return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? {datamap: parsed as Record<string, unknown>} : {cause: 'json: cannot unmarshal into map'};
	} catch (error) {
		return {cause: String(error)};
	}
}

/** jwt.Parser.ParseUnverified: the payload's claims, nothing checked; {} when it cannot be read. */
function unverifiedClaims(jwt: string): Record<string, unknown> {
	try {
		const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
		return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
	} catch {
		return {};
	}
}

/** Business Edition's getNestedClaimValues: strings, numbers, and those inside arrays and objects. */
function claimValues(value: unknown): string[] {
	if (typeof value === 'string') return [value];
	if (typeof value === 'number') return [String(value)];
	if (Array.isArray(value)) return value.flatMap(claimValues);
	if (value !== null && typeof value === 'object') return Object.values(value).flatMap(claimValues);
	return [];
}

/** Go's url.QueryEscape: everything but letters, digits and -_.~ escaped, spaces as "+". */
function goQueryEscape(value: string): string {
	return encodeURIComponent(value)
		.replaceAll(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
		.replaceAll('%20', '+');
}
