import {describe, expect, it} from 'vitest';
import {RemoteError, UsageError} from '../../../source/core/errors.js';
import {keycloak} from '../../../source/integrations/idp/keycloak/index.js';
import {memoryContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakeKeycloak, type FakeKeycloak, type FakeKeycloakOptions} from '../../servers/keycloak.js';
import {harborValues, portainerValues, visibleOutput} from './values.js';

describe('Keycloak registration', () => {
	let server: FakeKeycloak;
	const startFake = closedAfterEach(startFakeKeycloak);
	const start = async (options: FakeKeycloakOptions = {}) => {
		server = await startFake(options);
		return server;
	};

	const contextFor = (values: Record<string, string> = {}, password = server.adminPassword) =>
		memoryContext({...harborValues(server.baseUrl), realm: 'apps', keycloak_admin_user: server.adminUser, ...values}, {keycloak_admin_password: password});

	const adminWrites = () => server.requests.filter((request) => request.method !== 'GET' && request.path.includes('/admin/'));

	it('creates a confidential client with PKCE, the redirect URI and a groups mapper', async () => {
		await start();
		const context = contextFor();
		const plan = await keycloak.plan(context);
		expect(plan.action).toBe('create');
		expect(plan.changes.map((change) => change.key)).toContain('groups_mapper');
		expect(plan.summary.join(' ')).toContain(`${server.url}/realms/apps`);
		expect(adminWrites()).toEqual([]);

		const result = await keycloak.register(context, plan);
		expect(server.contractErrors).toEqual([]);
		expect(server.clients).toHaveLength(1);
		const [client] = server.clients;
		const create = server.requests.find((request) => request.method === 'POST' && request.path === '/admin/realms/apps/clients')!.body as Record<string, any>;
		expect(create).toMatchObject({
			clientId: 'harbor',
			protocol: 'openid-connect',
			publicClient: false,
			standardFlowEnabled: true,
			redirectUris: ['https://harbor.example.com/c/oidc/callback'],
			rootUrl: 'https://harbor.example.com',
			webOrigins: ['+'],
			attributes: {'pkce.code.challenge.method': 'S256'},
		});
		expect(client!.mappers).toEqual([
			expect.objectContaining({protocolMapper: 'oidc-group-membership-mapper', config: expect.objectContaining({'claim.name': 'groups', 'full.path': 'false', 'id.token.claim': 'true'})}),
		]);
		expect(result).toMatchObject({clientId: 'harbor', issuer: `${server.url}/realms/apps`, warnings: []});
		expect(context.values['client_id']).toBe('harbor');
		expect(context.secrets['client_secret']).toBe(client!.rep['secret']);
		expect(context.store.get('idp-registration')).toMatchObject({idp: 'keycloak', realm: 'apps', clientUuid: client!.id, clientId: 'harbor'});
		expect(visibleOutput(context, result, plan)).not.toContain(client!.rep['secret']);
	});

	it('sets post-logout redirect URIs joined with ## and leaves PKCE off for Portainer', async () => {
		await start();
		const context = memoryContext({...portainerValues(server.url), realm: 'apps', client_id: 'portainer'}, {keycloak_admin_password: server.adminPassword});
		await keycloak.register(context, await keycloak.plan(context));
		const rep = server.clients[0]!.rep;
		expect(rep['attributes']).toEqual({'post.logout.redirect.uris': 'https://portainer.example.com/'});
		expect(server.clients[0]!.mappers).toEqual([]);

		// A second logout URI is added with the ## separator.
		const again = memoryContext({...portainerValues(server.url), realm: 'apps', client_id: 'portainer', post_logout_redirect_uri: 'https://portainer.example.com/bye'}, {keycloak_admin_password: server.adminPassword});
		await keycloak.register(again, await keycloak.plan(again));
		expect(rep['attributes']['post.logout.redirect.uris']).toBe('https://portainer.example.com/##https://portainer.example.com/bye');
		expect(server.clients).toHaveLength(1);
	});

	it('updates the existing client on a re-run and does not add a second mapper', async () => {
		await start();
		const first = contextFor();
		await keycloak.register(first, await keycloak.plan(first));
		const client = server.clients[0]!;
		const writes = adminWrites().length;

		expect(await keycloak.plan(first)).toMatchObject({action: 'none', changes: []});
		const fresh = contextFor();
		const readOnly = await keycloak.plan(fresh);
		expect(readOnly.changes).toEqual([expect.objectContaining({key: 'client_secret', secret: true})]);
		await keycloak.register(fresh, readOnly);
		expect(adminWrites()).toHaveLength(writes);
		expect(fresh.secrets['client_secret']).toBe(client.rep['secret']);

		client.rep['publicClient'] = true;
		client.rep['standardFlowEnabled'] = false;
		client.rep['redirectUris'] = ['https://old.example.com/*'];
		client.rep['attributes'] = {};
		const context = contextFor();
		const plan = await keycloak.plan(context);
		expect(plan.action).toBe('update');
		expect(plan.changes.map((change) => change.key).sort()).toEqual(['client_type', 'pkce', 'redirect_uris', 'standard_flow']);
		await keycloak.register(context, plan);
		expect(server.clients).toHaveLength(1);
		expect(client.mappers).toHaveLength(1);
		expect(client.rep).toMatchObject({publicClient: false, standardFlowEnabled: true, redirectUris: ['https://old.example.com/*', 'https://harbor.example.com/c/oidc/callback']});
		expect(client.rep['attributes']['pkce.code.challenge.method']).toBe('S256');
		expect(server.contractErrors).toEqual([]);
	});

	it('turns a 409 on create into an update of the existing client', async () => {
		await start();
		const context = contextFor();
		const plan = await keycloak.plan(context);
		server.beforeNext({method: 'POST', path: '/admin/realms/apps/clients', run: () => server.addClient('apps', {clientId: 'harbor', secret: 'made-by-hand-secret', redirectUris: []})});
		const result = await keycloak.register(context, plan);
		expect(server.requests.filter((request) => request.method === 'POST' && request.path === '/admin/realms/apps/clients')).toHaveLength(1);
		expect(server.requests.some((request) => request.method === 'PUT')).toBe(true);
		expect(server.clients).toHaveLength(1);
		expect(server.clients[0]!.rep['redirectUris']).toEqual(['https://harbor.example.com/c/oidc/callback']);
		expect(context.secrets['client_secret']).toBe('made-by-hand-secret');
		expect(JSON.stringify(result)).not.toContain('made-by-hand-secret');
	});

	it('resumes after an interruption without a second client, and keeps the secret out of the error', async () => {
		await start();
		const context = contextFor();
		const plan = await keycloak.plan(context);
		server.failNext({method: 'POST', path: /protocol-mappers\/models$/});
		const error = (await keycloak.register(context, plan).catch((caught: unknown) => caught)) as RemoteError;
		expect(error).toBeInstanceOf(RemoteError);
		expect(error.message).toMatch(/^keycloak: add the groups mapper: .*HTTP 503/);
		const secret = server.clients[0]!.rep['secret'] as string;
		expect(context.secrets['client_secret']).toBe(secret);
		expect(`${error.message} ${error.hint ?? ''}`).not.toContain(secret);
		expect(context.store.get('idp-registration')).toMatchObject({clientUuid: server.clients[0]!.id});

		const resumed = await keycloak.plan(context);
		expect(resumed.action).toBe('update');
		expect(resumed.changes.map((change) => change.key)).toEqual(['groups_mapper']);
		await keycloak.register(context, resumed);
		expect(server.clients).toHaveLength(1);
		expect(server.clients[0]!.mappers).toHaveLength(1);
	});

	it('refuses a wrong password and says which credential', async () => {
		await start();
		const error = (await keycloak.plan(contextFor({}, 'wrong-password')).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('bad-credential');
		expect(error.message).toContain('keycloak_admin_password');
		expect(error.message).toContain('"admin"');
		expect(error.message).toContain('Invalid user credentials');
		expect(error.hint).toContain('SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD');
		expect(`${error.message}${error.hint}`).not.toContain('wrong-password');

		const missing = await keycloak.plan(memoryContext({...harborValues(server.url), realm: 'apps'}, {})).catch((caught: unknown) => caught);
		expect(missing).toBeInstanceOf(UsageError);
		expect((missing as UsageError).message).toContain('keycloak_admin_password');
	});

	it('explains the 26.8.2 kc-admin-api scope when the admin API answers 401', async () => {
		await start({version: '26.8.2', adminApiScopeMissing: true});
		const error = (await keycloak.plan(contextFor()).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('admin-api-refused');
		expect(error.hint).toContain('kc-admin-api');
	});

	it('names the missing role', async () => {
		await start({deny: ['manage-clients']});
		const context = contextFor();
		const error = (await keycloak.register(context, await keycloak.plan(context)).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('missing-permission');
		expect(error.message).toContain('manage-clients');
		expect(server.clients).toHaveLength(0);
	});

	it('says when the realm does not exist', async () => {
		await start();
		const error = (await keycloak.plan(contextFor({realm: 'nope'})).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('realm-not-found');
		expect(error.message).toContain('"nope"');
	});

	it('finds the legacy /auth prefix, or respects an idp_url that has it', async () => {
		await start({version: '16.1.1', legacyAuthPrefix: true});
		const found = memoryContext({...harborValues(server.url), realm: 'apps'}, {keycloak_admin_password: server.adminPassword});
		const plan = await keycloak.plan(found);
		expect(plan.warnings.join(' ')).toContain(`${server.url}/auth`);
		const result = await keycloak.register(found, plan);
		expect(result.issuer).toBe(`${server.url}/auth/realms/apps`);
		expect(server.requests.filter((request) => request.path === '/realms/master/protocol/openid-connect/token')).toHaveLength(2);

		const given = contextFor();
		expect(given.values['idp_url']).toBe(`${server.url}/auth`);
		const again = await keycloak.register(given, await keycloak.plan(given));
		expect(again.issuer).toBe(`${server.url}/auth/realms/apps`);
		expect(again.warnings).toEqual([]);
		expect(server.clients).toHaveLength(1);
	});
});

describe('fake Keycloak as an OpenID provider', () => {
	let server: FakeKeycloak;
	const start = closedAfterEach(startFakeKeycloak);

	it.each([
		{version: '26.0.5', wrong: 'Invalid client or Invalid client credentials'},
		{version: '19.0.3', wrong: 'Invalid client secret'},
	])('answers the probes of section D like Keycloak $version', async ({version, wrong}) => {
		server = await start({version});
		server.addClient('apps', {clientId: 'harbor', secret: 'right-secret', redirectUris: ['https://harbor.example.com/c/oidc/callback']});
		const discovery = await (await fetch(`${server.url}/realms/apps/.well-known/openid-configuration`)).json();
		expect(discovery.issuer).toBe(`${server.url}/realms/apps`);
		const probe = async (secret: string) => {
			const response = await fetch(discovery.token_endpoint, {
				method: 'POST',
				headers: {'content-type': 'application/x-www-form-urlencoded'},
				body: new URLSearchParams({grant_type: 'authorization_code', code: 'random', redirect_uri: 'https://harbor.example.com/c/oidc/callback', client_id: 'harbor', client_secret: secret}),
			});
			return {status: response.status, ...(await response.json())};
		};

		expect(await probe('wrong')).toEqual({status: 401, error: 'unauthorized_client', error_description: wrong});
		expect(await probe('right-secret')).toEqual({status: 400, error: 'invalid_grant', error_description: 'Code not valid'});

		const authorize = (redirectUri: string) =>
			fetch(`${discovery.authorization_endpoint}?${new URLSearchParams({client_id: 'harbor', redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'state-12345', prompt: 'none'})}`, {redirect: 'manual'});
		const registered = await authorize('https://harbor.example.com/c/oidc/callback');
		expect(registered.status).toBe(302);
		expect(registered.headers.get('location')).toBe(`https://harbor.example.com/c/oidc/callback?error=login_required&state=state-12345&iss=${encodeURIComponent(discovery.issuer)}`);
		const other = await authorize('https://evil.example.com/');
		expect(other.status).toBe(400);
		expect(await other.text()).toContain('Invalid parameter: redirect_uri');
	});
});
