import {afterEach, beforeAll, expect, it} from 'vitest';
import {requireKeychain} from '../helpers/keychain.js';
import {describeWithRealServers} from '../real-servers/availability.js';
import type {KeycloakRealm} from '../real-servers/keycloak.js';
import {type FakePortainer, startFakePortainer} from '../servers/portainer.js';
import {checks, cli, type Cli, ensureBinary, freshRealm, sharedKeycloak} from './helpers.js';

/**
 * `apply --idp keycloak --app portainer` against the real Keycloak (its admin API and its OpenID
 * endpoints). Portainer is the contract-checked fake: the Go module proxy refuses to serve
 * github.com/portainer/portainer (see the README's test section).
 */
const portainerPassword = 'Real-Portainer-Pass-31';

let session: Cli;
let realm: KeycloakRealm | undefined;
let portainer: FakePortainer | undefined;

afterEach(async () => {
	await session?.cleanUp();
	await portainer?.close();
	await realm?.remove();
	portainer = undefined;
	realm = undefined;
}, 120_000);

await describeWithRealServers('Keycloak → Portainer (real Keycloak)', ['keycloak'], () => {
	beforeAll(ensureBinary, 120_000);

	it('creates one confidential client, writes the discovered endpoints, verifies, is idempotent and rolls back', {timeout: 240_000}, async () => {
		const keycloak = sharedKeycloak()!;
		realm = await freshRealm('portainer');
		portainer = await startFakePortainer({adminPassword: portainerPassword, settings: {SnapshotInterval: '7m', EnableTelemetry: false}, oauth: {DefaultTeamID: 4}});
		session = cli();
		const before = structuredClone(portainer.settings);
		const clientsBefore = await realm.clients();
		const args = ['apply', '--idp', 'keycloak', '--app', 'portainer', '--set', `idp_url=${keycloak.url}`, '--set', `realm=${realm.name}`, '--set', `app_url=${portainer.url}`, '--set', `keycloak_admin_user=${keycloak.adminUser}`];
		const env = {SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: keycloak.adminPassword, SSO_SETUP_PORTAINER_ADMIN_PASSWORD: portainerPassword};

		const first = await session.run([...args, '--yes'], env);
		expect(first.code, first.all).toBe(0);

		// Exactly one new client, confidential, with Portainer's redirect (trailing slash).
		const clientsAfter = await realm.clients();
		const added = clientsAfter.filter((client) => !clientsBefore.some((old) => old.id === client.id));
		expect(added.map((client) => client.clientId)).toEqual(['portainer']);
		const client = added[0]!;
		expect(client['publicClient']).toBe(false);
		expect(client['standardFlowEnabled']).toBe(true);
		expect(client['redirectUris']).toEqual([`${portainer.url}/`]);
		const secret = await realm.admin<{value: string}>('GET', `/clients/${client.id}/client-secret`);

		// Portainer holds the discovered endpoints, space-separated scopes, the redirect with its slash.
		const discovery = (await (await fetch(`${keycloak.url}/realms/${realm.name}/.well-known/openid-configuration`)).json()) as Record<string, string>;
		expect(portainer.contractErrors).toEqual([]);
		const after = portainer.settings;
		expect(after.AuthenticationMethod).toBe(3);
		expect(after.OAuthSettings).toMatchObject({
			ClientID: 'portainer',
			ClientSecret: secret.value,
			AuthorizationURI: discovery['authorization_endpoint'],
			AccessTokenURI: discovery['token_endpoint'],
			ResourceURI: discovery['userinfo_endpoint'],
			// Opt-in (oidc_logout): unset, the logout URL stays as it was.
			LogoutURI: before.OAuthSettings['LogoutURI'],
			RedirectURI: `${portainer.url}/`,
			DefaultTeamID: 4,
			KubeSecretKey: before.OAuthSettings['KubeSecretKey'],
		});
		expect(String(after.OAuthSettings['Scopes'])).toMatch(/^openid( \S+)*$/);
		expect(String(after.OAuthSettings['Scopes'])).not.toContain(',');
		const {OAuthSettings: _a, AuthenticationMethod: _b, ...unrelatedAfter} = after;
		const {OAuthSettings: _c, AuthenticationMethod: _d, ...unrelatedBefore} = before;
		expect(unrelatedAfter).toEqual(unrelatedBefore);

		// verify passes against the real Keycloak.
		const verified = await session.run(['verify', '--idp', 'keycloak', '--app', 'portainer', '--set', `idp_url=${keycloak.url}`, '--set', `realm=${realm.name}`, '--set', `app_url=${portainer.url}`, '--set', 'client_id=portainer', '--json'], {...env, SSO_SETUP_CLIENT_SECRET: secret.value});
		expect(verified.code, verified.all).toBe(0);
		const results = checks(verified.stdout);
		expect(results.filter((check) => check.status === 'fail')).toEqual([]);
		expect(results.find((check) => check.id === 'client-secret')?.status).toBe('pass');
		expect(results.find((check) => check.id === 'redirect-uri')?.status).toBe('pass');

		// A second apply creates nothing in Keycloak and writes nothing to Portainer. Portainer never
		// shows its secret back, so that needs the secret's fingerprint key, kept in the keychain.
		const keychain = await requireKeychain();
		const writes = () => portainer!.requests.filter((request) => request.method !== 'GET' && request.path === '/api/settings').length;
		const writesBefore = writes();
		const clientsBeforeSecond = await realm.clients();
		const second = await session.run([...args, '--yes'], env);
		expect(second.code, second.all).toBe(0);
		expect(writes(), second.all).toBe(keychain.available ? writesBefore : writesBefore + 1);
		expect((await realm.clients()).map((c) => c.id).sort()).toEqual(clientsBeforeSecond.map((c) => c.id).sort());
		expect(await realm.admin<{value: string}>('GET', `/clients/${client.id}/client-secret`)).toEqual(secret);

		// rollback restores the previous authentication method.
		const rolledBack = await session.run(['rollback', '--yes'], env);
		expect(rolledBack.code, rolledBack.all).toBe(0);
		expect(portainer.settings.AuthenticationMethod).toBe(1);
	});
});
