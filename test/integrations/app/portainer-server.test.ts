import {describe, expect, it} from 'vitest';
import {HttpClient} from '../../../source/core/http.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakePortainer, type FakePortainer} from '../../servers/portainer.js';

/** The fake Portainer itself: the integration tests and the verification checks rely on it. */
describe('fake Portainer', () => {
	const http = new HttpClient({timeoutMs: 5000});
	const start = closedAfterEach(startFakePortainer);

	const call = async (url: string, options: {method?: 'GET' | 'PUT' | 'POST'; json?: unknown; token?: string} = {}) => {
		const response = await http.request({
			url,
			step: 'test',
			expect: 'any',
			method: options.method ?? 'GET',
			headers: options.token ? {authorization: `Bearer ${options.token}`} : {},
			...(options.json === undefined ? {} : {json: options.json}),
		});
		return {status: response.status, body: response.text === '' ? undefined : (JSON.parse(response.text) as Record<string, any>)};
	};

	const signIn = async (server: FakePortainer, Username = 'admin', Password = 'portainer-admin-pw') =>
		call(`${server.url}/api/auth`, {method: 'POST', json: {Username, Password}});

	it('replaces OAuthSettings whole, keeps the secret on "" and the kube key on null, and hides both', async () => {
		const server = await start({oauth: {ClientID: 'a', Scopes: 'openid', ClientSecret: 'stored', SSO: true}});
		const kubeKey = server.settings.OAuthSettings['KubeSecretKey'];
		const token = (await signIn(server)).body!['jwt'] as string;
		const read = await call(`${server.url}/api/settings`, {token});
		expect(read.body!['OAuthSettings']).not.toHaveProperty('ClientSecret');
		expect(read.body!['OAuthSettings']['KubeSecretKey']).toBeNull();

		const updated = await call(`${server.url}/api/settings`, {method: 'PUT', token, json: {OAuthSettings: {ClientID: 'b', ClientSecret: '', KubeSecretKey: null}}});
		expect(updated.status).toBe(200);
		expect(updated.body!['OAuthSettings']).not.toHaveProperty('ClientSecret');
		expect(server.settings.OAuthSettings).toMatchObject({ClientID: 'b', Scopes: '', SSO: false, ClientSecret: 'stored', KubeSecretKey: kubeKey});
		expect(server.settings.AuthenticationMethod).toBe(1);
	});

	it('drops Business Edition fields on Community Edition, like Go ignores unknown JSON fields', async () => {
		const server = await start();
		const token = (await signIn(server)).body!['jwt'] as string;
		await call(`${server.url}/api/settings`, {method: 'PUT', token, json: {OAuthSettings: {ClientID: 'x', HideInternalAuth: true}}});
		expect(server.settings.OAuthSettings).not.toHaveProperty('HideInternalAuth');
	});

	it('validates the method and AuthStyle like Portainer, and records contract violations', async () => {
		const server = await start();
		const token = (await signIn(server)).body!['jwt'] as string;
		const method = await call(`${server.url}/api/settings`, {method: 'PUT', token, json: {AuthenticationMethod: 4}});
		expect(method.status).toBe(400);
		expect(method.body!['details']).toContain('Value must be one of: 1 (internal), 2 (LDAP/AD) or 3 (OAuth)');
		const style = await call(`${server.url}/api/settings`, {method: 'PUT', token, json: {OAuthSettings: {AuthStyle: 7}}});
		expect(style.body!['details']).toBe('Invalid OAuth AuthStyle');
		const wrongType = await call(`${server.url}/api/settings`, {method: 'PUT', token, json: {AuthenticationMethod: 'oauth'}});
		expect(wrongType.status).toBe(400);
		expect(server.contractErrors.join('\n')).toMatch(/authenticationmethod/);
	});

	it('lets only user 1 sign in with a password once OAuth is on', async () => {
		const server = await start({users: [{username: 'ops', password: 'ops-password', admin: true}]});
		expect((await signIn(server, 'ops', 'ops-password')).status).toBe(200);
		server.settings.AuthenticationMethod = 3;
		const refused = await signIn(server, 'ops', 'ops-password');
		expect(refused).toEqual({status: 422, body: {message: 'Only initial admin is allowed to login without oauth', details: 'Unauthorized'}});
		expect((await signIn(server)).status).toBe(200);
		expect((await signIn(server, 'admin', 'wrong')).body!['message']).toBe('Invalid credentials');
	});

	it('bans an address that signs in too often', async () => {
		const server = await start({signInsPerSecond: 1});
		expect((await signIn(server)).status).toBe(200);
		server.banned.add('127.0.0.1');
		expect(await signIn(server)).toEqual({status: 403, body: {message: 'Access denied', details: 'Too many requests'}});
	});

	it('builds OAuthLoginURI without encoding, with prompt=login when SSO is off', async () => {
		const server = await start({
			settings: {AuthenticationMethod: 3},
			oauth: {AuthorizationURI: 'https://idp/authorize', ClientID: 'c d', RedirectURI: 'https://p/', Scopes: 'openid email', SSO: false, LogoutURI: 'https://idp/logout'},
		});
		const body = (await call(`${server.url}/api/settings/public`)).body!;
		expect(body['OAuthLoginURI']).toBe('https://idp/authorize?response_type=code&client_id=c d&redirect_uri=https://p/&scope=openid email&prompt=login');
		expect(body['OAuthLogoutURI']).toBe('https://idp/logout');
	});

	it('refuses anonymous and non-admin callers', async () => {
		const server = await start({users: [{username: 'dev', password: 'dev-password'}]});
		expect((await call(`${server.url}/api/settings`)).status).toBe(401);
		const token = (await signIn(server, 'dev', 'dev-password')).body!['jwt'] as string;
		expect((await call(`${server.url}/api/settings`, {token})).status).toBe(403);
		expect((await call(`${server.url}/api/system/version`, {token})).body).toMatchObject({ServerVersion: '2.23.0', ServerEdition: 'CE'});
	});
});
