import {createHmac, randomBytes} from 'node:crypto';
import {startRecordingServer, type IncomingCall, type RecordedRequest, type Reply} from './recording-server.js';
import {loadContract} from './contract.js';

/**
 * A fake Portainer that behaves like the real one where sso-setup can trip
 * (Portainer's api/http/handler/settings): OAuthSettings replaced whole by PUT /api/settings
 * (an empty ClientSecret and a null KubeSecretKey keep the stored ones; fields this edition does
 * not know are dropped), secrets hidden on every read, password sign-in for user 1 only once OAuth
 * is on, the 10-per-second sign-in ban, and /api/settings/public with the unencoded OAuthLoginURI.
 */

export type FakePortainerUser = {Id: number; Username: string; Password: string; Role: 1 | 2};

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
	/** Addresses banned from /api/auth. */
	banned: Set<string>;
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

	const authenticate = (call: IncomingCall): Reply => {
		const now = Date.now();
		const recent = (signIns.get(call.remoteAddress) ?? []).filter((time) => now - time < 1000);
		recent.push(now);
		signIns.set(call.remoteAddress, recent);
		if (recent.length > limit) banned.add(call.remoteAddress);
		if (banned.has(call.remoteAddress)) return {status: 403, json: problem('Access denied', 'Too many requests')};

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

	const route = (call: IncomingCall): Reply => {
		const {method, pathname} = call;
		if (pathname === '/api/system/status' && method === 'GET') return {status: 200, json: {Version: version, InstanceID: 'fake-instance'}};
		if (pathname === '/api/auth' && method === 'POST') return authenticate(call);
		if (pathname === '/api/settings/public' && method === 'GET') return publicSettings();

		const user = caller(call);
		if (!user) return {status: 401, json: problem('Unauthorized', 'A valid authorisation token is missing')};
		if (pathname === '/api/system/version' && method === 'GET') {
			return {status: 200, json: {ServerVersion: version, ServerEdition: edition, DatabaseVersion: version, Build: {BuildNumber: '1', GoVersion: 'go1.22'}}};
		}

		if (user.Role !== 1) return {status: 403, json: problem('Access denied to resource', 'A valid authorisation token is missing')};
		if (pathname === '/api/settings' && method === 'GET') return {status: 200, json: hideFields()};
		if (pathname === '/api/settings' && method === 'PUT') return updateSettings(call);
		return {status: 404, json: problem('Not found', `${method} ${pathname}`)};
	};

	/** Endpoints the reference documents but the stored contract (an older swagger) lacks. */
	const outsideContract = new Set(['/api/system/status', '/api/system/version']);

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

	return {url: server.url, close: server.close, requests: server.requests, contractErrors, failNext: server.failNext, settings, users, banned};
}
