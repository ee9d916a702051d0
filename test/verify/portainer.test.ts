import {afterAll, describe, expect, it} from 'vitest';
import {startFakePortainer, type FakePortainer, type FakePortainerOptions} from '../servers/portainer.js';
import {startOidcOp} from '../servers/oidc-op.js';
import {allPassing, clientSecret, verify} from './support.js';

/** The app side for Portainer: a fake Portainer (test/servers/portainer.ts) in front of a real OpenID provider. */

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
	await Promise.all(closers.map(async (close) => close()));
});

const adminPassword = 'portainer-admin-password';
const apiKey = 'ptr_portainer-api-key';

async function setup(options: {portainer?: FakePortainerOptions; oauth?: Record<string, unknown>} = {}): Promise<{portainer: FakePortainer; values: Record<string, string>}> {
	const portainer = await startFakePortainer({adminPassword, apiKeys: {[apiKey]: 1}, ...options.portainer});
	closers.push(portainer.close);
	const redirectUri = `${portainer.url}/`;
	const op = await startOidcOp({clients: [{client_id: 'portainer', client_secret: clientSecret, redirect_uris: [redirectUri]}]});
	closers.push(op.close);
	const metadata = (await (await fetch(op.discoveryUrl)).json()) as Record<string, string>;
	portainer.settings.AuthenticationMethod = 3;
	Object.assign(portainer.settings.OAuthSettings, {
		ClientID: 'portainer',
		ClientSecret: clientSecret,
		AuthorizationURI: metadata['authorization_endpoint'],
		AccessTokenURI: metadata['token_endpoint'],
		ResourceURI: metadata['userinfo_endpoint'],
		RedirectURI: redirectUri,
		UserIdentifier: 'preferred_username',
		Scopes: 'openid profile email',
		SSO: true,
		...options.oauth,
	});
	const values = {
		app: 'portainer',
		idp: 'oidc',
		app_url: portainer.url,
		issuer: op.issuer,
		client_id: 'portainer',
		redirect_uri: redirectUri,
		scopes: 'openid profile email',
		scope_separator: ' ',
		username_claim: 'preferred_username',
		portainer_admin_user: 'admin',
		fallback_login_url: `${portainer.url}/#!/internal-auth`,
	};
	return {portainer, values};
}

const signIns = (portainer: FakePortainer) => portainer.requests.filter((request) => request.path === '/api/auth');

describe('verification of a Portainer setup', () => {
	it('passes every check when Portainer and the IdP agree, signing in once and changing nothing', async () => {
		const {portainer, values} = await setup();
		const before = structuredClone(portainer.settings);
		const {results, byId} = await verify(values, {client_secret: clientSecret, portainer_admin_password: adminPassword});
		expect(results.map((result) => [result.id, result.status])).toEqual(allPassing);
		expect(byId('way-back-in').seen).toContain(`${portainer.url}/#!/internal-auth`);
		expect(signIns(portainer)).toHaveLength(1);
		expect(signIns(portainer)[0]?.body).toEqual({Username: 'admin', Password: adminPassword});
		expect(portainer.requests.filter((request) => request.method !== 'GET' && request.path !== '/api/auth')).toEqual([]);
		expect(portainer.settings).toEqual(before);
		expect(portainer.contractErrors).toEqual([]);
		expect(JSON.stringify(results)).not.toContain(adminPassword);
	});

	it('with an API key, also compares the token and userinfo URLs and the user identifier', async () => {
		const {values} = await setup({oauth: {AccessTokenURI: 'https://idp.internal.test/token', UserIdentifier: 'sub'}});
		const {byId} = await verify(values, {client_secret: clientSecret, portainer_api_key: apiKey});
		expect(byId('app-config')).toMatchObject({status: 'fail'});
		expect(byId('app-config').seen).toContain('access token URL "https://idp.internal.test/token"');
		expect(byId('app-config').seen).toContain('user identifier "sub" instead of preferred_username');
		expect(byId('way-back-in')).toMatchObject({status: 'pass'});
		expect(byId('way-back-in').seen).toContain('API key');
	});

	it('fails app-config on comma-separated scopes in Portainer', async () => {
		const {values} = await setup({oauth: {Scopes: 'openid,profile,email'}});
		const {byId} = await verify(values, {client_secret: clientSecret});
		expect(byId('app-config')).toMatchObject({status: 'fail'});
		expect(byId('app-config').fix).toContain('spaces');
	});

	it('fails app-config when Portainer sends the redirect URI without the trailing slash that is registered', async () => {
		const {portainer, values} = await setup();
		portainer.settings.OAuthSettings['RedirectURI'] = portainer.url;
		const {statuses, byId} = await verify(values, {client_secret: clientSecret});
		expect(statuses).toMatchObject({'redirect-uri': 'pass', 'app-config': 'fail'});
		expect(byId('app-config').seen).toContain(`carries redirect_uri "${portainer.url}" instead of "${portainer.url}/"`);
	});

	it('fails app-config when OAuth is not Portainer\'s authentication method', async () => {
		const {portainer, values} = await setup();
		portainer.settings.AuthenticationMethod = 1;
		const {byId} = await verify(values, {client_secret: clientSecret});
		expect(byId('app-config')).toMatchObject({status: 'fail', seen: "Portainer's authentication method is internal, not OAuth."});
	});

	it('fails way-back-in for an admin who is not the initial one, and for a wrong password', async () => {
		const {values} = await setup({portainer: {users: [{username: 'ops', password: 'ops-password-1', admin: true}]}});
		const other = await verify({...values, portainer_admin_user: 'ops'}, {client_secret: clientSecret, portainer_admin_password: 'ops-password-1'});
		expect(other.byId('way-back-in')).toMatchObject({status: 'fail'});
		expect(other.byId('way-back-in').seen).toContain('only the initial administrator (user 1)');
		const wrong = await verify(values, {client_secret: clientSecret, portainer_admin_password: 'not-it'});
		expect(wrong.byId('way-back-in')).toMatchObject({status: 'fail'});
		expect(wrong.byId('way-back-in').seen).toContain('Invalid credentials');
	});

	it('skips way-back-in without credentials but still names the internal sign-in page', async () => {
		const {portainer, values} = await setup();
		const {byId} = await verify(values, {client_secret: clientSecret});
		expect(byId('way-back-in')).toMatchObject({status: 'skipped'});
		expect(byId('way-back-in').seen).toContain(`${portainer.url}/#!/internal-auth`);
		expect(signIns(portainer)).toEqual([]);
	});
});
