import {randomBytes} from 'node:crypto';
import path from 'node:path';
import {freePort, startProcess, waitForHttp} from './process.js';

/**
 * A real Keycloak (the Quarkus distribution from Maven Central, scripts/test-servers/keycloak.mjs)
 * on 127.0.0.1, `start-dev` with the in-memory database. It costs 30–60 s and about 1 GB, so the
 * global setup starts it once per run (global-setup.ts) and each test takes its own realm.
 */

export type RealKeycloak = {
	/** The base URL (no /auth: Keycloak 17+). */
	url: string;
	adminUser: string;
	adminPassword: string;
	/** Which Java it runs on. */
	java: string;
	stop(): Promise<void>;
};

const temurin = '/usr/lib/jvm/temurin-25-jdk-amd64';

export async function startKeycloak(dir: string, options: {log?: (line: string) => void} = {}): Promise<RealKeycloak> {
	const port = await freePort();
	const adminUser = 'admin';
	const adminPassword = `kc-${randomBytes(12).toString('hex')}`;
	const {existsSync} = await import('node:fs');
	const java25 = existsSync(path.join(temurin, 'bin', 'java'));
	const env: NodeJS.ProcessEnv = {
		...process.env,
		KC_BOOTSTRAP_ADMIN_USERNAME: adminUser,
		KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
		...(java25 ? {JAVA_HOME: temurin, PATH: `${temurin}/bin:${process.env['PATH'] ?? ''}`} : {}),
	};
	const url = `http://127.0.0.1:${port}`;
	// --proxy-headers: the contract suite puts a TLS front before it (front-proxy.ts), as a reverse proxy would.
	const started = Date.now();
	const server = startProcess(path.join(dir, 'keycloak', 'bin', 'kc.sh'), ['start-dev', '--http-host=127.0.0.1', `--http-port=${port}`, '--db=dev-mem', '--proxy-headers=xforwarded', '--health-enabled=false', '--log-level=warn'], {env, name: 'Keycloak', grace: 20_000});
	await waitForHttp(server, `${url}/realms/master/.well-known/openid-configuration`, 'Keycloak', 600_000, (status) => status === 200);
	options.log?.(`[real servers] Keycloak started on ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s (Java ${java25 ? '25, Temurin' : 'from PATH'})`);
	return {url, adminUser, adminPassword, java: java25 ? 'temurin-25' : 'PATH', stop: () => server.stop()};
}

/** An admin token from the master realm (admin-cli, password grant), as sso-setup gets one. */
export async function keycloakAdminToken(keycloak: Pick<RealKeycloak, 'url' | 'adminUser' | 'adminPassword'>): Promise<string> {
	const response = await fetch(`${keycloak.url}/realms/master/protocol/openid-connect/token`, {
		method: 'POST',
		body: new URLSearchParams({grant_type: 'password', client_id: 'admin-cli', username: keycloak.adminUser, password: keycloak.adminPassword}),
	});
	if (!response.ok) throw new Error(`Keycloak admin sign-in: HTTP ${response.status} ${await response.text()}`);
	return ((await response.json()) as {access_token: string}).access_token;
}

/** The admin REST API of one realm, for test set-up and assertions. */
export type KeycloakRealm = {
	name: string;
	/** GET/POST/PUT/DELETE under /admin/realms/{realm}; returns the parsed JSON (or undefined). */
	admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	clients(): Promise<Array<Record<string, unknown> & {id: string; clientId: string}>>;
	/** Creates a confidential client and returns its secret. */
	createClient(client: Record<string, unknown> & {clientId: string}): Promise<{id: string; secret: string}>;
	remove(): Promise<void>;
};

let realmCounter = 0;

/** A fresh realm for one test (deleted by remove()). */
export async function createRealm(keycloak: Pick<RealKeycloak, 'url' | 'adminUser' | 'adminPassword'>, prefix = 'test'): Promise<KeycloakRealm> {
	const name = `${prefix}-${process.pid}-${++realmCounter}-${randomBytes(3).toString('hex')}`;
	const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
		const token = await keycloakAdminToken(keycloak);
		const response = await fetch(`${keycloak.url}/admin/realms${route}`, {
			method,
			headers: {authorization: `Bearer ${token}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`Keycloak ${method} ${route}: HTTP ${response.status} ${text}`);
		return (text ? JSON.parse(text) : undefined) as T;
	};

	await call('POST', '', {realm: name, enabled: true});
	const realm: KeycloakRealm = {
		name,
		admin: (method, route, body) => call(method, `/${name}${route}`, body),
		clients: () => call('GET', `/${name}/clients`),
		async createClient(client) {
			await call('POST', `/${name}/clients`, {protocol: 'openid-connect', publicClient: false, standardFlowEnabled: true, ...client});
			const [created] = await call<Array<{id: string}>>('GET', `/${name}/clients?clientId=${encodeURIComponent(client.clientId)}`);
			if (!created) throw new Error(`client ${client.clientId} not found after creating it`);
			const secret = await call<{value: string}>('GET', `/${name}/clients/${created.id}/client-secret`);
			return {id: created.id, secret: secret.value};
		},
		remove: () => call('DELETE', `/${name}`),
	};
	return realm;
}
