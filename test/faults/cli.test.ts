import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import type {Session} from '../../source/core/session/store.js';
import {requireKeychain} from '../helpers/keychain.js';
import {testPki} from '../helpers/tls.js';
import {startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {cli, ensureBuilt, expectOneSentenceFailure, expectOriginalBackup, expectRestored, forgetAll, newHome, tidySessions} from './helpers/cli.js';
import {closedPort, startFaultyServer} from './helpers/faulty-server.js';

/**
 * `apply` and `verify` as scripts meet a failing remote: exit 1, one sentence naming the step and the
 * host plus a hint, no stack trace; the session stays valid and resumable, its backup untouched,
 * and running it again once the remote is back finishes the job.
 */
const keychain = await requireKeychain();

const harborPassword = 'Faults-Harbor-Pass-31';
const clientSecret = 'Faults-Client-Secret-72';
const authentikToken = 'Faults-authentik-Token-19';
const harborEnv = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};

describe.runIf(keychain.available)('apply and verify when a remote fails', () => {
	let home: string;
	const closers: Array<() => Promise<void>> = [];

	beforeAll(ensureBuilt);

	beforeEach(() => {
		home = newHome();
	});

	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
		await forgetAll(home);
	});

	const harborServer = async (options: Parameters<typeof startFakeHarbor>[0] = {}) => {
		const harbor = await startFakeHarbor({adminPassword: harborPassword, ...options});
		closers.push(() => harbor.close());
		return harbor;
	};

	const authentikServer = async () => {
		const authentik = await startFakeAuthentik({token: authentikToken});
		closers.push(() => authentik.close());
		return authentik;
	};

	const oidcHarbor = (appUrl: string) => ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${appUrl}`, '--yes'];
	const authentikHarbor = (authentik: {url: string}, harbor: {url: string}) => ['apply', '--idp', 'authentik', '--app', 'harbor', '--set', `idp_url=${authentik.url}`, '--set', 'slug=harbor', '--set', `app_url=${harbor.url}`, '--yes'];
	const configWrites = (harbor: FakeHarbor) => harbor.requests.filter((request) => request.method === 'PUT' && request.path === '/api/v2.0/configurations');

	it('Harbor refuses the connection: one sentence and a hint, exit 1, no session kept since nothing was done', async () => {
		const port = await closedPort();
		const result = await cli(home, oidcHarbor(`http://127.0.0.1:${port}`), harborEnv);
		expectOneSentenceFailure(result, {step: 'harbor: read configuration', host: `127.0.0.1:${port}`});
		expect(result.stderr).toContain('the connection was refused');
		// Saved before the first remote call (a killed run continues it), removed again when that call fails (issue 13, class 14).
		expect(tidySessions(home)).toEqual([]);
		expect(result.stderr).toContain('no session was kept');
		expect(result.stderr).not.toContain('--session');
	});

	it('the IdP host name does not resolve: the registration step names it, and the app is not touched', async () => {
		const harbor = await harborServer();
		const result = await cli(home, authentikHarbor({url: 'https://authentik.sso-setup-faults.invalid'}, harbor), {SSO_SETUP_AUTHENTIK_TOKEN: authentikToken, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expectOneSentenceFailure(result, {step: 'authentik: read the version', host: 'authentik.sso-setup-faults.invalid'});
		expect(result.stderr).toContain('could not be resolved');
		expect(harbor.requests).toEqual([]);
		for (const session of tidySessions(home)) {
			expect(session.completed).toEqual([]);
		}
	});

	it('Harbor serves a self-signed certificate: exit 1 with the way to trust it; with ca_file the same run succeeds', async () => {
		const pki = testPki();
		const harbor = await harborServer({tls: pki.selfSigned});
		const host = new URL(harbor.url).host;
		const refused = await cli(home, oidcHarbor(harbor.url), harborEnv);
		expectOneSentenceFailure(refused, {step: 'harbor: read configuration', host});
		expect(refused.stderr).toContain('self-signed');
		expect(refused.stderr).toMatch(/NODE_EXTRA_CA_CERTS|CA file/);
		expect(harbor.requests).toEqual([]);

		const trusted = await cli(home, [...oidcHarbor(harbor.url), '--set', `ca_file=${pki.selfSigned.certFile}`], harborEnv);
		expect(trusted.code, trusted.all).toBe(0);
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
	});

	it('a login page answers instead of the Harbor API: exit 1 naming the host', async () => {
		const proxy = await startFaultyServer('not-json');
		closers.push(() => proxy.close());
		const result = await cli(home, oidcHarbor(proxy.url), harborEnv);
		expectOneSentenceFailure(result, {step: 'harbor: read configuration', host: proxy.host});
		expect(result.stderr).toContain('not JSON');
	});

	it('Harbor fails (500) on the configuration write: the session stays resumable with its backup, and --session finishes', async () => {
		const harbor = await harborServer();
		const original = structuredClone(harbor.config);
		harbor.failNext('PUT', '/api/v2.0/configurations', 500);
		const failed = await cli(home, oidcHarbor(harbor.url), harborEnv);
		expectOneSentenceFailure(failed, {step: 'harbor: save configuration', host: new URL(harbor.url).host});
		expect(failed.stderr).toContain('HTTP 500');
		expect(harbor.config).toEqual(original);

		const [session] = tidySessions(home) as [Session];
		expect(failed.stderr).toContain(`--session ${session.id}`);
		expect(session.completed).not.toContain('apply');
		expectOriginalBackup(session, original);

		const resumed = await cli(home, ['apply', '--session', session.id, '--yes'], harborEnv);
		expect(resumed.code, resumed.all).toBe(0);
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
		expect(harbor.config['oidc_client_secret']).toBe(clientSecret);
		const [after] = tidySessions(home) as [Session];
		expect(after.id).toBe(session.id);
		expect(after.completed).toContain('apply');
		expectOriginalBackup(after, original);

		const rollback = await cli(home, ['rollback', session.id, '--yes'], {SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(rollback.code, rollback.all).toBe(0);
		expectRestored(harbor, original);
	});

	it('authentik fails after the provider was created: --session finishes without a second provider', async () => {
		const authentik = await authentikServer();
		const harbor = await harborServer();
		const env = {SSO_SETUP_AUTHENTIK_TOKEN: authentikToken, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		authentik.failNext({method: 'POST', path: '/api/v3/core/applications/', status: 500});
		const failed = await cli(home, authentikHarbor(authentik, harbor), env);
		expectOneSentenceFailure(failed, {step: 'authentik: create the application', host: new URL(authentik.url).host});
		expect(authentik.providers).toHaveLength(1);
		expect(authentik.applications).toHaveLength(0);
		expect(harbor.requests).toEqual([]);

		const [session] = tidySessions(home) as [Session];
		expect(session.completed).toEqual([]);
		const resumed = await cli(home, ['apply', '--session', session.id, '--yes'], env);
		expect(resumed.code, resumed.all).toBe(0);
		expect(authentik.providers).toHaveLength(1);
		expect(authentik.applications).toHaveLength(1);
		expect(authentik.applications[0]!.provider).toBe(authentik.providers[0]!.pk);
		expect(harbor.config['oidc_client_id']).toBe(authentik.providers[0]!.client_id);
		expect(harbor.config['oidc_client_secret']).toBe(authentik.providers[0]!.client_secret);
		expect(authentik.contractErrors).toEqual([]);
	});

	it('verify with the IdP down: JSON on stdout, discovery fails naming the host, exit 1', async () => {
		const harbor = await harborServer();
		const port = await closedPort();
		const result = await cli(home, ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=http://127.0.0.1:${port}`, '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--json'], harborEnv);
		expect(result.code, result.all).toBe(1);
		expect(result.stderr).toBe('');
		const report = JSON.parse(result.stdout) as {ok: boolean; checks: Array<{id: string; status: string; seen: string; fix?: string}>};
		expect(report.ok).toBe(false);
		const discovery = report.checks.find((check) => check.id === 'discovery')!;
		expect(discovery.status).toBe('fail');
		expect(discovery.seen).toContain(`127.0.0.1:${port}`);
		expect(discovery.seen).toContain('refused');
		expect(discovery.fix).toBeTruthy();
		expect(result.stdout).not.toMatch(/\n\s+at /);
		// verify changes nothing and saves nothing.
		expect(tidySessions(home)).toEqual([]);
		expect(configWrites(harbor)).toEqual([]);
	});
});
