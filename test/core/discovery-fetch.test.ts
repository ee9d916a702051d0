import http from 'node:http';
import {afterAll, describe, expect, it} from 'vitest';
import {fetchProviderMetadata} from '../../source/core/discovery-fetch.js';
import {HttpClient} from '../../source/core/http.js';

describe('fetchProviderMetadata', () => {
	let issuer = '';
	const server = http.createServer((request, response) => {
		response.setHeader('content-type', 'application/json');
		response.end(JSON.stringify({issuer: request.url === '/other/.well-known/openid-configuration' ? 'https://elsewhere.example.com' : issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`}));
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

	it('leaves the issuer unchecked when given the discovery URL itself', async () => {
		await listening;
		const metadata = await fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(`${issuer}/other/.well-known/openid-configuration`), 'test-client');
		expect(metadata).toMatchObject({issuer: 'https://elsewhere.example.com'});
		await expect(fetchProviderMetadata(new HttpClient(), 'test: discovery', new URL(`${issuer}/other`), 'test-client')).rejects.toThrow();
	});
});
