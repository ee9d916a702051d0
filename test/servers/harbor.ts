import {execFile} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {createRemoteJWKSet, jwtVerify} from 'jose';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {realServersRequired, serverAvailability} from '../real-servers/availability.js';
import {fetchJson, startRecordingServer, type IncomingCall, type RecordedRequest, type Reply} from './recording-server.js';
import {loadContract} from './contract.js';

/**
 * A fake Harbor (API v2.0) that behaves like the real one where sso-setup can trip
 * (Harbor's documented behaviour): basic auth with the admin always allowed, partial configuration
 * updates that silently drop keys the version does not know, secrets never returned, the refusal
 * to change the auth mode while local users exist, the `sid` cookie and its CSRF check, the OIDC
 * ping (a real discovery request) and the /c/oidc/login redirect.
 */

export type FakeHarborUser = {
	username: string;
	password?: string;
	sysadmin?: boolean;
	/** false: in the database but missing from GET /users (goharbor/harbor#15297). */
	listed?: boolean;
};

export type FakeHarborOptions = {
	/** "v2.13.1" by default. */
	version?: string;
	adminPassword?: string;
	/** Local users besides admin (user id 1); ids start at 3 (2 is the deleted `anonymous`). */
	users?: Array<string | FakeHarborUser>;
	/** EXT_ENDPOINT; the server's own URL by default. */
	externalUrl?: string;
	tls?: {key: string; cert: string};
	/** Initial values of configuration keys (e.g. {auth_mode: 'oidc_auth'}). */
	config?: Record<string, unknown>;
	/** CONFIG_OVERWRITE_JSON is set: everything read-only, updates refused. */
	configFromEnvironment?: boolean;
	/** A CA the fake trusts for discovery requests when verify_cert is on. */
	idpCa?: string;
	/**
	 * The ping runs go-oidc's NewProvider (our oidc-check helper, at Harbor's go-oidc version) when
	 * the helper is installed; false keeps the in-process discovery check.
	 */
	goOidcPing?: boolean;
};

export type FakeHarborUserRecord = {
	user_id: number;
	username: string;
	password: string;
	sysadmin_flag: boolean;
	deleted: boolean;
	listed: boolean;
	/** Set for users onboarded through /c/oidc/callback: the IdP's subject and the groups claim's values. */
	oidc?: {issuer: string; subject: string; groups: string[]};
	/** The email Harbor stored (from the userinfo answer for OIDC users). */
	email?: string;
};

/** What one /c/oidc/callback ended in (for tests asking how a sign-in went). */
export type FakeHarborSignIn = {status: number; outcome: 'onboarded' | 'signed-in' | 'onboard-prompt' | 'refused'; username?: string; admin?: boolean; error?: string};

export type FakeHarbor = {
	url: string;
	close(): Promise<void>;
	requests: RecordedRequest[];
	contractErrors: string[];
	/** What the go-oidc check said at each ping (undefined when the helper is not used). */
	pingResults: Array<{url: string; ok: boolean; error?: string}>;
	/** Every /c/oidc/callback, in order. */
	signIns: FakeHarborSignIn[];
	/** Whether the ping runs the go-oidc helper. */
	goOidcPing: boolean;
	failNext(method: string, path: string, status: number): void;
	/**
	 * Runs `run` when the next request with this method and path (query ignored) arrives, before it is
	 * handled (e.g. to kill the client right then). A Reply it returns is sent instead of the answer.
	 */
	beforeNext(method: string, path: string, run: (call: IncomingCall) => Reply | void | Promise<Reply | void>): void;
	/** Every configuration value, oidc_client_secret included (which the API never returns). */
	config: Record<string, unknown>;
	users: FakeHarborUserRecord[];
	/** Every sid cookie value Harbor handed out (tests look for them in what a client showed). */
	sessionIds(): string[];
	version: string;
	externalUrl: string;
};

type Version = [number, number, number];
const since: Record<string, Version> = {
	primary_auth_mode: [2, 8, 0],
	oidc_group_filter: [2, 7, 0],
	oidc_logout: [2, 13, 0],
};

const defaults: Record<string, unknown> = {
	auth_mode: 'db_auth',
	primary_auth_mode: false,
	oidc_name: '',
	oidc_endpoint: '',
	oidc_client_id: '',
	oidc_client_secret: '',
	oidc_groups_claim: '',
	oidc_admin_group: '',
	oidc_group_filter: '',
	oidc_scope: '',
	oidc_user_claim: '',
	oidc_verify_cert: true,
	oidc_auto_onboard: false,
	oidc_extra_redirect_parms: '{}',
	oidc_logout: false,
	ldap_url: '',
	ldap_search_password: '',
	self_registration: false,
	project_creation_restriction: 'everyone',
	read_only: false,
	token_expiration: 30,
	robot_token_duration: 30,
	robot_name_prefix: 'robot$',
	notification_enable: true,
	session_timeout: 60,
};
const passwordKeys = new Set(['oidc_client_secret', 'ldap_search_password', 'uaa_client_secret']);
const authModes = new Set(['db_auth', 'ldap_auth', 'uaa_auth', 'http_auth', 'oidc_auth']);

export const authModeRefusalMessage = 'the auth mode cannot be modified as new users have been inserted into database';

const errors = (code: string, message: string) => ({errors: [{code, message}]});

function parseVersion(version: string): Version {
	const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map(Number);
	return [major, minor, patch];
}

function atLeast(version: Version, minimum: Version): boolean {
	for (let index = 0; index < 3; index++) {
		if (version[index] !== minimum[index]) return version[index]! > minimum[index]!;
	}

	return true;
}

/** The oidc-check helper's path, or undefined when it is not installed (a failure when real servers are required). */
export async function goOidcCheck(): Promise<string | undefined> {
	const availability = await serverAvailability('oidc-check');
	if (availability.available) return availability.installer.executable?.(availability.dir);
	if (realServersRequired()) throw new Error(`The fake Harbor needs the go-oidc check: ${availability.reason}; ${availability.install}`);
	return undefined;
}

type GoOidcResult = {ok: boolean; error?: string};

/** Runs go-oidc's NewProvider(issuer) as Harbor's TestEndpoint does (verify_cert off: no TLS check). */
export async function runGoOidcCheck(helper: string, issuer: string, verify: boolean, ca?: string): Promise<GoOidcResult> {
	const dir = ca ? mkdtempSync(path.join(tmpdir(), 'sso-setup-oidc-check-')) : undefined;
	try {
		const args = ['-issuer', issuer, '-timeout', '10s'];
		if (!verify) args.push('-insecure');
		if (dir && ca) {
			writeFileSync(path.join(dir, 'ca.pem'), ca);
			args.push('-ca-file', path.join(dir, 'ca.pem'));
		}

		const stdout = await new Promise<string>((resolve, reject) => {
			execFile(helper, args, {timeout: 20_000, maxBuffer: 1 << 20}, (error, out) => (error ? reject(error) : resolve(out)));
		});
		return JSON.parse(stdout.trim().split('\n').pop() ?? '') as GoOidcResult;
	} finally {
		if (dir) rmSync(dir, {recursive: true, force: true});
	}
}

export async function startFakeHarbor(options: FakeHarborOptions = {}): Promise<FakeHarbor> {
	const helper = options.goOidcPing === false ? undefined : await goOidcCheck();
	const pingResults: FakeHarbor['pingResults'] = [];
	const contract = loadContract('harbor');
	const contractErrors: string[] = [];
	const versionText = options.version ?? 'v2.13.1';
	const version = parseVersion(versionText);
	const known = (key: string) => !since[key] || atLeast(version, since[key]);
	const config: Record<string, unknown> = {};
	for (const [key, value] of Object.entries({...defaults, ...options.config})) {
		if (known(key)) config[key] = value;
	}

	const users: FakeHarborUserRecord[] = [
		{user_id: 1, username: 'admin', password: options.adminPassword ?? 'Harbor12345', sysadmin_flag: true, deleted: false, listed: true},
		{user_id: 2, username: 'anonymous', password: '', sysadmin_flag: false, deleted: true, listed: false},
	];
	for (const entry of options.users ?? []) {
		const user = typeof entry === 'string' ? {username: entry} : entry;
		users.push({
			user_id: users.length + 1,
			username: user.username,
			password: user.password ?? 'Password1',
			sysadmin_flag: user.sysadmin ?? false,
			deleted: false,
			listed: user.listed ?? true,
		});
	}

	/**
	 * Harbor's session store by session id: the CSRF token, the sign-in under way (state, PKCE verifier,
	 * redirect_url) and, once signed in, the user with the admin role the groups claim gave
	 * (AdminRoleInAuth lives in the session only, never in the database).
	 */
	const sessions = new Map<string, {csrf: string; state?: string; verifier?: string; redirectUrl?: string; username?: string; userId?: number; adminRoleInAuth?: boolean}>();
	/** Every sid handed out, kept after the session ends. */
	const issuedSids = new Set<string>();
	/** golang.org/x/oauth2's AuthStyleAutoDetect remembers per token URL which client authentication worked. */
	const authStyles = new Map<string, 'header' | 'params'>();
	const signIns: FakeHarborSignIn[] = [];
	const state = {url: '', externalUrl: options.externalUrl ?? ''};
	const editable = () => !options.configFromEnvironment;
	const blockingUsers = () => users.filter((user) => user.user_id > 1 && !user.deleted);

	/** Basic auth first, else the signed-in user of the session (security generators: basicAuth before session). */
	const principal = (call: IncomingCall, sid?: string) => {
		const match = /^Basic (.+)$/i.exec(call.headers['authorization'] ?? '');
		const session = sid === undefined ? undefined : sessions.get(sid);
		if (!match) return session?.userId === undefined ? undefined : users.find((user) => !user.deleted && user.user_id === session.userId);
		const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		const name = decoded.slice(0, colon);
		const password = decoded.slice(colon + 1);
		// A wrong password makes the request anonymous (and Harbor sleeps 1.5 s, which a fake need not);
		// users onboarded through OIDC have no password (in OIDC mode only the admin signs in with one).
		return users.find((user) => !user.deleted && user.password !== '' && user.username === name && user.password === password);
	};

	/** The admin role the session's groups claim gave, when the caller is that session's user. */
	const adminRoleOf = (call: IncomingCall, sid: string | undefined, user: FakeHarborUserRecord) => {
		const session = sid === undefined ? undefined : sessions.get(sid);
		return !/^Basic /i.test(call.headers['authorization'] ?? '') && session?.userId === user.user_id && session.adminRoleInAuth === true;
	};

	const requireAdmin = (call: IncomingCall, sid?: string): Reply | undefined => {
		const user = principal(call, sid);
		if (!user) return {status: 401, json: errors('UNAUTHORIZED', 'UnAuthorized')};
		if (!user.sysadmin_flag && !adminRoleOf(call, sid, user)) return {status: 403, json: errors('FORBIDDEN', 'FORBIDDEN')};
		return undefined;
	};

	/** handler/model/user.go ToUserResp; oidc_user_meta only in OIDC mode for user id > 1 (handler/user.go getUserByID). */
	const userResp = (user: FakeHarborUserRecord, adminRoleInAuth = false) => ({
		user_id: user.user_id,
		username: user.username,
		email: user.email ?? `${user.username}@example.com`,
		realname: user.username,
		comment: user.oidc ? 'Onboarded via OIDC provider' : '',
		sysadmin_flag: user.sysadmin_flag,
		admin_role_in_auth: adminRoleInAuth,
		creation_time: '2026-01-01T00:00:00.000Z',
		update_time: '2026-01-01T00:00:00.000Z',
		...(user.oidc && config['auth_mode'] === 'oidc_auth' && user.user_id > 1
			? {oidc_user_meta: {id: user.user_id, user_id: user.user_id, subiss: `${user.oidc.subject}${user.oidc.issuer}`, secret: 'Cli-Secret-Fake-1', creation_time: '2026-01-01T00:00:00.000Z', update_time: '2026-01-01T00:00:00.000Z'}}
			: {}),
	});

	const configurations = () => {
		const body: Record<string, {value: unknown; editable: boolean}> = {};
		for (const [key, value] of Object.entries(config)) {
			if (passwordKeys.has(key)) continue;
			body[key] = {value, editable: key === 'auth_mode' ? editable() && blockingUsers().length === 0 : editable()};
		}

		return body;
	};

	const updateConfigurations = (call: IncomingCall): Reply => {
		if (!editable()) {
			return {status: 403, json: errors('FORBIDDEN', 'current config is init by env variable: CONFIG_OVERWRITE_JSON, it cannot be updated')};
		}

		const body = call.body as Record<string, unknown>;
		if ('auth_mode' in body && body['auth_mode'] !== config['auth_mode']) {
			if (!authModes.has(String(body['auth_mode']))) return {status: 400, json: errors('BAD_REQUEST', `invalid auth_mode: ${String(body['auth_mode'])}`)};
			if (blockingUsers().length > 0) return {status: 400, json: errors('BAD_REQUEST', authModeRefusalMessage)};
		}

		for (const [key, value] of Object.entries(body)) {
			// Unknown keys (and keys of later versions) are silently ignored, as go-swagger does.
			if (key in config) config[key] = value;
		}

		return {status: 200};
	};

	const systemInfo = (call: IncomingCall): Reply => {
		const oidc = config['auth_mode'] === 'oidc_auth';
		const anonymous: Record<string, unknown> = {
			auth_mode: config['auth_mode'],
			self_registration: config['self_registration'],
			banner_message: '',
			...(known('primary_auth_mode') ? {primary_auth_mode: config['primary_auth_mode']} : {}),
			...(atLeast(version, [2, 10, 0]) ? {oidc_provider_name: oidc ? config['oidc_name'] : ''} : {}),
		};
		if (!principal(call)) return {status: 200, json: anonymous};
		return {
			status: 200,
			json: {
				...anonymous,
				harbor_version: `${versionText}-1a2b3c4d`,
				external_url: state.externalUrl,
				registry_url: new URL(state.externalUrl).host,
				has_ca_root: false,
				project_creation_restriction: config['project_creation_restriction'],
				read_only: config['read_only'],
				registry_storage_provider_name: 'filesystem',
				notification_enable: config['notification_enable'],
				current_time: new Date().toISOString(),
			},
		};
	};

	const listUsers = (call: IncomingCall): Reply => {
		const page = Math.max(1, Number(call.query.get('page') ?? 1));
		const size = Math.min(100, Math.max(1, Number(call.query.get('page_size') ?? 10)));
		const visible = users.filter((user) => !user.deleted && user.listed);
		const slice = visible.slice((page - 1) * size, page * size);
		const links: string[] = [];
		if (page > 1) links.push(`</api/v2.0/users?page=${page - 1}&page_size=${size}>; rel="prev"`);
		if (page * size < visible.length) links.push(`</api/v2.0/users?page=${page + 1}&page_size=${size}>; rel="next"`);
		return {status: 200, json: slice.map((user) => userResp(user)), headers: {'x-total-count': String(visible.length), ...(links.length > 0 ? {link: links.join(' , ')} : {})}};
	};

	const deleteUser = (call: IncomingCall, id: number): Reply => {
		const user = users.find((entry) => entry.user_id === id && !entry.deleted);
		if (!user) return {status: 404, json: errors('NOT_FOUND', `user ${id} not found`)};
		if (id === 1 || user === principal(call)) return {status: 403, json: errors('FORBIDDEN', 'can not delete the admin user or yourself')};
		user.deleted = true;
		return {status: 200};
	};

	const discovery = async (issuer: string, verify: boolean): Promise<Record<string, unknown> | undefined> => {
		try {
			const answer = await fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {verify, ...(options.idpCa ? {ca: options.idpCa} : {})});
			const document = answer.body as Record<string, unknown>;
			// go-oidc: the issuer must match byte for byte.
			return answer.status === 200 && document['issuer'] === issuer ? document : undefined;
		} catch {
			return undefined;
		}
	};

	// Harbor's PingOIDC: TestEndpoint (go-oidc NewProvider) and, on any error, 400 "failed to verify connection".
	const ping = async (call: IncomingCall): Promise<Reply> => {
		const body = call.body as {url?: string; verify_cert?: boolean};
		const refused: Reply = {status: 400, json: errors('BAD_REQUEST', 'failed to verify connection')};
		if (helper) {
			const result = await runGoOidcCheck(helper, body.url ?? '', body.verify_cert ?? true, options.idpCa);
			pingResults.push({url: body.url ?? '', ok: result.ok, ...(result.error ? {error: result.error} : {})});
			return result.ok ? {status: 200} : refused;
		}

		const document = body.url ? await discovery(body.url, body.verify_cert ?? true) : undefined;
		return document ? {status: 200} : refused;
	};

	const oidcLogin = async (call: IncomingCall, sid: string): Promise<Reply> => {
		if (config['auth_mode'] !== 'oidc_auth') {
			return harborError(412, `auth mode: ${String(config['auth_mode'])} is not OIDC based`);
		}

		const redirectUrl = call.query.get('redirect_url');
		if (redirectUrl && (!redirectUrl.startsWith('/') || redirectUrl.startsWith('//'))) {
			return harborError(400, 'cannot redirect to other site');
		}

		const document = await discovery(String(config['oidc_endpoint']), config['oidc_verify_cert'] !== false);
		if (!document || typeof document['authorization_endpoint'] !== 'string') {
			return harborError(500, 'failed to create OIDC provider');
		}

		const session = sessions.get(sid)!;
		session.state = randomBytes(12).toString('base64url');
		session.redirectUrl = redirectUrl ?? undefined;
		const scopes = String(config['oidc_scope']).split(',').map((scope) => scope.trim()).filter(Boolean);
		const parameters: Record<string, string> = {
			client_id: String(config['oidc_client_id']),
			redirect_uri: `${state.externalUrl.replace(/\/$/, '')}/c/oidc/callback`,
			response_type: 'code',
			scope: scopes.join(' '),
			state: session.state,
		};
		if (atLeast(version, [2, 13, 0])) {
			session.verifier = randomBytes(32).toString('base64url');
			parameters['code_challenge'] = createHash('sha256').update(session.verifier).digest('base64url');
			parameters['code_challenge_method'] = 'S256';
		}

		for (const [name, value] of Object.entries(JSON.parse(String(config['oidc_extra_redirect_parms'] ?? '{}')) as Record<string, string>)) {
			parameters[name] = value;
		}

		// golang.org/x/oauth2 encodes with url.Values.Encode(): keys sorted.
		const query = new URLSearchParams(Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b))).toString();
		const endpoint = document['authorization_endpoint'];
		return {status: 302, headers: {location: `${endpoint}${endpoint.includes('?') ? '&' : '?'}${query}`}};
	};

	// Harbor's OIDCController.Callback (src/core/controllers/oidc.go) and src/pkg/oidc/helper.go: the
	// state compared with the session's, the code exchanged at the token endpoint (golang.org/x/oauth2:
	// client secret in the Authorization header, then in the form if that fails) with the PKCE
	// verifier, the ID token verified (signature, iss, aud = client id, exp), userinfo merged in,
	// then onboard or sign in. Errors go through Harbor's error envelope; a 500 says only "internal
	// server error" (the cause goes to the core log: here, `signIns`).
	const oidcCallback = async (call: IncomingCall, sid: string): Promise<Reply & {sid?: string}> => {
		const refuse = (status: number, message: string, logged = message): Reply => {
			signIns.push({status, outcome: 'refused', error: logged});
			return harborError(status, message);
		};
		if (config['auth_mode'] !== 'oidc_auth') return refuse(412, `auth mode: ${String(config['auth_mode'])} is not OIDC based`);
		const session = sessions.get(sid)!;
		// The state stays in the session afterwards (Harbor never deletes it); a replayed callback then fails at the code.
		if (!session.state || (call.query.get('state') ?? '') !== session.state) return refuse(400, 'State mismatch');
		const idpError = call.query.get('error');
		if (idpError) return refuse(400, `OIDC callback returned error: ${idpError} - ${call.query.get('error_description') ?? ''}`);
		const redirectUrl = session.redirectUrl ?? '';
		session.redirectUrl = undefined;
		const verifier = session.verifier;
		session.verifier = undefined;
		const code = call.query.get('code') ?? '';

		const issuer = String(config['oidc_endpoint']);
		const document = await discovery(issuer, config['oidc_verify_cert'] !== false);
		if (!document) return refuse(400, `failed to create OIDC provider, error: could not read ${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
		const clientId = String(config['oidc_client_id']);
		const clientSecret = String(config['oidc_client_secret']);
		const tokenUrl = String(document['token_endpoint']);
		const exchange = async (style: 'header' | 'params') => {
			const form = new URLSearchParams({grant_type: 'authorization_code', code, redirect_uri: `${state.externalUrl.replace(/\/$/, '')}/c/oidc/callback`});
			if (verifier) form.set('code_verifier', verifier);
			const headers: Record<string, string> = {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'};
			if (style === 'header') {
				headers['authorization'] = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
			} else {
				form.set('client_id', clientId);
				form.set('client_secret', clientSecret);
			}

			const answer = await fetch(tokenUrl, {method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000)});
			const text = await answer.text();
			let body: Record<string, unknown> = {};
			try {
				body = JSON.parse(text) as Record<string, unknown>;
			} catch {
				// oauth2 also reads form-encoded answers; the IdPs here answer JSON.
			}

			// oauth2's RetrieveError.Error(): the error code and description when the answer has them.
			if (!answer.ok || typeof body['error'] === 'string') {
				const error = typeof body['error'] === 'string' ? `oauth2: ${JSON.stringify(body['error'])}${typeof body['error_description'] === 'string' ? ` ${JSON.stringify(body['error_description'])}` : ''}` : `oauth2: cannot fetch token: ${answer.status} ${answer.statusText}\nResponse: ${text}`;
				return {error};
			}

			return {token: body as {id_token?: unknown; access_token?: unknown}};
		};

		let token: {id_token?: unknown; access_token?: unknown};
		try {
			const known = authStyles.get(tokenUrl);
			let style = known ?? 'header';
			let result = await exchange(style);
			if (result.error && !known) {
				style = 'params';
				result = await exchange(style);
			}

			if (result.error) return refuse(400, result.error);
			if (!known) authStyles.set(tokenUrl, style);
			token = result.token!;
		} catch (error) {
			return refuse(400, `Post "${tokenUrl}": ${error instanceof Error ? error.message : String(error)}`);
		}

		// `oauthToken.Extra("id_token").(string)` panics without one: beego answers 500.
		if (typeof token.id_token !== 'string') return refuse(500, 'internal server error', 'no id_token in the token response');
		let local: Record<string, unknown>;
		try {
			const keys = createRemoteJWKSet(new URL(String(document['jwks_uri'])));
			local = (await jwtVerify(token.id_token, keys, {issuer, audience: clientId})).payload as Record<string, unknown>;
		} catch (error) {
			return refuse(500, 'internal server error', `Failed to verify token: ${error instanceof Error ? error.message : String(error)}`);
		}

		let remote: Record<string, unknown> | undefined;
		if (typeof document['userinfo_endpoint'] === 'string' && typeof token.access_token === 'string') {
			try {
				const answer = await fetch(document['userinfo_endpoint'], {headers: {authorization: `Bearer ${token.access_token}`}, signal: AbortSignal.timeout(10_000)});
				if (answer.ok) remote = (await answer.json()) as Record<string, unknown>;
			} catch {
				// Harbor logs a failed userinfo request and goes on with the ID token's claims.
			}
		}

		if (remote && remote['sub'] !== local['sub']) return refuse(500, 'internal server error', 'the subject from userinfo does not match the subject from ID token');
		const info = userInfo(local, remote);
		// "Fix blanks in username".
		const username = info.username.replaceAll(' ', '_');
		const subject = String(local['sub']);
		const found = users.find((user) => !user.deleted && user.oidc?.issuer === issuer && user.oidc.subject === subject);
		// PopulateUserSession: a new session id, the user and its admin role in it.
		const signInAs = (user: FakeHarborUserRecord, outcome: FakeHarborSignIn['outcome']): Reply & {sid: string} => {
			const next = randomBytes(16).toString('hex');
			sessions.delete(sid);
			sessions.set(next, {...session, userId: user.user_id, adminRoleInAuth: info.admin});
			signIns.push({status: 302, outcome, username: user.username, admin: info.admin});
			return {status: 302, headers: {location: redirectUrl || '/', 'set-cookie': `sid=${next}; Path=/; HttpOnly`}, sid: next};
		};

		if (found) {
			found.oidc = {issuer, subject, groups: info.groups};
			return signInAs(found, 'signed-in');
		}

		if (config['oidc_auto_onboard'] !== true) {
			session.username = username;
			signIns.push({status: 302, outcome: 'onboard-prompt', username, admin: info.admin});
			// fmt.Sprintf without escaping, as Harbor does.
			return {status: 302, headers: {location: `/oidc-onboard?username=${username}&redirect_url=${redirectUrl}`}};
		}

		if (username === '') return refuse(500, 'internal server error', `unable to recover username for auto onboard, username claim: ${String(config['oidc_user_claim'] ?? '')}`);
		if (users.some((user) => !user.deleted && (user.username === username || (info.email !== '' && user.email === info.email)))) {
			return refuse(409, `failed to create user record: user ${username} or email ${info.email} already exists`);
		}

		const user: FakeHarborUserRecord = {user_id: users.length + 1, username, password: '', sysadmin_flag: false, deleted: false, listed: true, oidc: {issuer, subject, groups: info.groups}, email: info.email};
		users.push(user);
		return signInAs(user, 'onboarded');
	};

	/**
	 * helper.go UserInfoFromToken: the user name is the username claim of the ID token, else
	 * userinfo's (its username claim, else its name), else the ID token's name; a username claim that
	 * is missing or not a string is only logged. The groups come from userinfo when it has the groups
	 * claim, else from the ID token; the email from userinfo when there is one.
	 */
	const userInfo = (local: Record<string, unknown>, remote: Record<string, unknown> | undefined) => {
		const userClaim = String(config['oidc_user_claim'] ?? '');
		const groupsClaim = String(config['oidc_groups_claim'] ?? '');
		const fromClaims = (claims: Record<string, unknown>) => {
			const claimed = userClaim !== '' && typeof claims[userClaim] === 'string' ? claims[userClaim] : undefined;
			const raw = claims[groupsClaim];
			const hasGroups = groupsClaim !== '' && (Array.isArray(raw) || typeof raw === 'string');
			const groups = Array.isArray(raw) ? raw.filter((group): group is string => typeof group === 'string') : typeof raw === 'string' ? [raw] : [];
			return {claimed, username: claimed ?? (typeof claims['name'] === 'string' ? claims['name'] : ''), hasGroups, groups, email: typeof claims['email'] === 'string' ? claims['email'] : ''};
		};

		const fromToken = fromClaims(local);
		const fromUserinfo = remote ? fromClaims(remote) : undefined;
		const username = fromUserinfo ? (fromToken.claimed ?? (fromUserinfo.username || fromToken.username)) : fromToken.username;
		const groups = fromUserinfo?.hasGroups ? fromUserinfo.groups : fromToken.hasGroups ? fromToken.groups : [];
		const adminGroup = String(config['oidc_admin_group'] ?? '');
		return {username, groups, admin: adminGroup !== '' && groups.includes(adminGroup), email: fromUserinfo ? fromUserinfo.email : fromToken.email};
	};

	/** Harbor's error envelope; a 5xx never says more than "internal server error" (lib/http/error.go SendError). */
	const harborError = (status: number, message: string): Reply => {
		if (status >= 500) return {status, json: errors('UNKNOWN', 'internal server error')};
		const code = {400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'UNKNOWN', 412: 'PRECONDITION_FAILED'}[status] ?? 'UNKNOWN';
		return {status, json: errors(code, message)};
	};

	/** users/search (any signed-in caller; fuzzy, without deleted users) needs its username query (go-swagger: 422). */
	const searchUsers = (call: IncomingCall): Reply => {
		const name = call.query.get('username');
		if (name === null) return {status: 422, json: errors('UNPROCESSABLE_ENTITY', 'username in query is required')};
		const size = Math.min(100, Math.max(1, Number(call.query.get('page_size') ?? 10)));
		const found = users.filter((user) => !user.deleted && user.username.includes(name));
		return {status: 200, json: found.slice(0, size).map((user) => ({user_id: user.user_id, username: user.username})), headers: {'x-total-count': String(found.length)}};
	};

	const route = async (call: IncomingCall, sid: string): Promise<Reply & {sid?: string}> => {
		const {method, pathname} = call;
		if (pathname === '/c/oidc/login' && method === 'GET') return oidcLogin(call, sid);
		if (pathname === '/c/oidc/callback' && method === 'GET') return oidcCallback(call, sid);
		if (!pathname.startsWith('/api/v2.0/')) return {status: 404, text: 'not found'};

		const check = contract.check(method, pathname, call.body, {strictProperties: method === 'PUT' && pathname === '/api/v2.0/configurations'});
		if (!check.known) {
			contractErrors.push(...check.errors);
			return {status: 404, json: errors('NOT_FOUND', `${method} ${pathname} not found`)};
		}

		if (check.errors.length > 0) {
			contractErrors.push(...check.errors);
			return {status: 400, json: errors('BAD_REQUEST', check.errors.join('; '))};
		}

		if (pathname === '/api/v2.0/systeminfo' && method === 'GET') return systemInfo(call);
		if (pathname === '/api/v2.0/users/current' && method === 'GET') {
			const user = principal(call, sid);
			return user ? {status: 200, json: userResp(user, adminRoleOf(call, sid, user))} : {status: 401, json: errors('UNAUTHORIZED', 'UnAuthorized')};
		}

		if (pathname === '/api/v2.0/users/search' && method === 'GET') {
			return principal(call, sid) ? searchUsers(call) : {status: 401, json: errors('UNAUTHORIZED', 'UnAuthorized')};
		}

		const userPath = /^\/api\/v2\.0\/users\/(\d+)$/.exec(pathname);
		if (userPath && method === 'GET') {
			// System admins read anyone, other users only themselves.
			const caller = principal(call, sid);
			const user = users.find((entry) => entry.user_id === Number(userPath[1]) && !entry.deleted);
			if (!caller) return {status: 401, json: errors('UNAUTHORIZED', 'UnAuthorized')};
			if (caller !== user && requireAdmin(call, sid)) return requireAdmin(call, sid)!;
			return user ? {status: 200, json: userResp(user, adminRoleOf(call, sid, user))} : {status: 404, json: errors('NOT_FOUND', `user ${userPath[1]} not found`)};
		}

		const refused = requireAdmin(call, sid);
		if (refused) return refused;
		if (pathname === '/api/v2.0/configurations' && method === 'GET') return {status: 200, json: configurations()};
		if (pathname === '/api/v2.0/configurations' && method === 'PUT') return updateConfigurations(call);
		if (pathname === '/api/v2.0/users' && method === 'GET') return listUsers(call);
		if (pathname === '/api/v2.0/system/oidc/ping' && method === 'POST') return ping(call);
		if (userPath && method === 'DELETE') return deleteUser(call, Number(userPath[1]));

		return {status: 404, json: errors('NOT_FOUND', `${method} ${pathname} is not served by this fake`)};
	};

	const server = await startRecordingServer({
		...(options.tls ? {tls: options.tls} : {}),
		failureBody: (status) => errors(status >= 500 ? 'UNKNOWN' : 'ERROR', status >= 500 ? 'internal server error' : 'injected failure'),
		async handle(call) {
			const cookie = /(?:^|;\s*)sid=([^;]+)/.exec(call.headers['cookie'] ?? '')?.[1];
			const known = cookie ? sessions.get(cookie) : undefined;
			// The CSRF check is skipped for /api/ only when no session cookie comes with the request.
			if (cookie && call.pathname.startsWith('/api/') && !['GET', 'HEAD', 'OPTIONS'].includes(call.method) && (!known || call.headers['x-harbor-csrf-token'] !== known.csrf)) {
				return {status: 403, json: errors('FORBIDDEN', 'CSRF token invalid')};
			}

			const sid = known ? cookie! : randomBytes(16).toString('hex');
			if (!known) sessions.set(sid, {csrf: randomBytes(16).toString('base64url')});
			const {sid: renewed, ...reply} = await route(call, sid);
			const current = renewed ?? sid;
			issuedSids.add(current);
			return {
				...reply,
				headers: {'set-cookie': `sid=${current}; Path=/; HttpOnly`, ...reply.headers, ...(call.method === 'GET' ? {'x-harbor-csrf-token': sessions.get(current)!.csrf} : {})},
			};
		},
	});
	state.url = server.url;
	state.externalUrl ||= server.url;

	return {
		url: server.url,
		close: server.close,
		requests: server.requests,
		contractErrors,
		pingResults,
		signIns,
		goOidcPing: helper !== undefined,
		failNext: server.failNext,
		beforeNext: server.beforeNext,
		config,
		users,
		sessionIds: () => [...issuedSids],
		version: versionText,
		get externalUrl() {
			return state.externalUrl;
		},
	};
}
