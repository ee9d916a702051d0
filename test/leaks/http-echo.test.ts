import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {RemoteError} from '../../source/core/errors.js';
import {HttpClient, type HttpRequest} from '../../source/core/http.js';
import {listen, type Listening} from '../servers/recording-server.js';
import {encodedForms, findLeaks, leakSecret} from './helpers/leaks.js';

/**
 * A server (or a proxy in front of it) that quotes the whole request in its error answer: the
 * RemoteError keeps the server's words but never the credentials that were sent. This is the last
 * line of defence for commands that print errors without knowing the session's secrets.
 */

describe('HttpClient errors never quote the credentials of the request', () => {
	let server: Listening;
	let url: string;

	beforeAll(async () => {
		server = await listen((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				const headers = Object.entries(request.headers).map(([name, value]) => `${name}=${String(value)}`).join(' ');
				const basic = /^Basic (.+)$/.exec(request.headers['authorization'] ?? '')?.[1];
				const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
				const status = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status') ?? 400);
				response.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify({message: `refused: ${request.url ?? ''} ${headers} ${decoded} body=${Buffer.concat(chunks).toString('utf8')}`}));
			});
		});
		url = server.url;
	});

	afterAll(async () => {
		await server.close();
	});

	const secret = {
		password: leakSecret('password'),
		token: leakSecret('token'),
		apiKey: leakSecret('api-key'),
		clientSecret: `${leakSecret('client-secret')} +&/`,
		consumerKey: leakSecret('consumer-key'),
		nested: leakSecret('nested-secret'),
	};

	const redirectUri = 'https://harbor.example.com/c/oidc/callback';
	const requests: Array<{name: string; request: Omit<HttpRequest, 'url' | 'step'>}> = [
		{name: 'basic auth', request: {headers: {authorization: `Basic ${Buffer.from(`admin:${secret.password}`).toString('base64')}`}}},
		{name: 'bearer token', request: {headers: {authorization: `Bearer ${secret.token}`}}},
		{name: 'API key header', request: {headers: {'x-api-key': secret.apiKey}}},
		{name: 'OVH consumer key header', request: {headers: {'X-Ovh-Consumer': secret.consumerKey}}},
		{name: 'form with a password', request: {form: {grant_type: 'password', username: 'admin', password: secret.password}}},
		{
			name: 'client secret in a Basic header, form-encoded first (RFC 6749)',
			request: {form: {grant_type: 'authorization_code'}, headers: {authorization: `Basic ${Buffer.from(`harbor:${encodeURIComponent(secret.clientSecret).replaceAll('%20', '+')}`).toString('base64')}`}},
		},
		{name: 'form with a client secret', request: {form: {client_id: 'harbor', client_secret: secret.clientSecret}}},
		{name: 'JSON body with secrets, nested', request: {method: 'PUT', json: {oidc_client_secret: secret.clientSecret, OAuthSettings: {ClientSecret: secret.nested, KubeSecretKey: secret.token}}}},
		{name: 'raw JSON body (as the OVH API gets it)', request: {method: 'POST', body: JSON.stringify({provider: {clientSecret: secret.clientSecret}})}},
	];

	it.each(requests)('$name', async ({request}) => {
		for (const status of [400, 500]) {
			const error = (await new HttpClient({timeoutMs: 2000})
				.request({...request, url: `${url}/api?status=${status}&redirect_uri=${encodeURIComponent(redirectUri)}`, step: 'test: echo'})
				.catch((caught: unknown) => caught)) as RemoteError;
			expect(error).toBeInstanceOf(RemoteError);
			// The server's words still come through, with what is not a credential.
			expect(error.message).toContain('refused:');
			expect(error.message).toContain(encodeURIComponent(redirectUri));
			const leaks = findLeaks([{where: 'message', text: error.message}, {where: 'hint', text: error.hint ?? ''}], Object.entries(secret).map(([name, value]) => ({name, value})));
			expect(leaks).toEqual([]);
		}
	});

	it('the search finds a secret however it is encoded (so the tests above can fail)', () => {
		const value = secret.password;
		const basic = `Basic ${Buffer.from(`someone:${value}`).toString('base64')}`;
		const jwtish = Buffer.from(JSON.stringify({a: 1, p: value})).toString('base64url');
		for (const text of [`x${value}y`, `q=${encodeURIComponent(`${value}/`)}`, basic, jwtish]) {
			expect(findLeaks([{where: 'sample', text}], [{name: 'password', value}]), text).not.toEqual([]);
		}

		expect(findLeaks([{where: 'sample', text: '•'.repeat(12)}], [{name: 'password', value}])).toEqual([]);
		expect(encodedForms(value).length).toBeGreaterThan(3);
	});
});
