import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {RemoteError} from '../../source/core/errors.js';
import {HttpClient} from '../../source/core/http.js';

describe('class 3: an endless answer is cut off', () => {
	let server: http.Server;
	let url = '';
	beforeAll(async () => {
		server = http.createServer((_request, response) => {
			response.writeHead(200, {'content-type': 'application/json'});
			const chunk = Buffer.alloc(64 * 1024, 'a');
			const pump = () => {
				while (response.write(chunk)) {
					if (response.destroyed) return;
				}
			};
			response.on('drain', pump);
			pump();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	});
	afterAll(() => {
		server.closeAllConnections();
		server.close();
	});

	it('reports "answer too large" with host and step', async () => {
		const error = await new HttpClient({timeoutMs: 60_000}).request({url, step: 'verify: discovery'}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RemoteError);
		expect((error as RemoteError).reason).toBe('too-large');
		expect((error as RemoteError).message).toMatch(/^verify: discovery: answer too large .*\(127\.0\.0\.1:\d+\)$/);
	}, 30_000);
});

describe('class 2: no credential over plain http:// to another machine', () => {
	it('refuses before connecting', async () => {
		const error = await new HttpClient().request({url: 'http://192.0.2.1/api', step: 'harbor: sign in', headers: {authorization: 'Basic eDp5'}}).catch((caught: unknown) => caught);
		expect((error as RemoteError).reason).toBe('plain-http');
	});

	it('refuses a downgrade from an https:// issuer, loopback included', async () => {
		const error = await new HttpClient().request({url: 'http://127.0.0.1:9/token', step: 'verify: client secret', form: {client_secret: 'x'}, secureOrigin: 'https://idp.example.com'}).catch((caught: unknown) => caught);
		expect((error as RemoteError).reason).toBe('plain-http-downgrade');
	});
});
