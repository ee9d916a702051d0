import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {freePort, startProcess, waitForHttp} from './process.js';

/**
 * A real Dex (built from the Go module proxy, scripts/test-servers/dex.mjs) on 127.0.0.1: memory
 * storage, static clients, the password database, no approval screen. It starts in well under a
 * second, so each test file starts its own.
 */

export type DexClient = {id: string; secret: string; redirectURIs: string[]; name?: string};

export type RealDex = {
	/** The issuer, exactly as Dex writes it into its discovery document (no trailing slash). */
	issuer: string;
	url: string;
	clients: DexClient[];
	/** The password database's one user (Dex has no admin API; users and clients are static). */
	user: string;
	stop(): Promise<void>;
};

/**
 * `issuerPath` is the path of the issuer ("/dex" by default; "/dex/" publishes it with a trailing
 * slash). `publicUrl` is the origin clients reach Dex at when a front (front-proxy.ts, for TLS)
 * listens for it on `port`.
 */
export async function startDex(dir: string, options: {clients: DexClient[]; issuerPath?: string; port?: number; publicUrl?: string}): Promise<RealDex> {
	const port = options.port ?? (await freePort());
	const local = `http://127.0.0.1:${port}`;
	const url = options.publicUrl ?? local;
	const issuer = `${url}${options.issuerPath ?? "/dex"}`;
	const work = mkdtempSync(path.join(tmpdir(), 'sso-setup-dex-'));
	const config = {
		issuer,
		storage: {type: 'memory'},
		web: {http: `127.0.0.1:${port}`},
		logger: {level: 'warn'},
		oauth2: {skipApprovalScreen: true},
		enablePasswordDB: true,
		staticPasswords: [{email: 'admin@example.com', hash: passwordHash, username: 'admin', userID: '08a8684b-db88-4b73-90a9-3cd1661f5466'}],
		staticClients: options.clients.map((client) => ({id: client.id, secret: client.secret, name: client.name ?? client.id, redirectURIs: client.redirectURIs})),
	};
	const file = path.join(work, 'config.yaml');
	// JSON is YAML.
	writeFileSync(file, JSON.stringify(config, null, 2), {mode: 0o600});
	const server = startProcess(path.join(dir, 'dex'), ['serve', file], {name: 'Dex', grace: 5000});
	try {
		await waitForHttp(server, `${local}${(options.issuerPath ?? '/dex').replace(/\/$/, '')}/.well-known/openid-configuration`, 'Dex', 60_000, (status) => status === 200);
	} catch (error) {
		rmSync(work, {recursive: true, force: true});
		throw error;
	}

	return {
		issuer,
		url,
		clients: options.clients,
		user: 'admin@example.com',
		async stop() {
			await server.stop();
			rmSync(work, {recursive: true, force: true});
		},
	};
}

// Dex's example user: bcrypt of "password". Only there because enablePasswordDB needs one; no test signs in.
const passwordHash = '$2a$10$2b2cU8CPhOTaGrs1HRQuAueS7JTT5ZHsHSzYiFPm1leZck7Mc8T4W';
