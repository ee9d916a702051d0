import {afterEach, beforeAll, expect, it} from 'vitest';
import {describeWithRealServers} from '../real-servers/availability.js';
import type {KeycloakRealm} from '../real-servers/keycloak.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {type FakeOvh, startFakeOvh} from '../servers/ovh.js';
import {checks, cli, type Cli, ensureBinary, freshRealm, sharedKeycloak} from './helpers.js';

/**
 * `apply --idp keycloak --app ovh-mpr` with the real Keycloak (admin API and OpenID endpoints) and
 * the fake OVHcloud API (no OVHcloud API can be run locally; the fake checks signatures and bodies
 * against the OVH API description), then `verify`. The registry itself (a managed Harbor, whose
 * sign-in redirect verify follows) is the fake Harbor, given the OIDC settings OVH holds.
 */
const ovhKeys = {applicationKey: 'ak-real-kc', applicationSecret: 'as-real-kc', consumerKey: 'ck-real-kc'};

let session: Cli | undefined;
let realm: KeycloakRealm | undefined;
let ovh: FakeOvh | undefined;
let registry: FakeHarbor | undefined;

afterEach(async () => {
	await session?.cleanUp();
	await ovh?.close();
	await registry?.close();
	registry = undefined;
	await realm?.remove();
	session = undefined;
	ovh = undefined;
	realm = undefined;
}, 120_000);

await describeWithRealServers('Keycloak → OVHcloud MPR (real Keycloak, fake OVH API)', ['keycloak'], () => {
	beforeAll(ensureBinary, 120_000);

	it('registers one confidential client in Keycloak, posts its issuer and secret to OVH, and verifies', {timeout: 240_000}, async () => {
		const keycloak = sharedKeycloak()!;
		realm = await freshRealm('ovh');
		registry = await startFakeHarbor({adminPassword: 'Registry-Admin-Pass-9'});
		const appUrl = registry.url;
		ovh = await startFakeOvh({pollsUntilDone: 1, ...ovhKeys, projects: {'project-1': [{id: '5e1a4f9c-2b7d-4c3e-9a61-0d8f2b6c7e14', name: 'my-registry', region: 'GRA', status: 'READY', version: '2.13.1', url: appUrl}]}});
		session = cli();
		const sets = {
			idp_url: keycloak.url,
			realm: realm.name,
			keycloak_admin_user: keycloak.adminUser,
			app_url: appUrl,
			ovh_endpoint: ovh.endpoint,
			ovh_application_key: ovhKeys.applicationKey,
			ovh_service_name: ovh.serviceName,
			ovh_registry_id: ovh.registryId,
		};
		const setArgs = Object.entries(sets).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
		const env = {SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: keycloak.adminPassword, SSO_SETUP_OVH_APPLICATION_SECRET: ovhKeys.applicationSecret, SSO_SETUP_OVH_CONSUMER_KEY: ovhKeys.consumerKey};
		const clientsBefore = await realm.clients();

		const applied = await session.run(['apply', '--idp', 'keycloak', '--app', 'ovh-mpr', ...setArgs, '--yes'], env);
		expect(applied.code, applied.all).toBe(0);

		const added = (await realm.clients()).filter((client) => !clientsBefore.some((old) => old.id === client.id));
		expect(added).toHaveLength(1);
		const client = added[0]!;
		expect(client['publicClient']).toBe(false);
		expect(client['redirectUris']).toEqual([`${appUrl}/c/oidc/callback`]);
		const secret = await realm.admin<{value: string}>('GET', `/clients/${client.id}/client-secret`);

		// OVH got the issuer Keycloak publishes (exactly), the client and its secret, comma-separated scopes.
		const discovery = (await (await fetch(`${keycloak.url}/realms/${realm.name}/.well-known/openid-configuration`)).json()) as {issuer: string};
		const posts = ovh.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/openIdConnect'));
		expect(posts).toHaveLength(1);
		expect(posts[0]!.body).toMatchObject({provider: {endpoint: discovery.issuer, clientId: client.clientId, clientSecret: secret.value}});
		const scope = String((posts[0]!.body as {provider: {scope: string}}).provider.scope);
		expect(scope.split(',')).toEqual(expect.arrayContaining(['openid', 'offline_access']));
		expect(ovh.contractErrors).toEqual([]);
		expect(ovh.state.oidc?.status).toBe('READY');
		// The managed Harbor now signs in through what OVH holds.
		const held = ovh.state.oidc!;
		Object.assign(registry.config, {auth_mode: 'oidc_auth', oidc_name: held.name, oidc_endpoint: held.endpoint, oidc_client_id: held.clientId, oidc_client_secret: ovh.state.clientSecret, oidc_scope: held.scope, oidc_user_claim: held.userClaim, oidc_auto_onboard: held.autoOnboard, oidc_verify_cert: held.verifyCert});

		// verify: the IdP checks run against the real Keycloak, the app checks against the OVH API.
		const verified = await session.run(['verify', '--idp', 'keycloak', '--app', 'ovh-mpr', ...setArgs, '--set', `client_id=${client.clientId}`, '--json'], {...env, SSO_SETUP_CLIENT_SECRET: secret.value});
		const results = checks(verified.stdout);
		expect(results.filter((check) => check.status === 'fail'), verified.all).toEqual([]);
		expect(verified.code, verified.all).toBe(0);
		for (const id of ['issuer', 'client-secret', 'redirect-uri']) {
			expect(results.find((check) => check.id === id)?.status, `${id}: ${verified.stdout}`).toBe('pass');
		}

		// Real Keycloak lists only its built-in claims in claims_supported, not the groups claim its
		// mapper adds: a warning that names the claim, never a failure.
		const scopes = results.find((check) => check.id === 'scopes');
		expect(scopes?.status, verified.stdout).toBe('warn');
		expect(scopes?.seen).toContain('groups');

		// A second apply registers nothing new and posts nothing.
		const second = await session.run(['apply', '--idp', 'keycloak', '--app', 'ovh-mpr', ...setArgs, '--yes'], env);
		expect(second.code, second.all).toBe(0);
		expect((await realm.clients()).length).toBe(clientsBefore.length + 1);
		// Without a keychain (no D-Bus session) the fingerprint of the secret already sent is not kept,
		// so the secret is sent once more, with the same settings; with one, nothing is sent.
		const postsAfter = ovh.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/openIdConnect'));
		expect(postsAfter.length).toBeLessThanOrEqual(2);
		for (const post of postsAfter) expect(post.body).toEqual(posts[0]!.body);
	});
});
