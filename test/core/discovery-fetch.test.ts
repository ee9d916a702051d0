import http from 'node:http';
import {afterAll, describe, expect, it} from 'vitest';
import {fetchProviderMetadata} from '../../source/core/discovery-fetch.js';
import {RemoteError} from '../../source/core/errors.js';
import {HttpClient} from '../../source/core/http.js';

describe('fetchProviderMetadata', () => {
	let issuer = '';
	const requests: string[] = [];
	const server = http.createServer((request, response) => {
		requests.push(`${request.method} ${request.url} accept=${request.headers.accept}`);
		response.setHeader('content-type', 'application/json');
		const path = request.url?.replace(/\/\.well-known\/openid-configuration$/, '') ?? '';
		response.end(JSON.stringify({issuer: request.url === '/other/.well-known/openid-configuration' ? 'https://elsewhere.example.com' : path.startsWith('/realms/') ? `${issuer}${path}` : issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`}));
	});
	const listening = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)).then(() => {
		issuer = `http://127.0.0.1:${(server.address() as {port: number}).port}`;
	});

	afterAll(() => {
		server.close();
	});

	it('reads the metadata of an issuer over plain HTTP through the client', async () => {
		await listening;
		const metadata = await fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(issuer), 'test-client');
		expect(metadata).toMatchObject({issuer, token_endpoint: `${issuer}/token`});
	});

	it('asks for the document once: the request sent before openid-client starts is the one it reads', async () => {
		await listening;
		requests.length = 0;
		const metadata = await fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(`${issuer}/realms/demo`), 'test-client');
		expect(metadata).toMatchObject({issuer: `${issuer}/realms/demo`});
		expect(requests).toEqual(['GET /realms/demo/.well-known/openid-configuration accept=application/json']);
		requests.length = 0;
		await fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(`${issuer}/realms/demo/.well-known/openid-configuration`), 'test-client');
		expect(requests).toEqual(['GET /realms/demo/.well-known/openid-configuration accept=application/json']);
	});

	it('fails as the client does when the server cannot be reached', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const gone = `http://127.0.0.1:${(closed.address() as {port: number}).port}`;
		await new Promise((resolve) => closed.close(resolve));
		const failure = await fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(gone), 'test-client').catch((error: unknown) => error);
		// openid-client wraps what the fetch threw; the caller explains the client's RemoteError it holds.
		expect((failure as {cause?: unknown}).cause).toBeInstanceOf(RemoteError);
		expect(((failure as {cause: RemoteError}).cause).message).toContain('127.0.0.1');
	});

	it('leaves the issuer unchecked when given the discovery URL itself', async () => {
		await listening;
		const metadata = await fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(`${issuer}/other/.well-known/openid-configuration`), 'test-client');
		expect(metadata).toMatchObject({issuer: 'https://elsewhere.example.com'});
		await expect(fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(`${issuer}/other`), 'test-client')).rejects.toThrow();
	});
});
