import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {harborUsername} from '../../source/integrations/kit/harbor-sign-in.js';
import {harbor as harborApp} from '../../source/integrations/app/harbor/index.js';
import {createOvhMpr} from '../../source/integrations/app/ovh-mpr/index.js';
import {keycloak as keycloakIdp} from '../../source/integrations/idp/keycloak/index.js';
import {groupsMapper} from '../../source/integrations/idp/keycloak/keycloak-decide.js';
import {SignInFailure} from '../../source/core/sign-in.js';
import {memoryContext} from '../helpers/context.js';
import {keycloakAdminToken, type KeycloakRealm} from '../real-servers/keycloak.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {type FakeOvh, startFakeOvh} from '../servers/ovh.js';
import {expectNoSecrets, linkOf, runChain, testUser} from './sign-in-helpers.js';

/**
 * The sign-in proof's Keycloak side (its admin API makes the test user, its login form signs it
 * in) and Harbor's side against the fake Harbor, whose callback exchanges the code at Keycloak as
 * Harbor does. Each broken setup breaks its own link, and no test user is left in Keycloak or in
 * Harbor, after a success and after a failure. The same scenarios run against the real Keycloak
 * 26.7 (test/real/sign-in-keycloak.test.ts) and the fake one (test/integrations/idp/keycloak-sign-in.test.ts),
 * which keeps the fake honest: every sentence asserted here comes from the real one.
 */

const harborAdminPassword = 'Harbor-Admin-Pass-3e1';
/** The group the realm must have for the suite. */
export const adminGroup = 'harbor-admins';

/** A Keycloak and the realm the suite works in (its admin REST API, for set-up and assertions). */
export type KeycloakTarget = {url: string; adminUser: string; adminPassword: string; realm: KeycloakRealm};

/** The admin REST API of a realm that exists already (the fake Keycloak's realms come with it). */
export function existingRealm(keycloak: Pick<KeycloakTarget, 'url' | 'adminUser' | 'adminPassword'>, name: string): KeycloakRealm {
	const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
		const token = await keycloakAdminToken(keycloak);
		const response = await fetch(`${keycloak.url}/admin/realms/${name}${route}`, {
			method,
			headers: {authorization: `Bearer ${token}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`Keycloak ${method} ${route}: HTTP ${response.status} ${text}`);
		return (text ? JSON.parse(text) : undefined) as T;
	};

	return {
		name,
		admin: (method, route, body) => call(method, route, body),
		clients: () => call('GET', '/clients'),
		async createClient(client) {
			await call('POST', '/clients', {protocol: 'openid-connect', publicClient: false, standardFlowEnabled: true, ...client});
			const [created] = await call<Array<{id: string}>>('GET', `/clients?clientId=${encodeURIComponent(client.clientId)}`);
			if (!created) throw new Error(`client ${client.clientId} not found after creating it`);
			const secret = await call<{value: string}>('GET', `/clients/${created.id}/client-secret`);
			return {id: created.id, secret: secret.value};
		},
		async remove() {},
	};
}

let target: () => KeycloakTarget;
let realm: KeycloakRealm;
let clients = 0;
let closers: Array<() => Promise<unknown>> = [];

afterEach(async () => {
	const mine = closers;
	closers = [];
	for (const close of mine.reverse()) await close();
}, 60_000);

type Setup = {
	/** Harbor's OIDC settings on top of the right ones. */
	harbor?: Record<string, unknown>;
	/** The client in Keycloak on top of the right one. */
	client?: Record<string, unknown>;
	groupsMapper?: boolean;
	values?: Record<string, string>;
	/** Only users with this realm role may sign in to the client (a browser flow that denies the others). */
	restrictToRole?: string;
};

/**
 * Restricts a client as people do in Keycloak, with no extension: a copy of the browser flow whose
 * forms end in a conditional subflow "Condition - user role" (negated) → "Deny access", bound to
 * the client. A user without the role then gets Keycloak's "Access denied" page after the password.
 */
async function restrictClient(clientUuid: string, clientId: string, role: string): Promise<void> {
	const flow = `restricted-${clientId}`;
	const outsiders = `outsiders-${clientId}`;
	type Execution = {id: string; displayName?: string; providerId?: string};
	await realm.admin('POST', '/authentication/flows/browser/copy', {newName: flow});
	await realm.admin('POST', `/authentication/flows/${encodeURIComponent(`${flow} forms`)}/executions/flow`, {alias: outsiders, type: 'basic-flow', description: 'deny users without the role', provider: 'registration-page-form'});
	const subflow = (await realm.admin<Execution[]>('GET', `/authentication/flows/${encodeURIComponent(flow)}/executions`)).find((execution) => execution.displayName === outsiders)!;
	await realm.admin('PUT', `/authentication/flows/${encodeURIComponent(`${flow} forms`)}/executions`, {id: subflow.id, requirement: 'CONDITIONAL'});
	await realm.admin('POST', `/authentication/flows/${outsiders}/executions/execution`, {provider: 'conditional-user-role'});
	await realm.admin('POST', `/authentication/flows/${outsiders}/executions/execution`, {provider: 'deny-access-authenticator'});
	for (const execution of await realm.admin<Execution[]>('GET', `/authentication/flows/${outsiders}/executions`)) {
		await realm.admin('PUT', `/authentication/flows/${outsiders}/executions`, {id: execution.id, requirement: 'REQUIRED'});
		if (execution.providerId === 'conditional-user-role') {
			await realm.admin('POST', `/authentication/executions/${execution.id}/config`, {alias: `lacks-${role}-${clientId}`, config: {condUserRole: role, negate: 'true'}});
		}
	}

	const flowId = (await realm.admin<Array<{id: string; alias: string}>>('GET', '/authentication/flows')).find((candidate) => candidate.alias === flow)!.id;
	const client = await realm.admin<Record<string, unknown>>('GET', `/clients/${clientUuid}`);
	await realm.admin('PUT', `/clients/${clientUuid}`, {...client, authenticationFlowBindingOverrides: {browser: flowId}});
}

async function setUp(setup: Setup = {}) {
	const keycloak = target();
	const clientId = `harbor-${++clients}`;
	const issuer = `${keycloak.url}/realms/${realm.name}`;
	const harbor = await startFakeHarbor({goOidcPing: false, adminPassword: harborAdminPassword});
	closers.push(async () => harbor.close());
	const redirectUri = `${harbor.url}/c/oidc/callback`;
	const client = await realm.createClient({clientId, redirectUris: [redirectUri], attributes: {'pkce.code.challenge.method': 'S256'}, ...setup.client});
	if (setup.groupsMapper !== false) await realm.admin('POST', `/clients/${client.id}/protocol-mappers/models`, groupsMapper('groups'));
	if (setup.restrictToRole) await restrictClient(client.id, clientId, setup.restrictToRole);
	Object.assign(harbor.config, {
		auth_mode: 'oidc_auth',
		oidc_endpoint: issuer,
		oidc_client_id: clientId,
		oidc_client_secret: client.secret,
		oidc_scope: 'openid,profile,email,offline_access',
		oidc_user_claim: 'preferred_username',
		oidc_groups_claim: 'groups',
		oidc_admin_group: adminGroup,
		oidc_auto_onboard: true,
		...setup.harbor,
	});
	const context = memoryContext(
		{
			app: 'harbor',
			idp_url: keycloak.url,
			realm: realm.name,
			keycloak_admin_user: keycloak.adminUser,
			app_url: harbor.url,
			client_id: clientId,
			issuer,
			redirect_uri: redirectUri,
			username_claim: 'preferred_username',
			groups_claim: 'groups',
			admin_group: adminGroup,
			...setup.values,
		},
		{keycloak_admin_password: keycloak.adminPassword, harbor_admin_password: harborAdminPassword},
		{timeoutMs: 20_000},
	);
	return {keycloak, harbor, context, clientId, redirectUri, origins: [harbor.url, keycloak.url]};
}

/** No sso-setup test user in the realm, and none left in Harbor (deleted users are kept, marked deleted). */
async function expectNoTestUsers(harbor: FakeHarbor) {
	const users = await realm.admin<Array<{username: string}>>('GET', '/users?search=sso-setup-test&max=100');
	expect(users.map((user) => user.username)).toEqual([]);
	expect(harbor.users.filter((user) => !user.deleted && user.user_id > 2).map((user) => user.username)).toEqual([]);
	expect(harbor.contractErrors).toEqual([]);
}

/** The scenarios, against the Keycloak `get` gives once the caller's beforeAll made it (its realm has the group adminGroup). */
export function keycloakSignInSuite(get: () => KeycloakTarget, options: {authenticationFlows?: boolean} = {}): void {
	beforeAll(() => {
		target = get;
		realm = get().realm;
	});

	// The fake Keycloak has no authentication flows: this one runs against the real Keycloak only.
	it.runIf(options.authenticationFlows)('a user outside the group the client is restricted to breaks the IdP login; a member signs in', {timeout: 120_000}, async () => {
		const role = 'harbor-user';
		const members = 'harbor-users';
		await realm.admin('POST', '/roles', {name: role});
		await realm.admin('POST', '/groups', {name: members});
		const [group] = await realm.admin<Array<{id: string}>>('GET', `/groups?search=${members}&exact=true`);
		await realm.admin('POST', `/groups/${group!.id}/role-mappings/realm`, [await realm.admin('GET', `/roles/${role}`)]);
		const {harbor, context, origins, clientId} = await setUp({restrictToRole: role});

		const outsider = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, user: testUser([adminGroup]), usernameClaim: 'preferred_username'});
		expect(linkOf(outsider)).toBe('idp-login');
		expect(outsider.failure?.seen).toMatch(/^Keycloak refused "sso-setup-test-[0-9a-f]+": "Access denied" \(HTTP 401\)\.$/);
		expect(outsider.failure?.fix).toBe(`Keycloak did not let the user sign in to client ${clientId}: if the client restricts who may sign in (an authentication flow, a policy, a group), the user must meet it, or lift the restriction.`);
		expectNoSecrets(outsider);

		const member = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, user: testUser([adminGroup, members]), usernameClaim: 'preferred_username'});
		expect(linkOf(member), member.failure?.seen).toBe('passed');
		expect(member.result?.admin).toBe(true);
		expect(harbor.signIns).toHaveLength(1);
		await expectNoTestUsers(harbor);
	});

	describe('Harbor', () => {
		it('signs a new test user in: onboarded under preferred_username, an admin by its group; then nothing is left', {timeout: 120_000}, async () => {
			const {harbor, context, origins} = await setUp();
			const outcome = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, user: testUser([adminGroup]), usernameClaim: 'preferred_username'});
			expect(linkOf(outcome), outcome.failure?.seen).toBe('passed');
			expect(outcome.result).toMatchObject({username: outcome.record!.username, admin: true});
			expect(outcome.result?.onboardingPrompt).toBeUndefined();
			expect(outcome.claims).toMatchObject({preferred_username: outcome.record!.username, sub: outcome.record!.id});
			expect(harbor.signIns).toEqual([{status: 302, outcome: 'onboarded', username: outcome.record!.username, admin: true}]);
			expect(outcome.cleanUp).toEqual({app: 'deleted', idp: 'deleted'});
			expectNoSecrets(outcome);
			await expectNoTestUsers(harbor);
		});

		it("with Harbor's default claim (name), the blanks Harbor turns into _ still count as the claim's name", {timeout: 120_000}, async () => {
			const {harbor, context, origins} = await setUp({harbor: {oidc_user_claim: ''}, values: {username_claim: ''}});
			const outcome = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins});
			expect(linkOf(outcome), outcome.failure?.seen).toBe('passed');
			const name = outcome.claims!['name']!;
			expect(name).toContain(' ');
			expect(harbor.signIns[0]?.username).toBe(harborUsername(name));
			expect(outcome.result?.username).toBe(name);
			expect(outcome.result?.exchangeSeen).toContain(harborUsername(name));
			expect(outcome.cleanUp).toEqual({app: 'deleted', idp: 'deleted'});
			await expectNoTestUsers(harbor);
		});

		it('a wrong client secret in Harbor breaks the code exchange', {timeout: 120_000}, async () => {
			const {harbor, context, origins, clientId} = await setUp({harbor: {oidc_client_secret: 'not-the-secret'}});
			const outcome = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, usernameClaim: 'preferred_username'});
			expect(linkOf(outcome)).toBe('code-exchange');
			expect(outcome.failure?.seen).toBe('Harbor could not exchange the code for tokens (HTTP 400: oauth2: "unauthorized_client" "Invalid client or Invalid client credentials").');
			expect(outcome.failure?.fix).toContain(`client secret of client ${clientId}`);
			expect(outcome.cleanUp).toEqual({app: 'absent', idp: 'deleted'});
			expectNoSecrets(outcome);
			await expectNoTestUsers(harbor);
		});

		it('a redirect URI Keycloak does not have breaks the IdP authorize, naming the fix', {timeout: 120_000}, async () => {
			const {harbor, context, origins, clientId, redirectUri} = await setUp({client: {redirectUris: ['https://elsewhere.example/c/oidc/callback']}});
			const outcome = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, usernameClaim: 'preferred_username'});
			expect(linkOf(outcome)).toBe('idp-authorize');
			expect(outcome.failure?.seen).toContain('Invalid parameter: redirect_uri');
			expect(outcome.failure?.fix).toBe(`Keycloak refused the redirect URI ${redirectUri}: add it to client ${clientId}'s Valid redirect URIs (realm ${realm.name}, Clients → ${clientId} → Settings).`);
			expect(harbor.signIns).toEqual([]);
			await expectNoTestUsers(harbor);
		});

		it('a username claim Keycloak does not send: Harbor falls back to the name, so the user in the app differs', {timeout: 120_000}, async () => {
			const {harbor, context, origins} = await setUp({harbor: {oidc_user_claim: 'upn'}, values: {username_claim: 'upn'}});
			const outcome = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, usernameClaim: 'upn'});
			expect(linkOf(outcome), outcome.failure?.seen).toBe('passed');
			// The engine compares with claims[username_claim]: Keycloak sends no upn, so 'app-user' fails there.
			expect(outcome.claims!['upn']).toBeUndefined();
			expect(outcome.result?.username).toBe(harborUsername(outcome.claims!['name']!));
			expect(outcome.cleanUp).toEqual({app: 'deleted', idp: 'deleted'});
			await expectNoTestUsers(harbor);
		});

		it('an admin group the test user does not get (no groups claim from Keycloak) gives no admin rights', {timeout: 120_000}, async () => {
			const {harbor, context, origins} = await setUp({groupsMapper: false});
			const outcome = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, user: testUser([adminGroup]), usernameClaim: 'preferred_username'});
			expect(linkOf(outcome), outcome.failure?.seen).toBe('passed');
			expect(outcome.result?.admin).toBe(false);
			expect(outcome.cleanUp).toEqual({app: 'deleted', idp: 'deleted'});
			await expectNoTestUsers(harbor);
		});

		it('a disabled user breaks the IdP login, and one Keycloak asks for a required action too', {timeout: 120_000}, async () => {
			const {harbor, context, origins} = await setUp();
			const disabled = await runChain(context, {idp: keycloakIdp, app: harborApp}, {
				origins,
				usernameClaim: 'preferred_username',
				beforeLogin: async (record) => realm.admin('PUT', `/users/${record.id}`, {enabled: false}),
			});
			expect(linkOf(disabled)).toBe('idp-login');
			expect(disabled.failure?.seen).toContain('Account is disabled');
			expect(disabled.failure?.fix).toContain('Enable the user');
			expectNoSecrets(disabled);

			const restricted = await runChain(context, {idp: keycloakIdp, app: harborApp}, {
				origins,
				usernameClaim: 'preferred_username',
				beforeLogin: async (record) => realm.admin('PUT', `/users/${record.id}`, {requiredActions: ['UPDATE_PASSWORD']}),
			});
			expect(linkOf(restricted)).toBe('idp-login');
			expect(restricted.failure?.seen).toContain('required action UPDATE_PASSWORD');
			expect(harbor.signIns).toEqual([]);
			await expectNoTestUsers(harbor);
		});

		it('with automatic onboarding off, the onboarding prompt counts as signed in, with no admin answer and no Harbor user', {timeout: 120_000}, async () => {
			const {harbor, context, origins} = await setUp({harbor: {oidc_auto_onboard: false}});
			const outcome = await runChain(context, {idp: keycloakIdp, app: harborApp}, {origins, user: testUser([adminGroup]), usernameClaim: 'preferred_username'});
			expect(linkOf(outcome), outcome.failure?.seen).toBe('passed');
			expect(outcome.result).toMatchObject({username: outcome.record!.username, admin: undefined, onboardingPrompt: true});
			expect(outcome.cleanUp).toEqual({app: 'absent', idp: 'deleted'});
			await expectNoTestUsers(harbor);
		});

		it('an admin group that Keycloak does not have fails before any user is made; the clean-up finds users by name', {timeout: 120_000}, async () => {
			const {harbor, context} = await setUp({values: {admin_group: 'no-such-group'}});
			const failure = await keycloakIdp.signIn!.createTestUser!(context, testUser(['no-such-group'])).catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(SignInFailure);
			expect((failure as SignInFailure).link).toBe('admin-rights');
			expect((failure as SignInFailure).seen).toBe(`Keycloak realm ${realm.name} has no group "no-such-group", so no one can get the admin rights it should give.`);
			// Another group (one the client is restricted to) that is missing breaks the login instead.
			const other = await keycloakIdp.signIn!.createTestUser!(context, testUser(['no-such-members'])).catch((error: unknown) => error);
			expect(other).toMatchObject({link: 'idp-login', seen: `Keycloak realm ${realm.name} has no group "no-such-members" to put the test user in.`});
			await expectNoTestUsers(harbor);

			// A run interrupted after the creation left only the name in the session: the clean-up finds it.
			const created = await keycloakIdp.signIn!.createTestUser!(context, testUser());
			expect(await keycloakIdp.signIn!.deleteTestUser!(context, {username: created.record.username, where: created.record.where})).toBe('deleted');
			expect(await keycloakIdp.signIn!.deleteTestUser!(context, created.record)).toBe('absent');
			await expect(keycloakIdp.signIn!.deleteTestUser!(context, {username: 'admin', where: 'x'})).rejects.toThrow(/not a name sso-setup gives its test users/);
			await expectNoTestUsers(harbor);
		});
	});

	describe('OVHcloud MPR (the registry is the fake Harbor, its users seen and deleted through the fake OVH API)', () => {
		const ovhKeys = {applicationKey: 'ak-sign-in', applicationSecret: 'as-sign-in', consumerKey: 'ck-sign-in'};

		async function withOvh(setup: Setup = {}) {
			const base = await setUp(setup);
			const registry = base.harbor;
			const ovh: FakeOvh = await startFakeOvh({
				...ovhKeys,
				projects: {'project-1': [{id: 'registry-1', name: 'my-registry', url: registry.url}]},
				registry: {
					users: () => registry.users.filter((user) => user.oidc && !user.deleted).map((user) => ({id: String(user.user_id), user: user.username, email: user.email ?? ''})),
					deleteUser(id) {
						const user = registry.users.find((entry) => String(entry.user_id) === id && !entry.deleted);
						if (user) user.deleted = true;
						return Boolean(user);
					},
				},
			});
			closers.push(async () => ovh.close());
			Object.assign(base.context.values, {app: 'ovh-mpr', ovh_endpoint: ovh.endpoint, ovh_application_key: ovhKeys.applicationKey, ovh_service_name: ovh.serviceName, ovh_registry_id: ovh.registryId});
			Object.assign(base.context.secrets, {ovh_application_secret: ovhKeys.applicationSecret, ovh_consumer_key: ovhKeys.consumerKey});
			delete base.context.secrets['harbor_admin_password'];
			return {...base, ovh};
		}

		it('signs the test user in at the registry and deletes its copy through the OVHcloud API', {timeout: 120_000}, async () => {
			const {harbor, context, origins, ovh} = await withOvh();
			const outcome = await runChain(context, {idp: keycloakIdp, app: createOvhMpr()}, {origins, user: testUser([adminGroup]), usernameClaim: 'preferred_username'});
			expect(linkOf(outcome), outcome.failure?.seen).toBe('passed');
			expect(outcome.result).toMatchObject({username: outcome.record!.username, admin: true});
			expect(outcome.result?.exchangeSeen).toMatch(/^The registry exchanged the code/);
			expect(outcome.cleanUp).toEqual({app: 'deleted', idp: 'deleted'});
			expect(ovh.state.deletedUsers).toEqual([outcome.record!.username]);
			expect(ovh.contractErrors).toEqual([]);
			expectNoSecrets(outcome);
			await expectNoTestUsers(harbor);
		});

		it("a wrong client secret in the registry breaks the code exchange, naming the registry's settings", {timeout: 120_000}, async () => {
			const {harbor, context, origins} = await withOvh({harbor: {oidc_client_secret: 'not-the-secret'}});
			const outcome = await runChain(context, {idp: keycloakIdp, app: createOvhMpr()}, {origins, usernameClaim: 'preferred_username'});
			expect(linkOf(outcome)).toBe('code-exchange');
			expect(outcome.failure?.fix).toContain("in the registry's OpenID Connect settings");
			expect(outcome.cleanUp).toEqual({app: 'absent', idp: 'deleted'});
			await expectNoTestUsers(harbor);
		});
	});
}
