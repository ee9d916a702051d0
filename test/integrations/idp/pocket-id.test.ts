import {describe, expect, it} from 'vitest';
import {RemoteError, UsageError} from '../../../source/core/errors.js';
import {pocketId} from '../../../source/integrations/idp/pocket-id/index.js';
import {memoryContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakePocketId, type FakePocketId, type FakePocketIdOptions} from '../../servers/pocket-id.js';
import {harborValues, portainerValues, visibleOutput} from './values.js';

describe('Pocket ID registration', () => {
	let server: FakePocketId;
	const startFake = closedAfterEach(startFakePocketId);
	const start = async (options: FakePocketIdOptions = {}) => {
		server = await startFake(options);
		return server;
	};

	// The Pocket ID flow adds the groups scope (extra_scopes in flows/idps/pocket-id.yaml).
	const contextFor = (values: Record<string, string> = {}, key = server.apiKey) =>
		memoryContext({...harborValues(server.url, {scopes: 'openid,profile,email,offline_access,groups'}), ...values}, {pocket_id_api_key: key});
	const writes = () => server.requests.filter((request) => request.method !== 'GET' && request.path.startsWith('/api/'));

	it('creates the Harbor client with PKCE and a secret from POST …/secrets (v2.14)', async () => {
		await start();
		const context = contextFor();
		const plan = await pocketId.plan(context);
		expect(plan.action).toBe('create');
		expect(plan.summary.join(' ')).toMatch(/Settings → Admin → API Keys.*cannot create/);
		expect(plan.changes.find((change) => change.key === 'pkce')?.to).toBe('on');
		expect(writes()).toEqual([]);

		const result = await pocketId.register(context, plan);
		expect(server.contractErrors).toEqual([]);
		expect(server.clients).toHaveLength(1);
		const [client] = server.clients;
		expect(client).toMatchObject({
			name: 'Harbor',
			callbackURLs: ['https://harbor.example.com/c/oidc/callback'],
			launchURL: 'https://harbor.example.com',
			pkceEnabled: true,
			isPublic: false,
		});
		expect(writes().map((request) => `${request.method} ${request.path}`)).toEqual(['POST /api/oidc/clients', `POST /api/oidc/clients/${client!.id}/secrets`]);
		expect(client!.secrets).toHaveLength(1);
		expect(context.secrets['client_secret']).toBe(client!.secrets[0]);
		expect(context.values['client_id']).toBe(client!.id);
		expect(result).toMatchObject({clientId: client!.id, issuer: server.url, warnings: []});
		expect(context.store.get('idp-registration')).toEqual({idp: 'pocket-id', clientId: client!.id, secretIssued: true});
		expect(visibleOutput(context, result, plan)).not.toContain(client!.secrets[0]);
	});

	it.each([
		{version: '2.13.0', versionEndpoint: true},
		{version: '1.11.2', versionEndpoint: false},
	])('uses POST …/secret on v$version (version endpoint: $versionEndpoint)', async ({version, versionEndpoint}) => {
		await start({version, versionEndpoint});
		const context = memoryContext({...portainerValues(server.url)}, {pocket_id_api_key: server.apiKey});
		await pocketId.register(context, await pocketId.plan(context));
		const [client] = server.clients;
		expect(client).toMatchObject({name: 'Portainer', callbackURLs: ['https://portainer.example.com/'], logoutCallbackURLs: ['https://portainer.example.com/'], pkceEnabled: false});
		const secretCalls = writes().filter((request) => request.path.includes('/secret')).map((request) => request.path.split('/').pop());
		expect(secretCalls).toEqual(['secrets', 'secret']);
		expect(context.secrets['client_secret']).toBe(client!.secrets[0]);
		expect(server.contractErrors).toEqual([]);
	});

	it('does nothing on a re-run of the same session, and renews the secret for a new session', async () => {
		await start();
		const context = contextFor();
		await pocketId.register(context, await pocketId.plan(context));
		const client = server.clients[0]!;
		const writesBefore = writes().length;

		const again = await pocketId.plan(context);
		expect(again.action).toBe('none');
		await pocketId.register(context, again);
		expect(writes()).toHaveLength(writesBefore);
		expect(context.secrets['client_secret']).toBe(client.secrets[0]);

		const fresh = contextFor();
		const plan = await pocketId.plan(fresh);
		expect(plan.action).toBe('update');
		expect(plan.changes.map((change) => change.key)).toEqual(['client_secret']);
		expect(plan.warnings.join(' ')).toContain('stay valid');
		await pocketId.register(fresh, plan);
		expect(server.clients).toHaveLength(1);
		expect(client.secrets).toHaveLength(2);
		expect(fresh.secrets['client_secret']).toBe(client.secrets[1]);
	});

	it('adds the callback URL to a client made by hand and keeps its other settings', async () => {
		await start();
		const existing = server.addClient({name: 'Harbor', callbackURLs: ['https://old.example.com/cb'], secret: 'made-by-hand-secret-123'});
		existing.requiresReauthentication = true;
		existing.hasLogo = true;
		const context = contextFor();
		const plan = await pocketId.plan(context);
		expect(plan.changes.map((change) => change.key)).toEqual(['callback_urls', 'pkce', 'launch_url', 'client_secret']);
		await pocketId.register(context, plan);
		expect(server.clients).toHaveLength(1);
		expect(existing).toMatchObject({callbackURLs: ['https://old.example.com/cb', 'https://harbor.example.com/c/oidc/callback'], pkceEnabled: true, requiresReauthentication: true, hasLogo: true});
		expect(server.contractErrors).toEqual([]);
	});

	it('resumes an interrupted run: no second client, the missing secret is generated', async () => {
		await start();
		const context = contextFor();
		const plan = await pocketId.plan(context);
		server.failNext({method: 'POST', path: /\/secrets$/});
		const error = (await pocketId.register(context, plan).catch((caught: unknown) => caught)) as RemoteError;
		expect(error).toBeInstanceOf(RemoteError);
		expect(error.message).toMatch(/^pocket-id: generate the client secret: .*HTTP 503/);
		expect(context.store.get('idp-registration')).toEqual({idp: 'pocket-id', clientId: server.clients[0]!.id, secretIssued: false});

		const resumed = await pocketId.plan(context);
		expect(resumed.action).toBe('update');
		await pocketId.register(context, resumed);
		expect(server.clients).toHaveLength(1);
		expect(server.requests.filter((request) => request.method === 'POST' && request.path === '/api/oidc/clients')).toHaveLength(1);
		expect(context.secrets['client_secret']).toBe(server.clients[0]!.secrets[0]);
	});

	it('creates a new client when the one the session noted was deleted', async () => {
		await start();
		const context = contextFor();
		await pocketId.register(context, await pocketId.plan(context));
		const first = server.clients.splice(0, 1)[0]!;
		delete context.values['client_id'];
		const plan = await pocketId.plan(context);
		expect(plan.action).toBe('create');
		await pocketId.register(context, plan);
		expect(server.clients).toHaveLength(1);
		expect(server.clients[0]!.id).not.toBe(first.id);
		expect(context.secrets['client_secret']).toBe(server.clients[0]!.secrets[0]);
		expect(context.store.get('idp-registration')).toEqual({idp: 'pocket-id', clientId: server.clients[0]!.id, secretIssued: true});
	});

	it('restricts the client to groups; a failure after the secret keeps the secret out of the error', async () => {
		await start();
		const context = contextFor({allowed_groups: 'harbor-admins'});
		const plan = await pocketId.plan(context);
		expect(plan.changes.find((change) => change.key === 'allowed_groups')?.to).toBe('harbor-admins');
		server.failNext({method: 'PUT', path: /allowed-user-groups$/, status: 500});
		const error = (await pocketId.register(context, plan).catch((caught: unknown) => caught)) as RemoteError;
		const secret = server.clients[0]!.secrets[0]!;
		expect(context.secrets['client_secret']).toBe(secret);
		expect(`${error.message} ${error.hint ?? ''}`).not.toContain(secret);
		expect(visibleOutput(context)).not.toContain(secret);

		await pocketId.register(context, await pocketId.plan(context));
		expect(server.clients[0]).toMatchObject({isGroupRestricted: true, allowedUserGroupIds: [server.groups[0]!.id]});
		expect(server.clients[0]!.secrets).toHaveLength(1);

		const unknown = await pocketId.plan(contextFor({allowed_groups: 'nobody'})).catch((caught: unknown) => caught);
		expect(unknown).toBeInstanceOf(UsageError);
	});

	it('warns when a groups claim is wanted without the groups scope', async () => {
		await start();
		const plan = await pocketId.plan(contextFor({scopes: 'openid,profile,email'}));
		expect(plan.warnings.join(' ')).toContain('"groups" scope');
	});

	it('creates the client with a wanted client id', async () => {
		await start();
		const context = contextFor({client_id: 'harbor'});
		const result = await pocketId.register(context, await pocketId.plan(context));
		expect(result.clientId).toBe('harbor');
		expect(server.clients[0]!.id).toBe('harbor');
	});

	it('refuses a wrong API key and explains that keys are made in the web UI', async () => {
		await start();
		const error = (await pocketId.plan(contextFor({}, 'wrong-key')).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('bad-credential');
		expect(error.message).toContain('pocket_id_api_key');
		expect(error.message).toContain('You are not signed in');
		expect(error.hint).toContain(`${server.url}/settings/admin/api-keys`);
		expect(error.hint).toContain('cannot create');
		expect(`${error.message}${error.hint}`).not.toContain('wrong-key');

		const missing = await pocketId.plan(memoryContext(harborValues(server.url), {})).catch((caught: unknown) => caught);
		expect(missing).toBeInstanceOf(UsageError);
		expect((missing as UsageError).hint).toContain('API Keys');
	});

	it('says when the key does not belong to an administrator', async () => {
		await start({apiKeyIsAdmin: false});
		const error = (await pocketId.plan(contextFor()).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('missing-permission');
		expect(error.message).toContain('administrator');
	});
});

describe('fake Pocket ID as an OpenID provider', () => {
	let server: FakePocketId;
	const start = closedAfterEach(startFakePocketId);

	const probe = async (secret: string) => {
		const response = await fetch(`${server.url}/api/oidc/token`, {
			method: 'POST',
			headers: {'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`harbor:${secret}`).toString('base64')}`},
			body: new URLSearchParams({grant_type: 'authorization_code', code: 'random', redirect_uri: 'https://harbor.example.com/c/oidc/callback'}),
		});
		return {status: response.status, error: (await response.json()).error};
	};

	const authorize = (redirectUri: string) =>
		fetch(`${server.url}/authorize?${new URLSearchParams({client_id: 'harbor', redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'state-12345', prompt: 'none'})}`, {redirect: 'manual'});

	it('answers like fosite from v2.10', async () => {
		server = await start({version: '2.14.0'});
		server.addClient({id: 'harbor', name: 'Harbor', callbackURLs: ['https://harbor.example.com/c/oidc/callback'], secret: 'right-secret-value'});
		const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
		expect(discovery.issuer).toBe(server.url);
		expect(await probe('wrong')).toEqual({status: 401, error: 'invalid_client'});
		expect(await probe('right-secret-value')).toEqual({status: 400, error: 'invalid_grant'});
		const registered = await authorize('https://harbor.example.com/c/oidc/callback');
		expect(registered.status).toBe(302);
		expect(registered.headers.get('location')).toMatch(/^https:\/\/harbor\.example\.com\/c\/oidc\/callback\?error=login_required&.*state=state-12345/);
		const other = await authorize('https://evil.example.com/');
		expect(other.status).toBe(302);
		expect(other.headers.get('location')).toMatch(/\/interaction\/error\?error=The\+%27redirect_uri%27\+parameter\+does\+not\+match/);
	});

	it('answers with the old JSON errors and the SPA up to v2.9', async () => {
		server = await start({version: '2.9.0'});
		server.addClient({id: 'harbor', name: 'Harbor', callbackURLs: ['https://harbor.example.com/c/oidc/callback'], secret: 'right-secret-value'});
		expect(await probe('wrong')).toEqual({status: 401, error: 'Invalid client secret'});
		expect(await probe('right-secret-value')).toEqual({status: 400, error: 'Invalid authorization code'});
		expect((await authorize('https://evil.example.com/')).status).toBe(200);
	});
});
