import {afterEach, beforeAll, expect, it} from 'vitest';
import {listSessions} from '../../source/core/session/store.js';
import {describeWithRealServers} from '../real-servers/availability.js';
import type {KeycloakRealm} from '../real-servers/keycloak.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {chainOf, expectBrokenAt, expectNoSecrets, secretsSeenBy} from '../sign-in/cli-secrets.js';
import {cli, type Cli, ensureBinary, freshRealm, sharedKeycloak} from './helpers.js';

/**
 * `verify --sign-in --yes` with the built binary, real Keycloak → the fake Harbor: Keycloak makes
 * the test user and signs it in with its login form, Harbor's callback exchanges the code at the
 * real Keycloak with its own secret, verifies the ID token and onboards the user. The setup is made
 * by `apply` (the client, its groups mapper, Harbor's settings). Keycloak → Portainer and Dex →
 * Portainer are in verify-sign-in.test.ts (with Ctrl+C and a killed run); here: the admin rights
 * through the admin group, a username claim Keycloak does not send, and Harbor's onboarding prompt.
 */

const harborPassword = 'Real-Harbor-Admin-Pass-47';
const adminGroup = 'harbor-admins';

let session: Cli | undefined;
let realm: KeycloakRealm | undefined;
let harbor: FakeHarbor | undefined;

afterEach(async () => {
	await session?.cleanUp();
	await harbor?.close();
	await realm?.remove();
	session = undefined;
	harbor = undefined;
	realm = undefined;
}, 120_000);

await describeWithRealServers('verify --sign-in: real Keycloak → Harbor (fake), the built binary', ['keycloak'], () => {
	beforeAll(ensureBinary, 120_000);

	/** apply against the real Keycloak and the fake Harbor, with the admin group; returns the session and what the tests ask of it. */
	async function applied(extra: string[] = []) {
		const keycloak = sharedKeycloak()!;
		realm = await freshRealm('verify-sign-in-harbor');
		await realm.admin('POST', '/groups', {name: adminGroup});
		harbor = await startFakeHarbor({adminPassword: harborPassword});
		session = cli('sso-setup-sign-in-harbor-');
		const env = {SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: keycloak.adminPassword, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		const args = ['--idp', 'keycloak', '--app', 'harbor', '--set', `idp_url=${keycloak.url}`, '--set', `realm=${realm.name}`, '--set', `app_url=${harbor.url}`, '--set', `keycloak_admin_user=${keycloak.adminUser}`];
		const apply = await session.run(['apply', ...args, '--set', 'groups_claim=groups', '--set', `admin_group=${adminGroup}`, ...extra, '--yes'], env);
		expect(apply.code, apply.all).toBe(0);
		const [saved] = listSessions({SSO_SETUP_HOME: session.home}).sessions;
		const inRealm = realm;
		const inHarbor = harbor;
		const [client] = await inRealm.admin<Array<{id: string}>>('GET', `/clients?clientId=${encodeURIComponent(String(inHarbor.config['oidc_client_id']))}`);
		const {value: clientSecret} = await inRealm.admin<{value: string}>('GET', `/clients/${client!.id}/client-secret`);
		const verifyEnv = {...env, SSO_SETUP_CLIENT_SECRET: clientSecret};
		const current = session;
		return {
			id: saved!.id,
			home: session.home,
			signIn: async (more: string[] = []) => current.run(['verify', '--session', saved!.id, '--sign-in', '--yes', ...more], verifyEnv),
			keycloakTestUsers: async () => (await inRealm.admin<Array<{username: string}>>('GET', '/users?search=sso-setup-test-')).map((user) => user.username),
			harborTestUsers: () => inHarbor.users.filter((user) => !user.deleted && user.username.startsWith('sso-setup-test-')).map((user) => user.username),
			secrets: () => [...Object.values(verifyEnv), ...secretsSeenBy([inHarbor]), ...inHarbor.sessionIds()],
		};
	}

	it('the full chain passes with admin rights through the admin group; no test user is left in Keycloak or in Harbor', {timeout: 240_000}, async () => {
		const setup = await applied();
		expect(harbor!.config).toMatchObject({oidc_groups_claim: 'groups', oidc_admin_group: adminGroup, oidc_auto_onboard: true});
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(0);
		const {json, statuses, link} = chainOf(result.stdout);
		expect(json.signIn.status, result.stdout).toBe('passed');
		expect(Object.values(statuses).every((status) => status === 'passed'), result.stdout).toBe(true);
		const username = json.signIn.testUser!.username;
		expect(link('admin-rights').seen).toBe(`${username} is an administrator in Harbor (group ${adminGroup}).`);
		// Harbor's own callback exchanged the code at Keycloak and onboarded the user as admin through the groups claim.
		expect(harbor!.signIns).toEqual([{status: 302, outcome: 'onboarded', username, admin: true}]);
		expect(harbor!.users.find((user) => user.username === username)).toMatchObject({deleted: true, oidc: {groups: [adminGroup]}});
		expect(json.signIn.cleanup).toMatchObject({complete: true, left: []});
		expect(await setup.keycloakTestUsers()).toEqual([]);
		expect(setup.harborTestUsers()).toEqual([]);
		expectNoSecrets(result, setup.home, setup.secrets());

		const text = await setup.signIn();
		expect(text.code, text.all).toBe(0);
		expect(text.stdout.replaceAll('\n  → ', ' → ')).toContain('app sign-in start ✔ → IdP authorize ✔ → IdP login ✔ → back at the app ✔ → code exchanged by the app ✔ → user in the app ✔ → admin rights ✔');
		expect(text.stdout).toContain('✔ Sign-in proof passed.');
		expect(await setup.keycloakTestUsers()).toEqual([]);
		expect(setup.harborTestUsers()).toEqual([]);
		expect(harbor!.contractErrors).toEqual([]);
	});

	it('a username claim Keycloak does not send: Harbor falls back to the name, and the user in the app breaks; nothing is left', {timeout: 240_000}, async () => {
		const setup = await applied(['--set', 'username_claim=upn']);
		expect(harbor!.config['oidc_user_claim']).toBe('upn');
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(1);
		const {json, statuses, link} = chainOf(result.stdout);
		expect(json.signIn.status).toBe('failed');
		expectBrokenAt(statuses, 'app-user');
		const [signedIn] = harbor!.signIns;
		expect(signedIn).toMatchObject({status: 302, outcome: 'onboarded'});
		// Harbor named the user from the name claim, not after the test user.
		expect(signedIn!.username).not.toBe(json.signIn.testUser!.username);
		expect(link('app-user').seen).toContain(`Harbor signed the test user in as ${signedIn!.username}`);
		expect(link('app-user').seen).toContain('Keycloak sends no upn claim for the test user');
		expect(link('app-user').fix).toContain('upn');
		expect(json.signIn.cleanup).toMatchObject({complete: true, left: []});
		expect(await setup.keycloakTestUsers()).toEqual([]);
		expect(setup.harborTestUsers()).toEqual([]);
		expect(harbor!.users.find((user) => user.username === signedIn!.username)?.deleted).toBe(true);
		expectNoSecrets(result, setup.home, setup.secrets());

		const text = await setup.signIn();
		expect(text.code).toBe(1);
		expect(text.stdout.replaceAll('\n  → ', ' → ')).toContain('code exchanged by the app ✔ → user in the app ✖ → admin rights ·');
		expect(setup.harborTestUsers()).toEqual([]);
	});

	it("Harbor with automatic onboarding off: its onboarding prompt is reported as a successful sign-in; no user is left", {timeout: 240_000}, async () => {
		const setup = await applied(['--set', 'auto_onboard=false']);
		expect(harbor!.config['oidc_auto_onboard']).toBe(false);
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(0);
		const {json, statuses, link} = chainOf(result.stdout);
		expect(json.signIn.status, result.stdout).toBe('passed');
		expect(json.signIn.onboardingPrompt).toBe(true);
		const username = json.signIn.testUser!.username;
		expect(statuses).toMatchObject({'app-callback': 'passed', 'code-exchange': 'passed', 'app-user': 'passed', 'admin-rights': 'skipped'});
		expect(link('app-user').seen).toBe(`Harbor asks the user to confirm the name ${username} (automatic onboarding is off): the sign-in worked.`);
		expect(link('admin-rights').seen).toContain('decides admin rights once the user confirms the name');
		expect(harbor!.signIns).toEqual([{status: 302, outcome: 'onboard-prompt', username, admin: true}]);
		// Nobody confirmed the name, so Harbor holds no user; Keycloak's is deleted.
		expect(harbor!.users.filter((user) => user.username.startsWith('sso-setup-test-'))).toEqual([]);
		expect(await setup.keycloakTestUsers()).toEqual([]);
		expect(json.signIn.cleanup).toMatchObject({complete: true, left: []});

		const text = await setup.signIn();
		expect(text.code, text.all).toBe(0);
		expect(text.stdout).toContain('(automatic onboarding is off): the sign-in worked.');
		expect(text.stdout).toContain('✔ Sign-in proof passed');
	});
});
