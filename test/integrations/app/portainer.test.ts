import {describe, expect, it} from 'vitest';
import {RemoteError} from '../../../source/core/errors.js';
import {HttpClient} from '../../../source/core/http.js';
import {portainer} from '../../../source/integrations/app/portainer/index.js';
import {memoryContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakePortainer, type FakePortainer, type FakePortainerOptions} from '../../servers/portainer.js';
import {startDiscoveryServer, type DiscoveryServer} from './helpers/discovery-server.js';
import {everythingShown, resumedContext, type TestContext} from './helpers/run.js';

const clientSecret = 'portainer-client-secret-1';
const adminPassword = 'portainer-admin-pw';

describe('portainer integration', () => {
	const startIdp = closedAfterEach(startDiscoveryServer);
	const startPortainer = closedAfterEach(startFakePortainer);

	async function setup(options: FakePortainerOptions = {}, extraValues: Record<string, string> = {}) {
		const idp: DiscoveryServer = await startIdp({issuerPath: '/application/o/portainer/'});
		const server: FakePortainer = await startPortainer({oauth: {SSO: true, DefaultTeamID: 4, AuthStyle: 1}, ...options});
		const context: TestContext = memoryContext(
			{
				app_url: server.url,
				redirect_uri: `${server.url}/`,
				issuer: idp.issuer,
				client_id: 'portainer-client',
				scopes: 'openid profile email',
				username_claim: 'preferred_username',
				auto_create_users: 'true',
				...extraValues,
			},
			{client_secret: clientSecret, portainer_admin_password: adminPassword},
		);
		return {idp, server, context};
	}

	async function run(context: TestContext) {
		const preflight = await portainer.preflight(context);
		const plan = await portainer.plan(context, preflight);
		const notes = await portainer.apply(context, plan, {deleteUsers: []});
		return {preflight, plan, notes};
	}

	const puts = (server: FakePortainer) => server.requests.filter((request) => request.method === 'PUT');
	const signIns = (server: FakePortainer) => server.requests.filter((request) => request.path === '/api/auth');

	it('switches to OAuth with one sign-in and one PUT carrying the whole OAuthSettings, leaving the rest alone', async () => {
		const {idp, server, context} = await setup();
		const {KubeSecretKey: kubeKey, ...oauthBefore} = server.settings.OAuthSettings;
		const {OAuthSettings: _oauth, AuthenticationMethod: _method, ...othersBefore} = structuredClone(server.settings);

		const preflight = await portainer.preflight(context);
		expect(preflight.facts).toEqual(['Portainer 2.23.0 CE', 'authentication: internal', 'signed in as admin (user id 1)']);
		expect(preflight.warnings.join('\n')).toContain('"Use internal authentication"');
		expect(preflight.warnings.join('\n')).toContain(`${server.url}/#!/internal-auth`);
		const plan = await portainer.plan(context, preflight);
		expect(plan.changes.map((change) => change.key)).toEqual([
			'AuthenticationMethod',
			'ClientID',
			'AuthorizationURI',
			'AccessTokenURI',
			'ResourceURI',
			'RedirectURI',
			'UserIdentifier',
			'Scopes',
			'OAuthAutoCreateUsers',
			'ClientSecret',
		]);
		expect(plan.changes[0]).toEqual({key: 'AuthenticationMethod', label: 'Authentication method', from: 'internal (1)', to: 'OAuth (3)'});
		expect(context.store.get('app-backup')).toMatchObject({app: 'portainer', AuthenticationMethod: 1, OAuthSettings: {ClientID: '', SSO: true}});
		expect(puts(server)).toEqual([]);

		await portainer.apply(context, plan, {deleteUsers: []});
		expect(puts(server)).toHaveLength(1);
		expect(puts(server)[0]!.body).toEqual({
			AuthenticationMethod: 3,
			OAuthSettings: {
				...oauthBefore,
				ClientID: 'portainer-client',
				ClientSecret: clientSecret,
				AuthorizationURI: idp.document['authorization_endpoint'],
				AccessTokenURI: idp.document['token_endpoint'],
				ResourceURI: idp.document['userinfo_endpoint'],
				RedirectURI: `${server.url}/`,
				// The IdP logout is opt-in (oidc_logout): it also fires on every session timeout.
				LogoutURI: '',
				UserIdentifier: 'preferred_username',
				Scopes: 'openid profile email',
				OAuthAutoCreateUsers: true,
				KubeSecretKey: null,
			},
		});
		expect(server.contractErrors).toEqual([]);
		expect(server.settings.OAuthSettings).toMatchObject({ClientSecret: clientSecret, KubeSecretKey: kubeKey, SSO: true, DefaultTeamID: 4, AuthStyle: 1});
		const {OAuthSettings: _oauthAfter, AuthenticationMethod: methodAfter, ...othersAfter} = server.settings;
		expect(methodAfter).toBe(3);
		expect(othersAfter).toEqual(othersBefore);

		expect(await portainer.confirm(context, plan)).toEqual([]);
		expect(signIns(server)).toHaveLength(1);
		expect(server.requests.filter((request) => request.path === '/api/settings' && request.method === 'GET').every((request) => request.headers['authorization']?.startsWith('Bearer '))).toBe(true);
		expect(everythingShown(context, plan)).not.toContain(clientSecret);
		expect(everythingShown(context, plan)).not.toContain(adminPassword);

		const publicSettings = JSON.parse((await new HttpClient().request({url: `${server.url}/api/settings/public`, step: 'test'})).text) as {OAuthLoginURI: string};
		expect(publicSettings.OAuthLoginURI).toBe(`${idp.document['authorization_endpoint']}?response_type=code&client_id=portainer-client&redirect_uri=${server.url}/&scope=openid profile email`);
	});

	it('keeps the stored secret (empty ClientSecret) when only other settings change', async () => {
		const {server, context} = await setup();
		await run(context);
		const again = resumedContext(context);
		again.values['scopes'] = 'openid,profile,email,groups';
		const {plan} = await run(again);
		expect(plan.changes).toEqual([{key: 'Scopes', label: 'Scopes', from: 'openid profile email', to: 'openid profile email groups'}]);
		const body = puts(server)[1]!.body as {OAuthSettings: Record<string, unknown>};
		expect(body.OAuthSettings['ClientSecret']).toBe('');
		expect(server.settings.OAuthSettings['ClientSecret']).toBe(clientSecret);
		expect(server.settings.OAuthSettings['Scopes']).toBe('openid profile email groups');
	});

	it('uses an API key without signing in', async () => {
		const {server, context} = await setup({apiKeys: {'ptr_key123': 1}});
		delete context.secrets['portainer_admin_password'];
		context.secrets['portainer_api_key'] = 'ptr_key123';
		const {preflight, plan} = await run(context);
		expect(preflight.facts).toContain('signed in with an API key');
		expect(signIns(server)).toEqual([]);
		expect(puts(server)[0]!.headers['x-api-key']).toBe('ptr_key123');
		expect(await portainer.confirm(context, plan)).toEqual([]);
	});

	it('says clearly that the password was refused', async () => {
		const {context} = await setup();
		context.secrets['portainer_admin_password'] = 'nope-wrong';
		const error = (await portainer.preflight(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(error).toBeInstanceOf(RemoteError);
		expect(error.status).toBe(422);
		expect(error.message).toMatch(/^portainer: sign in: the user name or password of "admin" was refused/);
		expect(error.hint).toContain('SSO_SETUP_PORTAINER_ADMIN_PASSWORD');
		expect(`${error.message} ${error.hint}`).not.toContain('nope-wrong');
	});

	it('refuses a bad API key with a hint about where to make a new one', async () => {
		const {context} = await setup({apiKeys: {good: 1}});
		context.secrets['portainer_api_key'] = 'bad';
		const error = (await portainer.preflight(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.status).toBe(401);
		expect(error.message).toContain('the API key was refused');
		expect(error.hint).toContain('Access tokens');
	});

	it('warns when the account used is not user 1, and explains the refusal once OAuth is on', async () => {
		const {server, context} = await setup({users: [{username: 'ops', password: 'ops-password', admin: true}]}, {portainer_admin_user: 'ops'});
		context.secrets['portainer_admin_password'] = 'ops-password';
		const preflight = await portainer.preflight(context);
		expect(preflight.warnings.join('\n')).toMatch(/signed in as "ops" \(user id 2\).*no longer sign in with a password/);
		await portainer.apply(context, await portainer.plan(context, preflight), {deleteUsers: []});
		expect(server.settings.AuthenticationMethod).toBe(3);

		const error = (await portainer.preflight(resumedContext(context)).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.status).toBe(422);
		expect(error.message).toContain('only the initial administrator (user id 1)');
	});

	it('explains the sign-in ban', async () => {
		const {server, context} = await setup({signInsPerSecond: 0});
		const error = (await portainer.preflight(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.status).toBe(403);
		expect(error.message).toContain('blocks the address for an hour');
		expect(server.banned.has('127.0.0.1')).toBe(true);
	});

	it('writes again after a failed PUT, and not after a failure past it', async () => {
		const {server, context} = await setup();
		server.failNext('PUT', '/api/settings', 500);
		const failure = (await run(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(failure.reason).toBe('http-5xx');
		expect(failure.message).toContain('portainer: save the settings');
		expect(context.store.has('portainer-client-secret')).toBe(false);
		expect(server.settings.AuthenticationMethod).toBe(1);

		const second = resumedContext(context);
		const {plan} = await run(second);
		expect(plan.changes.length).toBeGreaterThan(0);
		expect(server.settings.AuthenticationMethod).toBe(3);
		server.failNext('GET', '/api/settings', 502);
		await expect(portainer.confirm(second, plan)).rejects.toThrow(/portainer: read the settings: the server failed/);

		const third = await run(resumedContext(second));
		expect(third.plan.changes).toEqual([]);
		expect(puts(server)).toHaveLength(2);
	});

	it('rolls back to the saved settings', async () => {
		const {server, context} = await setup({oauth: {SSO: true, DefaultTeamID: 4, AuthStyle: 1, ClientID: 'old-client', Scopes: 'openid'}});
		await run(context);
		const notes = await portainer.rollback(context);
		expect(server.settings.AuthenticationMethod).toBe(1);
		expect(server.settings.OAuthSettings).toMatchObject({ClientID: 'old-client', Scopes: 'openid', AuthorizationURI: '', SSO: true, DefaultTeamID: 4});
		expect(notes.join(' ')).toMatch(/client secret cannot be restored/);
		expect(server.contractErrors).toEqual([]);
		expect(await portainer.rollback(context)).toContain('Portainer already has the settings saved before this session changed them.');
	});

	it('falls back to the derived endpoint URLs when discovery cannot be read', async () => {
		const {server, context} = await setup({}, {
			issuer: 'http://127.0.0.1:1/application/o/portainer/',
			authorize_url: 'https://idp.example.com/authorize',
			token_url: 'https://idp.example.com/token',
			userinfo_url: 'https://idp.example.com/userinfo',
		});
		const {plan} = await run(context);
		expect(plan.warnings.join('\n')).toMatch(/discovery document could not be read/);
		expect(server.settings.OAuthSettings).toMatchObject({AuthorizationURI: 'https://idp.example.com/authorize', ResourceURI: 'https://idp.example.com/userinfo', LogoutURI: ''});

		const bare = resumedContext(context);
		delete bare.values['authorize_url'];
		await expect(portainer.plan(bare, {facts: [], warnings: [], blockers: []})).rejects.toMatchObject({reason: 'refused'});
	});

	it('keeps Business Edition fields it does not manage', async () => {
		const teamMemberships = {OAuthClaimName: 'groups', OAuthClaimMappings: [{ClaimValRegex: 'dev', Team: 2}], AdminAutoPopulate: true, AdminGroupClaimsRegexList: ['admins']};
		const {server, context} = await setup({edition: 'BE', oauth: {HideInternalAuth: true, OAuthAutoMapTeamMemberships: true, TeamMemberships: teamMemberships}});
		const {preflight} = await run(context);
		expect(preflight.facts[0]).toBe('Portainer 2.23.0 BE');
		expect(preflight.warnings.join('\n')).toMatch(/link is hidden/);
		expect(server.settings.OAuthSettings).toMatchObject({HideInternalAuth: true, OAuthAutoMapTeamMemberships: true, TeamMemberships: teamMemberships});
	});

	it('warns on Community Edition that groups are not mapped', async () => {
		const {context} = await setup({}, {groups_claim: 'groups', admin_group: 'admins'});
		const preflight = await portainer.preflight(context);
		expect(preflight.warnings.join('\n')).toMatch(/Community Edition cannot map/);
	});

});
