import {describe, expect, it} from 'vitest';
import {HttpClient} from '../../../source/core/http.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakeHarbor, authModeRefusalMessage} from '../../servers/harbor.js';
import {startDiscoveryServer} from './helpers/discovery-server.js';

/** The fake Harbor itself: other tests (and the verification checks) rely on it behaving like Harbor. */
describe('fake Harbor', () => {
	const http = new HttpClient({timeoutMs: 5000});
	const admin = {authorization: `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`};
	const start = closedAfterEach(startFakeHarbor);
	const startIdp = closedAfterEach(startDiscoveryServer);

	const call = (url: string, options: {method?: 'GET' | 'PUT' | 'POST' | 'DELETE'; json?: unknown; headers?: Record<string, string>} = {}) =>
		http.request({url, step: 'test', expect: 'any', method: options.method ?? 'GET', headers: {...admin, ...options.headers}, ...(options.json === undefined ? {} : {json: options.json})});

	it('answers systeminfo with fewer fields to anonymous callers', async () => {
		const harbor = await start();
		const anonymous = JSON.parse((await http.request({url: `${harbor.url}/api/v2.0/systeminfo`, step: 'test'})).text) as Record<string, unknown>;
		expect(anonymous).toMatchObject({auth_mode: 'db_auth', primary_auth_mode: false});
		expect(anonymous).not.toHaveProperty('harbor_version');
		expect(anonymous).not.toHaveProperty('external_url');
		const known = JSON.parse((await call(`${harbor.url}/api/v2.0/systeminfo`)).text) as Record<string, unknown>;
		expect(known).toMatchObject({harbor_version: 'v2.13.1-1a2b3c4d', external_url: harbor.url});
	});

	it('never returns secrets, and marks auth_mode read-only while local users exist', async () => {
		const harbor = await start({users: ['alice']});
		harbor.config['oidc_client_secret'] = 'kept-secret';
		const response = await call(`${harbor.url}/api/v2.0/configurations`);
		expect(response.text).not.toContain('kept-secret');
		const body = JSON.parse(response.text) as Record<string, {value: unknown; editable: boolean}>;
		expect(body).not.toHaveProperty('oidc_client_secret');
		expect(body['auth_mode']).toEqual({value: 'db_auth', editable: false});
		expect(body['oidc_scope']).toEqual({value: '', editable: true});
		expect(body['oidc_extra_redirect_parms']).toEqual({value: '{}', editable: true});
	});

	it('refuses to change auth_mode while local users exist, with Harbor\'s exact message', async () => {
		const harbor = await start({users: ['alice']});
		const refused = await call(`${harbor.url}/api/v2.0/configurations`, {method: 'PUT', json: {auth_mode: 'oidc_auth'}});
		expect(refused.status).toBe(400);
		expect(JSON.parse(refused.text)).toEqual({errors: [{code: 'BAD_REQUEST', message: authModeRefusalMessage}]});
		// Resending the current mode is fine; other keys still change.
		const same = await call(`${harbor.url}/api/v2.0/configurations`, {method: 'PUT', json: {auth_mode: 'db_auth', oidc_name: 'x'}});
		expect(same.status).toBe(200);
		expect(harbor.config['oidc_name']).toBe('x');
		expect((await call(`${harbor.url}/api/v2.0/users/3`, {method: 'DELETE'})).status).toBe(200);
		expect((await call(`${harbor.url}/api/v2.0/configurations`, {method: 'PUT', json: {auth_mode: 'oidc_auth'}})).status).toBe(200);
	});

	it('refuses a request that carries its sid cookie without the CSRF token', async () => {
		const harbor = await start();
		const first = await call(`${harbor.url}/api/v2.0/configurations`);
		const cookie = first.headers['set-cookie']!.split(';')[0]!;
		expect(cookie).toMatch(/^sid=/);
		const refused = await call(`${harbor.url}/api/v2.0/configurations`, {method: 'PUT', json: {oidc_name: 'x'}, headers: {cookie}});
		expect(refused.status).toBe(403);
		expect(refused.text).toContain('CSRF token invalid');
		const withToken = await call(`${harbor.url}/api/v2.0/configurations`, {method: 'PUT', json: {oidc_name: 'x'}, headers: {cookie, 'x-harbor-csrf-token': first.headers['x-harbor-csrf-token']!}});
		expect(withToken.status).toBe(200);
	});

	it('records contract violations: a misspelt key and a wrong type are answered 400', async () => {
		const harbor = await start();
		expect((await call(`${harbor.url}/api/v2.0/configurations`, {method: 'PUT', json: {oidc_scopes: 'openid'}})).status).toBe(400);
		expect((await call(`${harbor.url}/api/v2.0/configurations`, {method: 'PUT', json: {oidc_verify_cert: 'yes'}})).status).toBe(400);
		expect(harbor.contractErrors.join('\n')).toMatch(/oidc_scopes/);
		expect(harbor.contractErrors.join('\n')).toMatch(/oidc_verify_cert/);
	});

	it('pings an OIDC endpoint with a real discovery request and an exact issuer match', async () => {
		const harbor = await start();
		const idp = await startIdp();
		const ping = (url: string) => call(`${harbor.url}/api/v2.0/system/oidc/ping`, {method: 'POST', json: {url, verify_cert: true}});
		expect((await ping(idp.issuer)).status).toBe(200);
		const withoutSlash = await ping(idp.issuer.replace(/\/$/, ''));
		expect(withoutSlash.status).toBe(400);
		expect(withoutSlash.text).toContain('failed to verify connection');
		expect(idp.requests.map((request) => request.path)).toEqual(['/application/o/harbor/.well-known/openid-configuration', '/application/o/harbor/.well-known/openid-configuration']);
	});

	it('redirects /c/oidc/login to the IdP with PKCE from v2.13, 412 before OIDC, 500 when discovery fails', async () => {
		const idp = await startIdp();
		const harbor = await start({externalUrl: 'https://harbor.example.com/'});
		expect((await call(`${harbor.url}/c/oidc/login`)).status).toBe(412);
		Object.assign(harbor.config, {auth_mode: 'oidc_auth', oidc_endpoint: idp.issuer, oidc_client_id: 'harbor', oidc_scope: 'openid,profile, offline_access', oidc_extra_redirect_parms: '{"prompt":"login"}'});
		const response = await call(`${harbor.url}/c/oidc/login`);
		expect(response.status).toBe(302);
		const location = new URL(response.headers['location']!);
		expect(`${location.origin}${location.pathname}`).toBe(idp.document['authorization_endpoint']);
		expect(Object.fromEntries(location.searchParams)).toMatchObject({
			response_type: 'code',
			client_id: 'harbor',
			redirect_uri: 'https://harbor.example.com/c/oidc/callback',
			scope: 'openid profile offline_access',
			code_challenge_method: 'S256',
			prompt: 'login',
		});
		expect(location.searchParams.get('state')).toBeTruthy();
		expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
		expect((await call(`${harbor.url}/c/oidc/login?redirect_url=https://evil.example`)).status).toBe(400);

		harbor.config['oidc_endpoint'] = 'http://127.0.0.1:1/nothing';
		expect((await call(`${harbor.url}/c/oidc/login`)).status).toBe(500);
	});

	it('sends no PKCE before v2.13', async () => {
		const idp = await startIdp();
		const harbor = await start({version: 'v2.12.2', config: {auth_mode: 'oidc_auth', oidc_endpoint: idp.issuer, oidc_client_id: 'harbor', oidc_scope: 'openid'}});
		const location = new URL((await call(`${harbor.url}/c/oidc/login`)).headers['location']!);
		expect(location.searchParams.has('code_challenge')).toBe(false);
		expect(location.searchParams.get('redirect_uri')).toBe(`${harbor.url}/c/oidc/callback`);
	});

	it('fails the next matching request once on demand', async () => {
		const harbor = await start();
		harbor.failNext('GET', '/api/v2.0/configurations', 502);
		expect((await call(`${harbor.url}/api/v2.0/configurations?x=1`)).status).toBe(502);
		expect((await call(`${harbor.url}/api/v2.0/configurations`)).status).toBe(200);
	});
});
