import {describe, expect, it} from 'vitest';
import {BlockedError, ExitCode, RemoteError, SsoSetupError, UsageError} from '../../../source/core/errors.js';
import {listOvhProjects, listOvhRegistries, ovhRedirectUri, readOvhRegistryUrl} from '../../../source/integrations/app/ovh-mpr/ovh-api.js';
import {createOvhMpr, listRegistryUsers, setAsAdmin} from '../../../source/integrations/app/ovh-mpr/index.js';
import {ovhBaseUrl, ovhSignature} from '../../../source/integrations/app/ovh-mpr/ovh-signing.js';
import {memoryContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakeOvh, type FakeOvh, type FakeOvhOptions} from '../../servers/ovh.js';
import {everythingShown, resumedContext, type TestContext} from './helpers/run.js';

const clientSecret = 'Sx9-oidc-secret-value';
const applicationSecret = 'test-application-secret';
const consumerKey = 'test-consumer-key';
const ovhMpr = createOvhMpr({pollIntervalMs: 1, pollTimeoutMs: 10_000});

describe('OVHcloud request signing', () => {
	it('signs as documented: $1$ + sha1(AS+CK+METHOD+URL+BODY+TS)', () => {
		// Computed by hand: printf '%s' 'app-secret-123+consumer-key-456+GET+https://eu.api.ovh.com/1.0/cloud/project++1700000000' | sha1sum
		expect(ovhSignature({applicationSecret: 'app-secret-123', consumerKey: 'consumer-key-456', method: 'GET', url: 'https://eu.api.ovh.com/1.0/cloud/project', body: '', timestamp: 1_700_000_000})).toBe(
			'$1$4da1a9a6175ba84e8a46a6469bb11e58e9c7cd5a',
		);
		expect(
			ovhSignature({
				applicationSecret: 'app-secret-123',
				consumerKey: 'consumer-key-456',
				method: 'post',
				url: 'https://eu.api.ovh.com/1.0/cloud/project/p1/containerRegistry/r1/openIdConnect',
				body: '{"deleteUsers":false}',
				timestamp: 1_700_000_042,
			}),
		).toBe('$1$3a88166acf7936302ed248ab4d26b03638ad121e');
	});

	it('maps the endpoint names and accepts a full base URL', () => {
		expect(ovhBaseUrl('ovh-eu')).toBe('https://eu.api.ovh.com/1.0');
		expect(ovhBaseUrl('ovh-ca')).toBe('https://ca.api.ovh.com/1.0');
		expect(ovhBaseUrl('ovh-us')).toBe('https://api.us.ovhcloud.com/1.0');
		expect(ovhBaseUrl('http://127.0.0.1:8080/1.0/')).toBe('http://127.0.0.1:8080/1.0');
		expect(() => ovhBaseUrl('kimsufi-eu')).toThrow(UsageError);
	});
});

describe('ovh-mpr integration', () => {
	const start = closedAfterEach(startFakeOvh);

	async function setup(options: FakeOvhOptions = {}, extraValues: Record<string, string> = {}) {
		const server = await start(options);
		const context: TestContext = memoryContext(
			{
				app_url: `https://${server.registryId}.c1.gra9.container-registry.ovh.net`,
				issuer: 'https://idp.example.com/realms/mpr',
				client_id: 'harbor',
				scopes: 'openid profile email offline_access',
				username_claim: 'preferred_username',
				groups_claim: 'groups',
				admin_group: 'harbor-admin',
				auto_onboard: 'true',
				idp_name: 'Keycloak',
				ovh_endpoint: server.endpoint,
				ovh_application_key: 'test-application-key',
				ovh_service_name: server.serviceName,
				ovh_registry_id: server.registryId,
				...extraValues,
			},
			{client_secret: clientSecret, ovh_application_secret: applicationSecret, ovh_consumer_key: consumerKey},
		);
		return {server, context};
	}

	async function run(context: TestContext, deleteUsers: string[] = []) {
		const preflight = await ovhMpr.preflight(context);
		const plan = await ovhMpr.plan(context, preflight);
		const notes = await ovhMpr.apply(context, plan, {deleteUsers});
		return {preflight, plan, notes};
	}

	const posts = (server: FakeOvh) => server.requests.filter((request) => request.method !== 'GET');

	it('refuses to send deleteUsers without confirmation, then sends it for exactly the listed users and waits for READY', async () => {
		const {server, context} = await setup({users: ['private-user-1', 'private-user-2']});
		const preflight = await ovhMpr.preflight(context);
		expect(preflight.facts).toContain('OpenID Connect: not configured');
		expect(preflight.facts).toContain(`redirect URI: https://${server.registryId}.c1.gra9.container-registry.ovh.net/c/oidc/callback`);
		expect(preflight.blockers).toHaveLength(1);
		expect(preflight.blockers[0]).toMatchObject({id: 'ovh-local-users', users: ['private-user-1', 'private-user-2']});
		expect(preflight.blockers[0]!.message).toMatch(/deletes ALL of them/);

		const plan = await ovhMpr.plan(context, preflight);
		expect(context.store.get('app-backup')).toEqual({app: 'ovh-mpr', provider: null});
		for (const deleteUsers of [[], ['private-user-1'], ['private-user-1', 'private-user-2', 'someone-else']]) {
			const refused = await ovhMpr.apply(context, plan, {deleteUsers}).catch((error: unknown) => error);
			expect(refused).toBeInstanceOf(BlockedError);
			expect((refused as BlockedError).exitCode).toBe(ExitCode.blocked);
			expect((refused as BlockedError).message).toContain('private-user-1, private-user-2');
		}

		expect(posts(server)).toEqual([]);
		const notes = await ovhMpr.apply(context, plan, {deleteUsers: ['private-user-2', 'private-user-1']});
		expect(posts(server)).toHaveLength(1);
		expect(posts(server)[0]!.body).toEqual({
			deleteUsers: true,
			provider: {
				name: 'Keycloak',
				endpoint: 'https://idp.example.com/realms/mpr',
				clientId: 'harbor',
				clientSecret,
				scope: 'openid,profile,email,offline_access',
				userClaim: 'preferred_username',
				groupsClaim: 'groups',
				adminGroup: 'harbor-admin',
				verifyCert: true,
				autoOnboard: true,
			},
		});
		expect(server.contractErrors).toEqual([]);
		expect(server.state.users).toEqual([]);
		expect(server.state.oidc?.status).toBe('READY');
		expect(context.messages.filter((message) => message.includes('waiting for the registry'))).toHaveLength(2);
		expect(context.messages.join('\n')).toContain('(INSTALLING,');
		expect(notes.join('\n')).toContain('OVHcloud deleted the local users: private-user-1, private-user-2.');
		expect(await ovhMpr.confirm(context, plan)).toEqual([]);
		expect(everythingShown(context, notes, plan)).not.toContain(clientSecret);
		expect(everythingShown(context, notes, plan)).not.toContain(applicationSecret);
		expect(everythingShown(context, notes, plan)).not.toContain(consumerKey);
	});

	it('sends deleteUsers false, explicitly, when there are no users', async () => {
		const {server, context} = await setup({}, {auto_onboard: 'false'});
		const {preflight} = await run(context);
		expect(preflight.blockers).toEqual([]);
		expect(posts(server)[0]!.body).toMatchObject({deleteUsers: false, provider: {verifyCert: true, autoOnboard: false}});
	});

	it('updates an existing configuration without deleteUsers, keeping what the values leave unsaid', async () => {
		const {server, context} = await setup({users: ['oidc-person'], oidc: {name: 'old', endpoint: 'https://old.example.com', clientId: 'old', scope: 'openid', userClaim: 'email', clientSecret: 'old-secret'}});
		delete context.values['username_claim'];
		const {preflight, plan} = await run(context);
		expect(preflight.blockers).toEqual([]);
		expect(plan.changes.find((change) => change.key === 'endpoint')).toEqual({key: 'endpoint', label: 'Endpoint (issuer)', from: 'https://old.example.com', to: 'https://idp.example.com/realms/mpr'});
		expect(posts(server)[0]!.body).toMatchObject({deleteUsers: false, provider: {userClaim: 'email', clientSecret}});
		expect(server.state.users.map((user) => user.user)).toEqual(['oidc-person']);
		expect(context.messages.join('\n')).toContain('(UPDATING,');
	});

	it('reports ERROR clearly', async () => {
		const {context} = await setup({finalStatus: 'ERROR'});
		const error = await run(context).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(SsoSetupError);
		expect((error as SsoSetupError).message).toMatch(/OVHcloud reports status ERROR for the OpenID Connect configuration of registry registry-1/);
		expect((error as SsoSetupError).hint).toMatch(/issuer is reachable/);
	});

	it('gives up waiting after the time limit, and a new run only waits', async () => {
		const server = await start({pollsUntilDone: 1000});
		const {context} = await setup();
		context.values['ovh_endpoint'] = server.endpoint;
		const impatient = createOvhMpr({pollIntervalMs: 1, pollTimeoutMs: 0});
		const preflight = await impatient.preflight(context);
		const error = await impatient.apply(context, await impatient.plan(context, preflight), {deleteUsers: []}).catch((caught: unknown) => caught);
		expect((error as SsoSetupError).message).toMatch(/still INSTALLING/);
		server.state.pollsLeft = 0;
		await run(resumedContext(context));
		expect(posts(server)).toHaveLength(1);
		expect(server.state.oidc?.status).toBe('READY');
	});

	it('continues after a failure while waiting, without sending the settings twice', async () => {
		const {server, context} = await setup({users: ['private-user-1']});
		const statusPath = `/1.0/cloud/project/${server.serviceName}/containerRegistry/${server.registryId}/openIdConnect`;
		let injected = false;
		context.progress = (message: string) => {
			context.messages.push(message);
			if (!injected && message.includes('waiting')) {
				injected = true;
				server.failNext('GET', statusPath, 503);
			}
		};

		const failure = (await run(context, ['private-user-1']).catch((caught: unknown) => caught)) as RemoteError;
		expect(failure).toBeInstanceOf(RemoteError);
		expect(failure.message).toContain('ovh-mpr: read the OpenID Connect status: the server failed (HTTP 503');
		expect(failure.hint).toMatch(/not repeated/);

		const resumed = resumedContext(context);
		const {preflight, plan, notes} = await run(resumed);
		expect(preflight.blockers).toEqual([]);
		expect(plan.changes.filter((change) => change.key !== 'status')).toEqual([]);
		expect(posts(server)).toHaveLength(1);
		expect(server.state.oidc?.status).toBe('READY');
		expect(notes.join('\n')).toContain('status is READY');
		expect(resumed.store.get('ovh-mpr-deleted-users')).toEqual(['private-user-1']);
	});

	it('waits for a configuration still being applied, and sends one that failed again', async () => {
		const {server, context} = await setup({pollsUntilDone: 1000});
		const impatient = createOvhMpr({pollIntervalMs: 1, pollTimeoutMs: 0});
		const first = await impatient.plan(context, await impatient.preflight(context));
		await expect(impatient.apply(context, first, {deleteUsers: []})).rejects.toThrow(/still INSTALLING/);
		const waiting = resumedContext(context);
		const plan = await ovhMpr.plan(waiting, await ovhMpr.preflight(waiting));
		expect(plan.changes).toEqual([{key: 'status', label: 'Status', from: 'INSTALLING', to: 'READY'}]);
		server.state.pollsLeft = 0;
		expect((await ovhMpr.apply(waiting, plan, {deleteUsers: []}))[0]).toBe('The registry already has these settings: nothing was sent.');
		expect(posts(server)).toHaveLength(1);

		server.state.oidc!.status = 'ERROR';
		const retry = resumedContext(waiting);
		const again = await ovhMpr.plan(retry, await ovhMpr.preflight(retry));
		expect(again.changes).toEqual([{key: 'status', label: 'Status', from: 'ERROR', to: 'READY'}]);
		await ovhMpr.apply(retry, again, {deleteUsers: []});
		expect(posts(server)).toHaveLength(2);
		expect(server.state.oidc?.status).toBe('READY');
	});

	it('names the credential when the signature or the consumer key is refused', async () => {
		const {context} = await setup();
		context.secrets['ovh_application_secret'] = 'not-the-secret';
		const signature = (await ovhMpr.preflight(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(signature.status).toBe(400);
		expect(signature.message).toMatch(/^ovh-mpr: read the registry: the request was refused \(HTTP 400: Invalid signature\)/);
		expect(signature.hint).toContain('ovh_application_secret');
		expect(`${signature.message} ${signature.hint}`).not.toContain('not-the-secret');

		const other = resumedContext(context);
		other.secrets['ovh_application_secret'] = applicationSecret;
		other.secrets['ovh_consumer_key'] = 'expired-key';
		const credential = (await ovhMpr.preflight(other).catch((caught: unknown) => caught)) as RemoteError;
		expect(credential.status).toBe(403);
		expect(credential.hint).toContain('ovh_consumer_key');
	});

	it('signs on the API clock, not the local one', async () => {
		const {server, context} = await setup({clockOffsetSeconds: 3600});
		await run(context);
		expect(server.state.oidc?.status).toBe('READY');
		const timestamps = server.requests.filter((request) => request.headers['x-ovh-timestamp']).map((request) => Number(request.headers['x-ovh-timestamp']));
		expect(Math.min(...timestamps)).toBeGreaterThan(Date.now() / 1000 + 3000);
		expect(server.requests.filter((request) => request.path === '/1.0/auth/time')).toHaveLength(1);
	});

	it('does not delete anything on rollback when there was no configuration before', async () => {
		const {server, context} = await setup({users: ['private-user-1']});
		await run(context, ['private-user-1']);
		const notes = await ovhMpr.rollback(context);
		expect(notes.join('\n')).toMatch(/would also delete every user/);
		expect(notes.join('\n')).toMatch(/cannot be restored: private-user-1/);
		expect(server.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
		expect(server.state.oidc).not.toBeNull();
	});

	it('rolls back to the previous configuration', async () => {
		const {server, context} = await setup({oidc: {name: 'old', endpoint: 'https://old.example.com', clientId: 'old', scope: 'openid,email', verifyCert: false}});
		await run(context);
		const notes = await ovhMpr.rollback(context);
		expect(posts(server).at(-1)!.body).toEqual({
			deleteUsers: false,
			provider: {name: 'old', endpoint: 'https://old.example.com', clientId: 'old', clientSecret, scope: 'openid,email', verifyCert: false, autoOnboard: false},
		});
		expect(server.state.oidc).toMatchObject({endpoint: 'https://old.example.com', status: 'READY'});
		expect(notes.join('\n')).toMatch(/previous one could not be restored/);
		expect(server.contractErrors).toEqual([]);
	});

	it('offers pickers, the registry URL and setAsAdmin', async () => {
		const {server, context} = await setup({
			projects: {
				'project-1': [{id: 'registry-1', name: 'main'}, {id: 'registry-2', name: 'other', url: 'other.example.net/'}],
				'project-2': [],
			},
			users: ['alice'],
		});
		expect(await listOvhProjects(context)).toEqual(['project-1', 'project-2']);
		expect(await listOvhRegistries(context, 'project-1')).toEqual([
			{id: 'registry-1', name: 'main', url: 'https://registry-1.c1.gra9.container-registry.ovh.net', region: 'GRA'},
			{id: 'registry-2', name: 'other', url: 'https://other.example.net', region: 'GRA'},
		]);
		const url = await readOvhRegistryUrl(context);
		expect(ovhRedirectUri(url)).toBe('https://registry-1.c1.gra9.container-registry.ovh.net/c/oidc/callback');
		const [alice] = await listRegistryUsers(context);
		await setAsAdmin(context, alice!.id);
		expect(server.state.users[0]!.admin).toBe(true);
		const put = server.requests.find((request) => request.method === 'PUT')!;
		expect(put.body).toBeUndefined();
		expect(put.path).toBe(`/1.0/cloud/project/project-1/containerRegistry/registry-1/users/${alice!.id}/setAsAdmin`);
	});
});
