import {describe, expect, it} from 'vitest';
import {RemoteError, SsoSetupError, UsageError} from '../../../source/core/errors.js';
import {authentik} from '../../../source/integrations/idp/authentik/index.js';
import {memoryContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakeAuthentik, type FakeAuthentik, type FakeAuthentikOptions} from '../../servers/authentik.js';
import {harborValues, portainerValues, visibleOutput} from './values.js';

const managed = (scope: string) => `goauthentik.io/providers/oauth2/scope-${scope}`;

describe('authentik registration', () => {
	let server: FakeAuthentik;
	const startFake = closedAfterEach(startFakeAuthentik);
	const start = async (options: FakeAuthentikOptions = {}) => {
		server = await startFake(options);
		return server;
	};

	const contextFor = (values: Record<string, string> = {}, token = server.token) =>
		memoryContext({...harborValues(server.url), slug: 'harbor', ...values}, {authentik_token: token});

	const writes = () => server.requests.filter((request) => request.method !== 'GET' && request.path.startsWith('/api/v3/'));

	it('plans and creates exactly one provider and one application for Harbor', async () => {
		await start();
		const context = contextFor();
		const plan = await authentik.plan(context);
		expect(plan.action).toBe('create');
		expect(plan.questions.map((question) => question.key)).toEqual(['authentik_authorization_flow']);
		expect(plan.questions[0]!.default).toBe('default-provider-authorization-explicit-consent');
		expect(plan.changes.find((change) => change.key === 'client_secret')).toMatchObject({secret: true});
		expect(plan.summary.join(' ')).toContain(`${server.url}/application/o/harbor/`);
		expect(writes()).toEqual([]);

		const result = await authentik.register(context, plan);

		expect(server.contractErrors).toEqual([]);
		expect(server.providers).toHaveLength(1);
		expect(server.applications).toHaveLength(1);
		const [provider] = server.providers;
		const [application] = server.applications;
		expect(provider!.redirect_uris).toEqual([{matching_mode: 'strict', url: 'https://harbor.example.com/c/oidc/callback'}]);
		const expectedMappings = ['openid', 'email', 'profile', 'offline_access'].map((scope) => server.scopeMappings.find((mapping) => mapping.managed === managed(scope))!.pk);
		expect(provider!.property_mappings.sort()).toEqual(expectedMappings.sort());
		expect(provider!.authorization_flow).toBe(server.flows.find((flow) => flow.slug === 'default-provider-authorization-explicit-consent')!.pk);
		expect(provider!.invalidation_flow).toBe(server.flows.find((flow) => flow.slug === 'default-provider-invalidation-flow')!.pk);
		expect(provider!.signing_key).toBe(server.signingKeys[0]!.pk);
		expect(provider!.client_type).toBe('confidential');
		expect(application).toMatchObject({slug: 'harbor', name: 'Harbor', provider: provider!.pk, meta_launch_url: 'https://harbor.example.com'});

		expect(result.clientId).toBe(provider!.client_id);
		expect(result.issuer).toBe(`${server.url}/application/o/harbor/`);
		expect(result.warnings).toEqual([]);
		expect(context.values['client_id']).toBe(provider!.client_id);
		expect(context.secrets['client_secret']).toBe(provider!.client_secret);
		expect(context.store.get('idp-registration')).toMatchObject({idp: 'authentik', providerPk: provider!.pk, slug: 'harbor'});
		expect(visibleOutput(context, result, plan)).not.toContain(provider!.client_secret);
		expect(writes().map((request) => `${request.method} ${request.path}`)).toEqual(['POST /api/v3/providers/oauth2/', 'POST /api/v3/core/applications/']);
	});

	it('updates the existing provider on a re-run instead of creating a second one', async () => {
		await start();
		const first = contextFor();
		await authentik.register(first, await authentik.plan(first));
		const provider = server.providers[0]!;
		const before = writes().length;

		// Same session: nothing to do.
		const unchanged = await authentik.plan(first);
		expect(unchanged).toMatchObject({action: 'none', changes: [], questions: []});

		// A new session only has to read the credentials: no write at authentik.
		const again = contextFor();
		const fresh = await authentik.plan(again);
		expect(fresh.action).toBe('update');
		expect(fresh.changes).toEqual([expect.objectContaining({key: 'client_secret', secret: true})]);
		await authentik.register(again, fresh);
		expect(writes()).toHaveLength(before);
		expect(again.secrets['client_secret']).toBe(provider.client_secret);
		expect(again.values['client_id']).toBe(provider.client_id);

		provider.redirect_uris = [{matching_mode: 'strict', url: 'https://old.example.com/cb'}];
		provider.signing_key = null;
		const drifted = contextFor();
		const plan = await authentik.plan(drifted);
		expect(plan.action).toBe('update');
		expect(plan.changes.map((change) => change.key).sort()).toEqual(['redirect_uris', 'signing_key']);
		await authentik.register(drifted, plan);
		expect(server.providers).toHaveLength(1);
		expect(server.applications).toHaveLength(1);
		expect(provider.redirect_uris).toEqual([
			{matching_mode: 'strict', url: 'https://old.example.com/cb'},
			{matching_mode: 'strict', url: 'https://harbor.example.com/c/oidc/callback'},
		]);
		expect(provider.signing_key).toBe(server.signingKeys[0]!.pk);
		const patch = server.requests.find((request) => request.method === 'PATCH');
		expect(patch?.path).toBe(`/api/v3/providers/oauth2/${provider.pk}/`);
		expect(Object.keys(patch?.body as object).sort()).toEqual(['redirect_uris', 'signing_key']);
		expect(server.contractErrors).toEqual([]);
	});

	it('resumes an interrupted run with the provider it already created', async () => {
		await start();
		const context = contextFor();
		const plan = await authentik.plan(context);
		server.failNext({method: 'POST', path: '/api/v3/core/applications/'});
		const error = await authentik.register(context, plan).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RemoteError);
		expect((error as RemoteError).message).toMatch(/^authentik: create the application: .*HTTP 503.*127\.0\.0\.1/);
		expect(server.providers).toHaveLength(1);
		expect(server.applications).toHaveLength(0);
		expect(context.store.get('idp-registration')).toMatchObject({providerPk: server.providers[0]!.pk});
		expect(context.secrets['client_secret']).toBeUndefined();

		const resumedPlan = await authentik.plan(context);
		expect(resumedPlan.action).toBe('update');
		expect(resumedPlan.summary.join(' ')).toContain('Create the application "Harbor"');
		expect(resumedPlan.changes.map((change) => change.key)).toEqual(['application']);
		await authentik.register(context, resumedPlan);
		expect(server.providers).toHaveLength(1);
		expect(server.applications).toHaveLength(1);
		expect(server.applications[0]!.provider).toBe(server.providers[0]!.pk);
		expect(server.requests.filter((request) => request.method === 'POST' && request.path === '/api/v3/providers/oauth2/')).toHaveLength(1);
		expect(context.secrets['client_secret']).toBe(server.providers[0]!.client_secret);
	});

	it('refuses a wrong token and says where to create one', async () => {
		await start();
		const error = (await authentik.plan(contextFor({}, 'not-the-token')).catch((caught: unknown) => caught)) as RemoteError;
		expect(error).toBeInstanceOf(RemoteError);
		expect(error.reason).toBe('bad-credential');
		expect(error.message).toContain('authentik_token');
		expect(error.message).toContain('Token invalid/expired');
		expect(error.message).toContain(new URL(server.url).host);
		expect(error.hint).toContain('Tokens and App passwords');
		expect(error.hint).toContain(`${server.url}/if/admin/#/core/tokens`);
		expect(error.message).not.toContain('not-the-token');

		const missing = await authentik.plan(memoryContext(harborValues(server.url), {})).catch((caught: unknown) => caught);
		expect(missing).toBeInstanceOf(UsageError);
		expect((missing as UsageError).hint).toContain('SSO_SETUP_AUTHENTIK_TOKEN');
	});

	it('names the permission the token lacks', async () => {
		await start({deny: ['authentik_providers_oauth2.add_oauth2provider']});
		const context = contextFor();
		const error = (await authentik.register(context, await authentik.plan(context)).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('missing-permission');
		expect(error.message).toContain('authentik_providers_oauth2.add_oauth2provider');
		expect(server.providers).toHaveLength(0);
	});

	it.each([
		{version: '2024.6.4', list: false, invalidation: false, scopePath: '/api/v3/propertymappings/scope/', offline: true},
		{version: '2024.8.5', list: true, invalidation: false, scopePath: '/api/v3/propertymappings/provider/scope/', offline: true},
		{version: '2024.10.1', list: false, invalidation: true, scopePath: '/api/v3/propertymappings/provider/scope/', offline: true},
		{version: '2024.10.3', list: true, invalidation: true, scopePath: '/api/v3/propertymappings/provider/scope/', offline: true},
		{version: '2023.10.7', list: false, invalidation: false, scopePath: '/api/v3/propertymappings/scope/', offline: false},
	])('speaks the API of authentik $version', async ({version, list, invalidation, scopePath, offline}) => {
		await start({version});
		const context = contextFor();
		const plan = await authentik.plan(context);
		expect(server.requests.some((request) => request.path === scopePath)).toBe(true);
		expect(plan.warnings.some((warning) => warning.includes('CVE-2024-52289'))).toBe(!list);
		expect(plan.warnings.some((warning) => warning.includes('offline_access'))).toBe(!offline);
		await authentik.register(context, plan);
		expect(server.contractErrors).toEqual([]);
		const create = server.requests.find((request) => request.method === 'POST' && request.path === '/api/v3/providers/oauth2/')!.body as Record<string, unknown>;
		expect(create['redirect_uris']).toEqual(list ? [{matching_mode: 'strict', url: 'https://harbor.example.com/c/oidc/callback'}] : 'https://harbor.example.com/c/oidc/callback');
		expect('invalidation_flow' in create).toBe(invalidation);
		expect((create['property_mappings'] as string[]).length).toBe(offline ? 4 : 3);
		expect(server.providers[0]!.redirect_uris.map((entry) => entry.url)).toEqual(['https://harbor.example.com/c/oidc/callback']);
		expect(context.secrets['client_secret']).toBe(server.providers[0]!.client_secret);

		// A re-run reads the old string form back and changes nothing.
		const again = await authentik.plan(context);
		expect(again.action).toBe('none');
	});

	it('asks which signing key when there are several, and uses the answer', async () => {
		await start({signingKeys: [{name: 'authentik Self-signed Certificate'}, {name: 'corporate'}]});
		const plan = await authentik.plan(contextFor());
		const question = plan.questions.find((candidate) => candidate.key === 'authentik_signing_key');
		expect(question?.options.map((option) => option.label)).toEqual(['authentik Self-signed Certificate', 'corporate']);
		expect(question?.default).toBe(server.signingKeys[0]!.pk);

		const corporate = server.signingKeys[1]!.pk;
		const answered = contextFor({authentik_signing_key: corporate, authentik_authorization_flow: 'default-provider-authorization-implicit-consent'});
		const second = await authentik.plan(answered);
		expect(second.questions).toEqual([]);
		await authentik.register(answered, second);
		expect(server.providers[0]!.signing_key).toBe(corporate);
		expect(server.providers[0]!.authorization_flow).toBe(server.flows.find((flow) => flow.slug === 'default-provider-authorization-implicit-consent')!.pk);

		const wrong = await authentik.plan(contextFor({authentik_signing_key: 'nope'})).catch((caught: unknown) => caught);
		expect(wrong).toBeInstanceOf(UsageError);
	});

	it('warns that tokens are HS256 without a signing key', async () => {
		await start({signingKeys: []});
		const context = contextFor();
		const plan = await authentik.plan(context);
		expect(plan.warnings.join(' ')).toMatch(/HS256/);
		await authentik.register(context, plan);
		expect(server.providers[0]!.signing_key).toBeNull();
		expect('signing_key' in (server.requests.find((request) => request.method === 'POST')!.body as object)).toBe(false);
	});

	it('registers Portainer with its trailing-slash redirect URI and a wanted client id', async () => {
		await start();
		const context = memoryContext({...portainerValues(server.url), slug: 'portainer', client_id: 'portainer-sso'}, {authentik_token: server.token});
		const result = await authentik.register(context, await authentik.plan(context));
		expect(result.clientId).toBe('portainer-sso');
		expect(server.providers[0]!.redirect_uris).toEqual([{matching_mode: 'strict', url: 'https://portainer.example.com/'}]);
		expect(result.issuer).toBe(`${server.url}/application/o/portainer/`);
	});

	it('links an application made by hand without a provider', async () => {
		await start();
		server.applications.push({pk: 'by-hand', name: 'Harbor', slug: 'harbor', provider: null, meta_launch_url: ''});
		const context = contextFor();
		const plan = await authentik.plan(context);
		expect(plan.summary.join(' ')).toContain('Link the existing application "harbor"');
		await authentik.register(context, plan);
		expect(server.applications).toHaveLength(1);
		expect(server.applications[0]!.provider).toBe(server.providers[0]!.pk);
		const patch = server.requests.find((request) => request.method === 'PATCH');
		expect(patch).toMatchObject({path: '/api/v3/core/applications/harbor/', body: {provider: server.providers[0]!.pk}});
		expect(server.contractErrors).toEqual([]);
	});

	it('refuses an application slug that uses another kind of provider', async () => {
		await start();
		server.applications.push({pk: 'x', name: 'Harbor', slug: 'harbor', provider: 999, meta_launch_url: ''});
		const error = await authentik.plan(contextFor()).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(SsoSetupError);
		expect((error as Error).message).toMatch(/not an OAuth2/);
	});
});

describe('fake authentik as an OpenID provider', () => {
	let server: FakeAuthentik;
	const start = closedAfterEach(startFakeAuthentik);

	it('answers discovery, the secret probe and the redirect-URI probe as authentik does', async () => {
		server = await start();
		const {provider, issuer} = server.addClient({slug: 'harbor', clientSecret: 'right-secret', redirectUris: ['https://harbor.example.com/c/oidc/callback']});
		expect(issuer).toBe(`${server.url}/application/o/harbor/`);
		const discovery = await (await fetch(`${server.url}/application/o/harbor/.well-known/openid-configuration`)).json();
		expect(discovery.issuer).toBe(issuer);
		expect(discovery.token_endpoint).toBe(`${server.url}/application/o/token/`);

		const probe = async (secret: string, redirectUri = 'https://harbor.example.com/c/oidc/callback') => {
			const response = await fetch(discovery.token_endpoint, {
				method: 'POST',
				headers: {'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${provider.client_id}:${secret}`).toString('base64')}`},
				body: new URLSearchParams({grant_type: 'authorization_code', code: 'random-code', redirect_uri: redirectUri}),
			});
			return {status: response.status, error: (await response.json()).error};
		};

		expect(await probe('wrong')).toEqual({status: 400, error: 'invalid_client'});
		expect(await probe('right-secret')).toEqual({status: 400, error: 'invalid_grant'});
		expect(await probe('right-secret', 'https://elsewhere.example.com/')).toEqual({status: 400, error: 'invalid_client'});

		const authorize = (redirectUri: string) =>
			fetch(`${discovery.authorization_endpoint}?${new URLSearchParams({client_id: provider.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'state-12345', prompt: 'none'})}`, {redirect: 'manual'});
		const registered = await authorize('https://harbor.example.com/c/oidc/callback');
		expect(registered.status).toBe(302);
		expect(registered.headers.get('location')).toMatch(/^https:\/\/harbor\.example\.com\/c\/oidc\/callback\?error=login_required&.*state=state-12345/);
		const other = await authorize('https://evil.example.com/');
		expect(other.status).toBe(400);
		expect(await other.text()).toContain('Redirect URI Error');
	});
});
