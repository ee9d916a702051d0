import {afterEach, beforeAll, expect, it} from 'vitest';
import {describeWithRealServers, serverAvailability} from '../real-servers/availability.js';
import {startDex} from '../real-servers/dex.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {checks, cli, ensureBinary, freshRealm, sharedKeycloak} from './helpers.js';

/**
 * The real Keycloak (`--idp keycloak`, registered through its admin API) and the real Dex
 * (`--idp oidc`, its client static) against the fake Harbor, which checks the IdP as Harbor does
 * (its OIDC ping fetches discovery from the real IdP): apply, then verify passes.
 */
const harborPassword = 'Real-Harbor-Pass-72c4';

// Each test's servers and session, closed after it (a late hook must not close the next test's).
let closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	const mine = closers;
	closers = [];
	for (const close of mine.reverse()) await close();
}, 120_000);

const puts = (server: FakeHarbor) => server.requests.filter((request) => request.method === 'PUT' && request.path === '/api/v2.0/configurations');
const setArgs = (sets: Record<string, string>) => Object.entries(sets).flatMap(([key, value]) => ['--set', `${key}=${value}`]);

await describeWithRealServers('Keycloak → Harbor (real Keycloak, fake Harbor)', ['keycloak'], () => {
	beforeAll(ensureBinary, 120_000);

	it('apply registers one client and configures Harbor with the real issuer; verify passes', {timeout: 240_000}, async () => {
		const keycloak = sharedKeycloak()!;
		const realm = await freshRealm('harbor');
		closers.push(async () => realm.remove());
		const harbor = await startFakeHarbor({adminPassword: harborPassword});
		closers.push(async () => harbor.close());
		const session = cli();
		closers.push(async () => session.cleanUp());
		const sets = {idp_url: keycloak.url, realm: realm.name, keycloak_admin_user: keycloak.adminUser, app_url: harbor.url};
		const env = {SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: keycloak.adminPassword, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};

		const applied = await session.run(['apply', '--idp', 'keycloak', '--app', 'harbor', ...setArgs(sets), '--yes'], env);
		expect(applied.code, applied.all).toBe(0);
		const clients = (await realm.clients()).filter((client) => client.clientId === 'harbor');
		expect(clients).toHaveLength(1);
		expect(clients[0]!['redirectUris']).toEqual([`${harbor.url}/c/oidc/callback`]);
		const secret = await realm.admin<{value: string}>('GET', `/clients/${clients[0]!.id}/client-secret`);
		const discovery = (await (await fetch(`${keycloak.url}/realms/${realm.name}/.well-known/openid-configuration`)).json()) as {issuer: string};
		expect(harbor.contractErrors).toEqual([]);
		expect(puts(harbor)).toHaveLength(1);
		expect(harbor.config).toMatchObject({auth_mode: 'oidc_auth', oidc_endpoint: discovery.issuer, oidc_client_id: 'harbor', oidc_client_secret: secret.value});

		const verified = await session.run(['verify', '--idp', 'keycloak', '--app', 'harbor', ...setArgs({...sets, client_id: 'harbor'}), '--json'], {...env, SSO_SETUP_CLIENT_SECRET: secret.value});
		expect(checks(verified.stdout).filter((check) => check.status === 'fail'), verified.all).toEqual([]);
		expect(verified.code, verified.all).toBe(0);
	});
});

await describeWithRealServers('Dex → Harbor (real Dex as the generic oidc IdP, fake Harbor)', ['dex'], () => {
	beforeAll(ensureBinary, 120_000);

	it('apply configures Harbor with Dex\'s issuer; verify passes', {timeout: 240_000}, async () => {
		const found = await serverAvailability('dex');
		if (!found.available) throw new Error(found.reason);
		const harbor = await startFakeHarbor({adminPassword: harborPassword});
		closers.push(async () => harbor.close());
		const clientSecret = 'Dex-Harbor-Secret-19fe';
		const dex = await startDex(found.dir, {clients: [{id: 'harbor', secret: clientSecret, redirectURIs: [`${harbor.url}/c/oidc/callback`]}]});
		closers.push(async () => dex.stop());
		const session = cli();
		closers.push(async () => session.cleanUp());
		const sets = {issuer: dex.issuer, client_id: 'harbor', app_url: harbor.url};
		const env = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};

		const applied = await session.run(['apply', '--idp', 'oidc', '--app', 'harbor', ...setArgs(sets), '--yes'], env);
		expect(applied.code, applied.all).toBe(0);
		expect(harbor.contractErrors).toEqual([]);
		expect(harbor.config).toMatchObject({auth_mode: 'oidc_auth', oidc_endpoint: dex.issuer, oidc_client_id: 'harbor', oidc_client_secret: clientSecret});

		const verified = await session.run(['verify', '--idp', 'oidc', '--app', 'harbor', ...setArgs(sets), '--json'], env);
		expect(checks(verified.stdout).filter((check) => check.status === 'fail'), verified.all).toEqual([]);
		expect(verified.code, verified.all).toBe(0);
	});
});
