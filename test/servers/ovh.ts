import {createHash, randomUUID} from 'node:crypto';
import {z} from 'zod';
import {startRecordingServer, type IncomingCall, type RecordedRequest, type Reply} from './recording-server.js';

/**
 * A fake OVHcloud API (v1, base path /1.0) for Managed Private Registry OIDC
 * (OVHcloud API v1): signed requests checked like the real API, 400 on a
 * body where none is expected, the upsert POST …/openIdConnect with its refusal while local users
 * exist ("N users exist, set parameter deleteUsers to delete them"), and a status that goes
 * INSTALLING → READY (or ERROR) over a few reads.
 */

export type FakeOvhRegistry = {id: string; name: string; url?: string; region?: string; status?: string; version?: string};
export type FakeOvhUser = {id: string; user: string; email: string; admin?: boolean};
export type FakeOvhOidc = {
	id: string;
	name: string;
	endpoint: string;
	clientId: string;
	scope: string;
	groupsClaim: string;
	adminGroup: string;
	userClaim: string;
	verifyCert: boolean;
	autoOnboard: boolean;
	status: string;
	createdAt: string;
	updatedAt: string;
};

export type FakeOvhOptions = {
	applicationKey?: string;
	applicationSecret?: string;
	consumerKey?: string;
	/** Public Cloud projects and their registries; the first registry of the first project holds `oidc` and `users`. */
	projects?: Record<string, FakeOvhRegistry[]>;
	/** Local users of the main registry (user names). */
	users?: string[];
	/** An existing OIDC configuration of the main registry. */
	oidc?: Partial<FakeOvhOidc> & {clientSecret?: string};
	/** Reads of GET …/openIdConnect that still show INSTALLING/UPDATING after a POST (2 by default). */
	pollsUntilDone?: number;
	/** Where the status ends after a POST: READY by default. */
	finalStatus?: 'READY' | 'ERROR';
	/** The API clock runs this many seconds ahead of the local one. */
	clockOffsetSeconds?: number;
	tls?: {key: string; cert: string};
	/**
	 * The registry itself (a fake Harbor): the users who signed in through OIDC show in GET …/users
	 * after their first sign-in, and DELETE …/users/{userID} removes them there.
	 */
	registry?: {users(): FakeOvhUser[]; deleteUser(id: string): boolean};
};

export type FakeOvh = {
	url: string;
	/** The base URL for ovh_endpoint: `${url}/1.0`. */
	endpoint: string;
	close(): Promise<void>;
	requests: RecordedRequest[];
	/** Requests whose body does not fit the OVH schema (OIDCPost). */
	contractErrors: string[];
	failNext(method: string, path: string, status: number): void;
	serviceName: string;
	registryId: string;
	/** The main registry's OIDC configuration (null when none) and client secret (never returned). */
	state: {oidc: FakeOvhOidc | null; clientSecret: string | null; users: FakeOvhUser[]; deletedUsers: string[]; pollsLeft: number; finalStatus: 'READY' | 'ERROR'};
};

const basePath = '/1.0';
const apiError = (errorCode: string, httpCode: string, message: string) => ({errorCode, httpCode, message});
const clientError = (kind: string, message: string) => ({class: `Client::${kind}`, message});

const oidcPostSchema = z.strictObject({
	deleteUsers: z.boolean().optional(),
	provider: z.strictObject({
		name: z.string().min(1),
		endpoint: z.string().min(1),
		clientId: z.string().min(1),
		clientSecret: z.string().min(1),
		scope: z.string().min(1),
		groupsClaim: z.string().optional(),
		adminGroup: z.string().optional(),
		groupFilter: z.string().optional(),
		userClaim: z.string().optional(),
		verifyCert: z.boolean().optional(),
		autoOnboard: z.boolean().optional(),
	}),
});

export async function startFakeOvh(options: FakeOvhOptions = {}): Promise<FakeOvh> {
	const applicationKey = options.applicationKey ?? 'test-application-key';
	const applicationSecret = options.applicationSecret ?? 'test-application-secret';
	const consumerKey = options.consumerKey ?? 'test-consumer-key';
	const projects = options.projects ?? {'project-1': [{id: 'registry-1', name: 'my-registry', region: 'GRA', status: 'READY', version: '2.13.1'}]};
	const [serviceName, registries] = Object.entries(projects)[0]!;
	const main = registries[0]!;
	const contractErrors: string[] = [];
	const offset = options.clockOffsetSeconds ?? 0;
	const serverNow = () => Math.round(Date.now() / 1000) + offset;
	const timestamp = new Date().toISOString();
	const {clientSecret: initialSecret, ...initialOidc} = options.oidc ?? {};
	const state: FakeOvh['state'] = {
		oidc: options.oidc
			? {id: randomUUID(), name: '', endpoint: '', clientId: '', scope: '', groupsClaim: '', adminGroup: '', userClaim: '', verifyCert: true, autoOnboard: false, status: 'READY', createdAt: timestamp, updatedAt: timestamp, ...initialOidc}
			: null,
		clientSecret: initialSecret ?? null,
		users: (options.users ?? []).map((user, index) => ({id: String(index + 2), user, email: `${user}@example.com`})),
		deletedUsers: [],
		pollsLeft: 0,
		finalStatus: options.finalStatus ?? 'READY',
	};

	const registryJson = (registry: FakeOvhRegistry) => ({
		id: registry.id,
		name: registry.name,
		region: registry.region ?? 'GRA',
		status: registry.status ?? 'READY',
		version: registry.version ?? '2.13.1',
		url: registry.url ?? `https://${registry.id}.c1.gra9.container-registry.ovh.net`,
		projectID: serviceName,
		size: 0,
		createdAt: timestamp,
		updatedAt: timestamp,
	});

	/** The real API checks the application key, then the consumer key, then the time, then the signature. */
	const checkSignature = (call: IncomingCall): Reply | undefined => {
		if (call.headers['x-ovh-application'] !== applicationKey) return {status: 403, json: apiError('INVALID_KEY', '403 Forbidden', 'Invalid application key')};
		if (call.headers['x-ovh-consumer'] !== consumerKey) return {status: 403, json: apiError('INVALID_CREDENTIAL', '403 Forbidden', 'This credential does not exist')};
		const sent = Number(call.headers['x-ovh-timestamp']);
		// The real API's wording for a stale timestamp is not in the reference; the status is what matters.
		if (!Number.isInteger(sent) || Math.abs(sent - serverNow()) > 300) return {status: 400, json: apiError('INVALID_SIGNATURE', '400 Bad Request', 'Invalid timestamp')};
		const expected = `$1$${createHash('sha1').update([applicationSecret, consumerKey, call.method, call.fullUrl, call.rawBody, String(sent)].join('+')).digest('hex')}`;
		if (call.headers['x-ovh-signature'] !== expected) return {status: 400, json: apiError('INVALID_SIGNATURE', '400 Bad Request', 'Invalid signature')};
		return undefined;
	};

	const readOidc = (): Reply => {
		if (!state.oidc) return {status: 404, json: clientError('NotFound', 'No OIDC configuration for this registry')};
		const reply: Reply = {status: 200, json: {...state.oidc}};
		if (state.pollsLeft > 0) {
			state.pollsLeft -= 1;
		} else if (state.oidc.status === 'INSTALLING' || state.oidc.status === 'UPDATING') {
			state.oidc.status = state.finalStatus;
			reply.json = {...state.oidc};
		}

		return reply;
	};

	const saveOidc = (call: IncomingCall): Reply => {
		const parsed = oidcPostSchema.safeParse(call.body);
		if (!parsed.success) {
			const problems = parsed.error.issues.map((issue) => `POST openIdConnect body.${issue.path.join('.')} ${issue.message}`);
			contractErrors.push(...problems);
			return {status: 400, json: clientError('BadRequest', `Invalid body: ${problems.join('; ')}`)};
		}

		const {deleteUsers, provider} = parsed.data;
		if (!provider.scope.split(',').map((scope) => scope.trim()).includes('openid')) {
			return {status: 400, json: clientError('BadRequest', 'scope must contain openid')};
		}

		if (!state.oidc && state.users.length > 0) {
			if (deleteUsers !== true) {
				return {status: 400, json: clientError('BadRequest', `${state.users.length} users exist, set parameter deleteUsers to delete them`)};
			}

			state.deletedUsers.push(...state.users.map((user) => user.user));
			state.users.splice(0);
		}

		const now = new Date().toISOString();
		state.oidc = {
			id: state.oidc?.id ?? randomUUID(),
			createdAt: state.oidc?.createdAt ?? now,
			updatedAt: now,
			status: state.oidc ? 'UPDATING' : 'INSTALLING',
			name: provider.name,
			endpoint: provider.endpoint,
			clientId: provider.clientId,
			scope: provider.scope,
			groupsClaim: provider.groupsClaim ?? '',
			adminGroup: provider.adminGroup ?? '',
			userClaim: provider.userClaim ?? '',
			verifyCert: provider.verifyCert ?? true,
			autoOnboard: provider.autoOnboard ?? false,
		};
		state.clientSecret = provider.clientSecret;
		state.pollsLeft = options.pollsUntilDone ?? 2;
		return {status: 200, json: null};
	};

	const route = (call: IncomingCall): Reply => {
		const {method} = call;
		const path = call.pathname.slice(basePath.length);
		if (path === '/auth/time' && method === 'GET') return {status: 200, json: serverNow()};
		const refused = checkSignature(call);
		if (refused) return refused;
		const bodyless = method === 'GET' || method === 'DELETE' || path.endsWith('/setAsAdmin');
		if (bodyless && call.rawBody !== '') return {status: 400, json: clientError('BadRequest', 'You provided an input body while none was expected')};

		if (path === '/cloud/project' && method === 'GET') return {status: 200, json: Object.keys(projects)};
		const project = /^\/cloud\/project\/([^/]+)\/containerRegistry(?:\/([^/]+)(\/.*)?)?$/.exec(path);
		if (!project) return {status: 404, json: clientError('NotFound', `Got an invalid (or empty) URL: ${path}`)};
		const [, service, registryId, rest = ''] = project;
		const list = projects[decodeURIComponent(service!)];
		if (!list) return {status: 404, json: clientError('NotFound', 'This service does not exist')};
		if (registryId === undefined) return method === 'GET' ? {status: 200, json: list.map(registryJson)} : {status: 405, json: clientError('MethodNotAllowed', 'Method not allowed')};
		const registry = list.find((entry) => entry.id === decodeURIComponent(registryId));
		if (!registry) return {status: 404, json: clientError('NotFound', 'The requested object (registryID) does not exist')};
		if (rest === '' && method === 'GET') return {status: 200, json: registryJson(registry)};
		if (registry !== main) return {status: 404, json: clientError('NotFound', 'This fake keeps state for the main registry only')};
		if (rest === '/openIdConnect' && method === 'GET') return readOidc();
		if (rest === '/openIdConnect' && method === 'POST') return saveOidc(call);
		if (rest === '/openIdConnect' && method === 'DELETE') {
			state.oidc = null;
			state.clientSecret = null;
			state.deletedUsers.push(...state.users.map((user) => user.user));
			state.users.splice(0);
			return {status: 200, json: null};
		}

		const allUsers = () => [...state.users, ...(options.registry?.users() ?? [])];
		if (rest === '/users' && method === 'GET') return {status: 200, json: allUsers().map(({id, user, email}) => ({id, user, email, password: ''}))};
		const userPath = /^\/users\/([^/]+)$/.exec(rest);
		if (userPath && method === 'DELETE') {
			const id = decodeURIComponent(userPath[1]!);
			const local = state.users.findIndex((entry) => entry.id === id);
			if (local >= 0) {
				state.deletedUsers.push(state.users[local]!.user);
				state.users.splice(local, 1);
				return {status: 200, json: null};
			}

			const user = options.registry?.users().find((entry) => entry.id === id);
			if (user && options.registry?.deleteUser(id)) {
				state.deletedUsers.push(user.user);
				return {status: 200, json: null};
			}

			return {status: 404, json: clientError('NotFound', 'The requested object (userID) does not exist')};
		}

		const admin = /^\/users\/([^/]+)\/setAsAdmin$/.exec(rest);
		if (admin && method === 'PUT') {
			const user = allUsers().find((entry) => entry.id === decodeURIComponent(admin[1]!));
			if (!user) return {status: 404, json: clientError('NotFound', 'The requested object (userID) does not exist')};
			user.admin = true;
			return {status: 204};
		}

		return {status: 404, json: clientError('NotFound', `${method} ${path} is not served by this fake`)};
	};

	const server = await startRecordingServer({
		...(options.tls ? {tls: options.tls} : {}),
		failureBody: (status) => clientError(status >= 500 ? 'ServerError' : 'BadRequest', status >= 500 ? 'Internal server error' : 'Injected failure'),
		handle(call) {
			if (!call.pathname.startsWith(`${basePath}/`)) return {status: 404, json: clientError('NotFound', 'Not found')};
			const reply = route(call);
			return {...reply, headers: {...reply.headers, 'x-ovh-queryid': `EU.fake.${randomUUID()}`}};
		},
	});

	return {
		url: server.url,
		endpoint: `${server.url}${basePath}`,
		close: server.close,
		requests: server.requests,
		contractErrors,
		failNext: server.failNext,
		serviceName,
		registryId: main.id,
		state,
	};
}
