import {describe, expect, it} from 'vitest';
import {Browser} from '../../../source/core/browser.js';
import {SignInFailure} from '../../../source/core/sign-in.js';
import {portainer} from '../../../source/integrations/app/portainer/index.js';
import type {AppSignIn} from '../../../source/integrations/types.js';
import {memoryContext, resumedContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakePortainer, type FakePortainer, type FakePortainerOptions} from '../../servers/portainer.js';
import {startTerseOp} from '../../servers/terse-op.js';

/**
 * The Portainer side of the sign-in proof against the fake Portainer alone (the whole chain with
 * real IdPs is test/real/portainer-sign-in.test.ts): the app-start and callback failures, the fake's
 * /api/auth/oauth/validate answers, how a failed exchange is told apart, and a clean-up that
 * deletes only what a sign-in made.
 */

const signIn = portainer.signIn as AppSignIn;
const adminPassword = 'portainer-admin-pw';
const clientSecret = 'portainer-client-secret-1';

describe('portainer sign-in (fake Portainer)', () => {
	const startPortainer = closedAfterEach(startFakePortainer);
	const startOp = closedAfterEach(startTerseOp);

	async function setup(options: FakePortainerOptions = {}, oauth: Record<string, unknown> = {}) {
		const server: FakePortainer = await startPortainer({adminPassword, settings: {AuthenticationMethod: 3}, ...options});
		Object.assign(server.settings.OAuthSettings, {
			ClientID: 'portainer',
			ClientSecret: clientSecret,
			AuthorizationURI: 'https://idp.example.test/authorize',
			AccessTokenURI: 'https://idp.example.test/token',
			ResourceURI: 'https://idp.example.test/userinfo',
			RedirectURI: `${server.url}/`,
			UserIdentifier: 'preferred_username',
			Scopes: 'openid profile email',
			OAuthAutoCreateUsers: true,
			...oauth,
		});
		const context = memoryContext({app: 'portainer', app_url: server.url, client_id: 'portainer', portainer_admin_user: 'admin'}, {portainer_admin_password: adminPassword, client_secret: clientSecret});
		return {server, context, browser: new Browser(context.http)};
	}

	async function failure(work: Promise<unknown>): Promise<SignInFailure> {
		const error = await work.then(
			() => undefined,
			(error: unknown) => error,
		);
		expect(error).toBeInstanceOf(SignInFailure);
		return error as SignInFailure;
	}

	const stateOf = (authorizeUrl: string) => new URL(authorizeUrl).searchParams.get('state') ?? '';

	it('starts with the link of the public settings plus a state, as Portainer\'s login page does', async () => {
		const {server, context, browser} = await setup();
		const started = await signIn.start(context, browser);
		const login = `https://idp.example.test/authorize?response_type=code&client_id=portainer&redirect_uri=${server.url}/&scope=openid profile email&prompt=login`;
		expect(started.authorizeUrl).toBe(new URL(`${login}&state=${stateOf(started.authorizeUrl)}`).href);
		expect(stateOf(started.authorizeUrl)).toMatch(/^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
		expect(started.seen).toContain(`redirect URL ${server.url}/`);
		expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/settings/public']);
		expect(signIn.defaultUsernameClaim).toBe('preferred_username');
	});

	it('app-start breaks when Portainer is not in OAuth mode, or its OAuth link is unusable', async () => {
		const internal = await setup({settings: {AuthenticationMethod: 1}});
		const notOAuth = await failure(signIn.start(internal.context, internal.browser));
		expect(notOAuth).toMatchObject({link: 'app-start'});
		expect(notOAuth.seen).toContain('internal authentication, not OAuth');
		expect(notOAuth.fix).toContain('apply');

		const empty = await setup({}, {AuthorizationURI: ''});
		const unusable = await failure(signIn.start(empty.context, empty.browser));
		expect(unusable).toMatchObject({link: 'app-start'});
		expect(unusable.seen).toContain('is not a usable URL');
	});

	it('app-callback breaks when the IdP comes back elsewhere, without a code, or with another state', async () => {
		const {server, context, browser} = await setup();
		const {authorizeUrl} = await signIn.start(context, browser);
		const state = stateOf(authorizeUrl);
		const elsewhere = await failure(signIn.finish(context, browser, `${server.url}/callback?code=abc&state=${state}`, {username: 'x'}));
		expect(elsewhere).toMatchObject({link: 'app-callback'});
		expect(elsewhere.seen).toContain(`not to Portainer's redirect URL ${server.url}/`);
		expect((await failure(signIn.finish(context, browser, `${server.url}/?state=${state}`, {username: 'x'}))).seen).toContain('without a code');
		const otherState = await failure(signIn.finish(context, browser, `${server.url}/?code=abc&state=00000000-0000-4000-8000-000000000000`, {username: 'x'}));
		expect(otherState.seen).toContain('Invalid OAuth state');
		expect(server.requests.filter((request) => request.path === '/api/auth/oauth/validate')).toEqual([]);
	});

	it('the fake answers /api/auth/oauth/validate as Portainer does: 400 without a code, 403 outside OAuth mode, and the sign-in ban', async () => {
		const {server} = await setup({signInsPerSecond: 3});
		const validate = async (body: unknown) => {
			const response = await fetch(`${server.url}/api/auth/oauth/validate`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
			return {status: response.status, body: (await response.json()) as unknown};
		};

		expect(await validate({code: ''})).toEqual({status: 400, body: {message: 'Invalid request payload', details: 'Invalid OAuth authorization code'}});
		server.settings.AuthenticationMethod = 1;
		expect(await validate({Code: 'abc'})).toEqual({status: 403, body: {message: 'OAuth authentication is not enabled', details: 'OAuth authentication is not enabled'}});
		expect((await validate({code: 'abc'})).status).toBe(403);
		expect(await validate({code: 'abc'})).toEqual({status: 403, body: {message: 'Access denied', details: 'Too many requests'}});
		expect(server.contractErrors).toEqual([]);
	});

	it('a code the IdP still takes with sso-setup\'s secret, refused with Portainer\'s: the code exchange broke', async () => {
		const op = await startOp({clients: [{clientId: 'portainer', clientSecret, redirectUris: []}]});
		const {server, context, browser} = await setup({}, {AccessTokenURI: `${op.issuer}/token`, ResourceURI: `${op.issuer}/userinfo`, ClientSecret: 'stale-secret'});
		context.values['token_url'] = `${op.issuer}/token`;
		const {authorizeUrl} = await signIn.start(context, browser);
		const code = op.issueCode('portainer', `${server.url}/`, 'openid');
		const broken = await failure(signIn.finish(context, browser, `${server.url}/?code=${code}&state=${stateOf(authorizeUrl)}`, {username: 'x'}));
		expect(broken.link).toBe('code-exchange');
		expect(broken.seen).toContain('HTTP 500 "Unable to authenticate through OAuth: Unauthorized"');
		expect(broken.seen).toContain("the IdP accepted the same code with sso-setup's client secret");
		expect(`${broken.seen} ${broken.fix}`).not.toContain(code);
		expect(`${broken.seen} ${broken.fix}`).not.toContain(clientSecret);
		expect(server.oauthSignIns).toEqual([{status: 500, message: 'Unable to authenticate through OAuth', cause: expect.stringContaining('cannot fetch token: 401') as unknown}]);
		// Basic first, then the form (AuthStyle 0), both with Portainer's secret; then sso-setup's one exchange.
		const tokenCalls = op.requests.filter((request) => request.path === '/token');
		expect(tokenCalls).toHaveLength(3);
		expect(tokenCalls[1]?.body).toMatchObject({client_id: 'portainer', client_secret: 'stale-secret', redirect_uri: `${server.url}/`});
		expect(server.contractErrors).toEqual([]);
	});

	it('names the setting when Portainer\'s access token URL is not the IdP\'s token endpoint', async () => {
		const {server, context, browser} = await setup({}, {AccessTokenURI: 'http://127.0.0.1:9/token'});
		context.values['token_url'] = 'https://idp.example.test/token';
		const {authorizeUrl} = await signIn.start(context, browser);
		const broken = await failure(signIn.finish(context, browser, `${server.url}/?code=abc&state=${stateOf(authorizeUrl)}`, {username: 'x'}));
		expect(broken.link).toBe('code-exchange');
		expect(broken.seen).toContain('its Access token URL is "http://127.0.0.1:9/token", not the IdP\'s token endpoint https://idp.example.test/token');
	});

	it('deletes only users a sign-in made: never the initial administrator, a person\'s own account, or the signed-in admin', async () => {
		const {server, context} = await setup({users: [{username: 'alice', password: 'alice-pw-123456'}, {username: 'sso-setup-test-left1', password: ''}]});
		expect(await signIn.deleteUser(context, 'admin')).toBe('absent');
		expect(await signIn.deleteUser(context, 'alice')).toBe('absent');
		expect(await signIn.deleteUser(context, 'nobody')).toBe('absent');
		// A test user left by an interrupted run of the session: found by its name alone, in a new run.
		expect(await signIn.deleteUser(resumedContext(context), 'sso-setup-test-left1')).toBe('deleted');
		expect(server.users.map((user) => user.Username)).toEqual(['admin', 'alice']);
		expect(server.contractErrors).toEqual([]);
	});
});
