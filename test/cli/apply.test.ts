import {existsSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {listSessions} from '../../source/core/session/store.js';
import {requireKeychain} from '../helpers/keychain.js';
import {binary} from '../helpers/pty.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {startFakeOvh} from '../servers/ovh.js';
import {startFakeKeycloak} from '../servers/keycloak.js';
import {startFakePortainer} from '../servers/portainer.js';

/** A second run recognises the secret it sent by a fingerprint whose key lives in the keychain. */
const keychain = await requireKeychain();

/** `sso-setup apply`, `rollback` and `verify` run as a script would, against the fake servers. */
const clientSecret = 'Apply-Client-Secret-91c2';
const harborPassword = 'Apply-Harbor-Pass-55e1';
const authentikToken = 'Apply-authentik-Token-0b7';

let home: string;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
	if (!existsSync(binary)) {
		await execa('node', ['scripts/build.mjs']);
	}
});

beforeEach(() => {
	home = mkdtempSync(path.join(tmpdir(), 'sso-setup-apply-'));
});

afterEach(async () => {
	for (const close of closers.splice(0)) await close();
	// Forget every session this test made, keychain entries included.
	for (const session of listSessions({SSO_SETUP_HOME: home}).sessions) {
		await run(['sessions', 'forget', session.id]);
	}
});

async function run(args: string[], env: Record<string, string> = {}) {
	const result = await execa('node', [binary, ...args], {env: {SSO_SETUP_HOME: home, NO_COLOR: '1', ...env}, reject: false, stdin: 'ignore'});
	return {code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), all: `${String(result.stdout)}\n${String(result.stderr)}`};
}

async function harborServer(options: Parameters<typeof startFakeHarbor>[0] = {}): Promise<FakeHarbor> {
	const harbor = await startFakeHarbor({adminPassword: harborPassword, ...options});
	closers.push(() => harbor.close());
	return harbor;
}

function puts(harbor: FakeHarbor) {
	return harbor.requests.filter((request) => request.method === 'PUT' && request.path === '/api/v2.0/configurations');
}

const oidcHarbor = (harbor: FakeHarbor) => ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`];
const harborEnv = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};

describe('apply to Harbor', () => {
	it.runIf(keychain.available)('writes exactly the OIDC keys, and a second run changes nothing and sends no PUT', async () => {
		const harbor = await harborServer();
		const first = await run([...oidcHarbor(harbor), '--yes'], harborEnv);
		expect(first.code, first.all).toBe(0);
		expect(harbor.contractErrors).toEqual([]);
		expect(puts(harbor)).toHaveLength(1);
		const body = puts(harbor)[0]!.body as Record<string, unknown>;
		expect(Object.keys(body).sort()).toEqual(['auth_mode', 'oidc_auto_onboard', 'oidc_client_id', 'oidc_client_secret', 'oidc_endpoint', 'oidc_name', 'oidc_scope', 'oidc_user_claim']);
		expect(body).toMatchObject({auth_mode: 'oidc_auth', oidc_endpoint: 'https://login.example.com', oidc_client_id: 'harbor', oidc_client_secret: clientSecret, oidc_scope: 'openid,profile,email,offline_access', oidc_user_claim: 'preferred_username', oidc_auto_onboard: true});
		expect(first.stdout).toContain(`${harbor.url}/account/sign-in`);
		expect(first.all).not.toContain(clientSecret);
		expect(first.all).not.toContain(harborPassword);

		const second = await run([...oidcHarbor(harbor), '--yes'], harborEnv);
		expect(second.code, second.all).toBe(0);
		expect(second.stdout).toMatch(/already has these settings|no changes/i);
		expect(puts(harbor)).toHaveLength(1);
	});

	it('prints the plan and writes nothing without --yes', async () => {
		const harbor = await harborServer();
		const result = await run(oidcHarbor(harbor), harborEnv);
		expect(result.code, result.all).toBe(0);
		expect(result.stdout).toContain('Plan for Harbor');
		expect(result.stdout).toContain('Nothing was written');
		expect(result.stdout).toContain('(will be set)');
		expect(puts(harbor)).toHaveLength(0);
	});

	it('stops with exit 3 before any write when a local user exists, and names the user', async () => {
		const harbor = await harborServer({users: ['alice']});
		const blocked = await run([...oidcHarbor(harbor), '--yes'], harborEnv);
		expect(blocked.code, blocked.all).toBe(3);
		expect(blocked.stderr).toContain('alice');
		expect(blocked.stderr).toContain('--delete-users alice');
		expect(puts(harbor)).toHaveLength(0);
		expect(harbor.requests.some((request) => request.method === 'DELETE')).toBe(false);

		const wrongList = await run([...oidcHarbor(harbor), '--yes', '--delete-users', 'bob'], harborEnv);
		expect(wrongList.code).toBe(3);
		expect(harbor.requests.some((request) => request.method === 'DELETE')).toBe(false);

		const resolved = await run([...oidcHarbor(harbor), '--yes', '--delete-users', 'alice'], harborEnv);
		expect(resolved.code, resolved.all).toBe(0);
		expect(harbor.users.find((user) => user.username === 'alice')?.deleted).toBe(true);
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
	});

	it('says which credential was refused', async () => {
		const harbor = await harborServer();
		const result = await run([...oidcHarbor(harbor), '--yes'], {...harborEnv, SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'wrong-Password-1'});
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/harbor/i);
		expect(result.stderr).toMatch(/password|credential/i);
		expect(result.stderr).not.toContain('wrong-Password-1');
		expect(result.stderr).not.toMatch(/\n\s+at /);
	});

	it('refuses secrets on the command line', async () => {
		const harbor = await harborServer();
		const result = await run([...oidcHarbor(harbor), '--set', `client_secret=${clientSecret}`]);
		expect(result.code).toBe(2);
		expect(result.all).not.toContain(clientSecret);
		expect(result.stderr).toContain('SSO_SETUP_CLIENT_SECRET');
	});

	it('rolls back to the saved settings', async () => {
		const harbor = await harborServer();
		expect((await run([...oidcHarbor(harbor), '--yes'], harborEnv)).code).toBe(0);
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
		const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
		const preview = await run(['rollback', session!.id], {SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(preview.code, preview.all).toBe(0);
		expect(preview.stdout).toContain('auth_mode: "db_auth"');
		expect(preview.stdout).toContain('Nothing was written');
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
		const rollback = await run(['rollback', session!.id, '--yes'], {SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(rollback.code, rollback.all).toBe(0);
		expect(harbor.config['auth_mode']).toBe('db_auth');
		expect(harbor.config['oidc_endpoint']).toBe('');
		expect(rollback.stdout).toMatch(/secret/i);
	});
});

describe('apply with registration at authentik', () => {
	let authentik: FakeAuthentik;

	beforeEach(async () => {
		authentik = await startFakeAuthentik({token: authentikToken});
		closers.push(() => authentik.close());
	});

	it.runIf(keychain.available)('creates one provider and one application, applies Harbor, verifies, and a second run creates nothing new', async () => {
		const harbor = await harborServer();
		const args = ['apply', '--idp', 'authentik', '--app', 'harbor', '--set', `idp_url=${authentik.url}`, '--set', 'slug=harbor', '--set', `app_url=${harbor.url}`, '--yes'];
		const env = {SSO_SETUP_AUTHENTIK_TOKEN: authentikToken, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		const first = await run(args, env);
		expect(first.code, first.all).toBe(0);
		expect(authentik.contractErrors).toEqual([]);
		expect(authentik.providers).toHaveLength(1);
		expect(authentik.applications).toHaveLength(1);
		const provider = authentik.providers[0]!;
		expect(provider.redirect_uris).toEqual([{matching_mode: 'strict', url: `${harbor.url}/c/oidc/callback`}]);
		expect(harbor.config['oidc_client_secret']).toBe(provider.client_secret);
		expect(first.all).not.toContain(provider.client_secret);

		const second = await run(args, env);
		expect(second.code, second.all).toBe(0);
		expect(authentik.providers).toHaveLength(1);
		expect(authentik.applications).toHaveLength(1);
		expect(puts(harbor)).toHaveLength(1);

		const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
		const verify = await run(['verify', '--session', session!.id, '--json'], {SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		const report = JSON.parse(verify.stdout) as {ok: boolean; checks: Array<{id: string; status: string}>};
		expect(report.checks.map((check) => check.id)).toEqual(['discovery', 'issuer', 'scopes', 'client-secret', 'redirect-uri', 'app-config', 'way-back-in']);
		expect(report.checks.filter((check) => check.status === 'fail'), verify.stdout).toEqual([]);
		expect(verify.code).toBe(0);
		expect(verify.stdout).not.toContain(provider.client_secret);
	});

	it('without --yes shows both sides and writes nothing', async () => {
		const harbor = await harborServer({users: ['alice']});
		const result = await run(['apply', '--idp', 'authentik', '--app', 'harbor', '--set', `idp_url=${authentik.url}`, '--set', 'slug=harbor', '--set', `app_url=${harbor.url}`], {
			SSO_SETUP_AUTHENTIK_TOKEN: authentikToken,
			SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword,
		});
		expect(result.code, result.all).toBe(0);
		expect(result.stdout).toContain('Plan for authentik (create)');
		expect(result.stdout).toContain('Harbor v2.13.1');
		expect(result.stdout).toContain('alice');
		expect(result.stdout).toContain('Nothing was written');
		expect(authentik.providers).toHaveLength(0);
		expect(puts(harbor)).toHaveLength(0);
	});

	it('verify fails the right check and exits 1 when Harbor points at the wrong issuer', async () => {
		const harbor = await harborServer();
		const env = {SSO_SETUP_AUTHENTIK_TOKEN: authentikToken, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		expect((await run(['apply', '--idp', 'authentik', '--app', 'harbor', '--set', `idp_url=${authentik.url}`, '--set', 'slug=harbor', '--set', `app_url=${harbor.url}`, '--yes'], env)).code).toBe(0);
		const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
		const issuerWithoutSlash = `${authentik.url}/application/o/harbor`;
		const verify = await run(['verify', '--session', session!.id, '--set', `issuer=${issuerWithoutSlash}`, '--json'], {SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(verify.code).toBe(1);
		const report = JSON.parse(verify.stdout) as {checks: Array<{id: string; status: string; fix?: string}>};
		const issuer = report.checks.find((check) => check.id === 'issuer');
		expect(issuer?.status).toBe('fail');
		expect(issuer?.fix).toContain(`${authentik.url}/application/o/harbor/`);
	});
});

describe('apply to Portainer', () => {
	it('keeps every unrelated setting unchanged', async () => {
		const authentik = await startFakeAuthentik({token: authentikToken});
		closers.push(() => authentik.close());
		const portainer = await startFakePortainer({adminPassword: 'Portainer-Pass-77', settings: {SnapshotInterval: '7m', EnableTelemetry: false}, oauth: {DefaultTeamID: 4}});
		closers.push(() => portainer.close());
		const before = structuredClone(portainer.settings);
		const result = await run(['apply', '--idp', 'authentik', '--app', 'portainer', '--set', `idp_url=${authentik.url}`, '--set', 'slug=portainer', '--set', `app_url=${portainer.url}`, '--yes'], {
			SSO_SETUP_AUTHENTIK_TOKEN: authentikToken,
			SSO_SETUP_PORTAINER_ADMIN_PASSWORD: 'Portainer-Pass-77',
		});
		expect(result.code, result.all).toBe(0);
		expect(portainer.contractErrors).toEqual([]);
		const after = portainer.settings;
		expect(after.AuthenticationMethod).toBe(3);
		expect(after.OAuthSettings['RedirectURI']).toBe(`${portainer.url}/`);
		expect(after.OAuthSettings['Scopes']).toBe('openid profile email');
		expect(after.OAuthSettings['DefaultTeamID']).toBe(4);
		for (const key of Object.keys(before).filter((name) => name !== 'AuthenticationMethod' && name !== 'OAuthSettings')) {
			expect(after[key], key).toEqual(before[key]);
		}
	});
});

/** OVHcloud registry ids are UUIDs (the flow refuses anything else). */
const registryId = '5e1a4f9c-2b7d-4c3e-9a61-0d8f2b6c7e14';
const ovhRegistry = {id: registryId, name: 'team-registry', region: 'GRA', status: 'READY', url: 'https://k7x2p9.c1.gra9.container-registry.ovh.net'};

describe('apply to an OVHcloud Managed Private Registry', () => {
	it('refuses to send deleteUsers without confirmation, and sends it with the exact list', async () => {
		const ovh = await startFakeOvh({users: ['registry-admin', 'ci-bot'], pollsUntilDone: 0, applicationKey: 'ak-test', applicationSecret: 'as-test', consumerKey: 'ck-test', projects: {'project-1': [ovhRegistry]}});
		closers.push(() => ovh.close());
		const args = [
			'apply', '--idp', 'oidc', '--app', 'ovh-mpr',
			'--set', 'issuer=https://login.example.com', '--set', 'client_id=registry',
			'--set', 'app_url=https://registry.example.com',
			'--set', `ovh_endpoint=${ovh.endpoint}`, '--set', 'ovh_application_key=ak-test',
			'--set', `ovh_service_name=${ovh.serviceName}`, '--set', `ovh_registry_id=${ovh.registryId}`,
			'--yes',
		];
		const env = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_OVH_APPLICATION_SECRET: 'as-test', SSO_SETUP_OVH_CONSUMER_KEY: 'ck-test'};
		const blocked = await run(args, env);
		expect(blocked.code, blocked.all).toBe(3);
		expect(blocked.stderr).toContain('registry-admin');
		expect(blocked.stderr).toContain('ci-bot');
		const posts = () => ovh.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/openIdConnect'));
		expect(posts()).toHaveLength(0);

		const confirmed = await run([...args, '--delete-users', 'registry-admin,ci-bot'], env);
		expect(confirmed.code, confirmed.all).toBe(0);
		expect(posts()).toHaveLength(1);
		expect(posts()[0]!.body).toMatchObject({deleteUsers: true, provider: {endpoint: 'https://login.example.com', clientId: 'registry', scope: 'openid,profile,email,offline_access'}});
		expect(ovh.contractErrors).toEqual([]);
		expect(ovh.state.oidc?.status).toBe('READY');
	});
});

describe('issue 11: apply keycloak → ovh-mpr reads the registry URL through the OVHcloud API', () => {
	it('without app_url, plans with the registry\'s real URL, then stops with exit 3 naming the local users', async () => {
		const ovh = await startFakeOvh({users: ['registry-admin', 'ci-bot'], pollsUntilDone: 0, applicationKey: 'ak-test', applicationSecret: 'as-test', consumerKey: 'ck-test', projects: {'project-1': [ovhRegistry]}});
		closers.push(() => ovh.close());
		const keycloak = await startFakeKeycloak({realms: ['mpr']});
		closers.push(() => keycloak.close());
		const args = [
			'apply', '--idp', 'keycloak', '--app', 'ovh-mpr',
			'--set', `idp_url=${keycloak.url}`, '--set', 'realm=mpr',
			// The documented full base URL, on loopback: plain http is allowed there.
			'--set', `ovh_endpoint=${ovh.endpoint}`, '--set', 'ovh_application_key=ak-test',
			'--set', `ovh_service_name=${ovh.serviceName}`, '--set', `ovh_registry_id=${registryId}`,
		];
		const env = {SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: keycloak.adminPassword, SSO_SETUP_OVH_APPLICATION_SECRET: 'as-test', SSO_SETUP_OVH_CONSUMER_KEY: 'ck-test'};
		const redirectUri = `${ovhRegistry.url}/c/oidc/callback`;

		const planned = await run(args, env);
		expect(planned.code, planned.all).toBe(0);
		expect(planned.all).not.toContain('redirect_uri is missing');
		expect(planned.stdout).toContain(`the redirect URI ${redirectUri}`);
		expect(ovh.requests.some((request) => request.method === 'GET' && request.path === `/1.0/cloud/project/${ovh.serviceName}/containerRegistry`)).toBe(true);

		// checklist --session and verify read it the same way (the session holds no app_url).
		const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
		expect(session?.answers['app_url']).toBe(ovhRegistry.url);
		const sessionWithoutUrl = session!.id;
		const checklist = await run(['checklist', '--idp', 'keycloak', '--app', 'ovh-mpr', ...args.slice(5), '--format', 'json'], env);
		expect(checklist.code, checklist.stderr).toBe(0);
		expect((JSON.parse(checklist.stdout) as {values: Array<{key: string; value: string}>}).values.find((item) => item.key === 'redirect_uri')?.value).toBe(redirectUri);
		const listsBefore = ovh.requests.length;
		const fromSession = await run(['checklist', '--session', sessionWithoutUrl, '--format', 'json'], env);
		expect(fromSession.code, fromSession.stderr).toBe(0);
		expect(ovh.requests.length).toBeGreaterThan(listsBefore);
		const verify = await run(['verify', ...args.slice(1), '--json'], env);
		expect(verify.stdout).toContain(`${ovhRegistry.url}/account/sign-in`);

		const applied = await run([...args, '--yes'], env);
		expect(applied.code, applied.all).toBe(3);
		expect(applied.stderr).toContain('registry-admin');
		expect(applied.stderr).toContain('ci-bot');
		expect(applied.stderr).toContain('--delete-users registry-admin,ci-bot');
		expect(keycloak.clients.filter((client) => client.realm === 'mpr').map((client) => client.rep['redirectUris'])).toEqual([[redirectUri]]);
		const posts = ovh.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/openIdConnect'));
		expect(posts).toEqual([]);
		expect(ovh.requests.some((request) => JSON.stringify(request.body ?? '').includes('"deleteUsers":true'))).toBe(false);
		expect(ovh.contractErrors).toEqual([]);
	});
});
