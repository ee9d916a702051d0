import https from 'node:https';
import {afterAll, describe, expect, it} from 'vitest';
import {HttpClient} from '../../source/core/http.js';
import {RemoteError} from '../../source/core/errors.js';
import {testPki} from '../helpers/tls.js';

describe('HTTP client TLS handling (with the test PKI)', () => {
	const pki = testPki();
	const servers: https.Server[] = [];
	const serve = async (credentials: {key: string; cert: string}) => {
		const server = https.createServer(credentials, (_request, response) => {
			response.setHeader('set-cookie', 'sid=abc');
			response.end('{"ok":true}');
		});
		servers.push(server);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return `https://127.0.0.1:${(server.address() as {port: number}).port}`;
	};

	afterAll(() => {
		for (const server of servers) server.close();
	});

	it('refuses an unknown CA by default and trusts it with a CA file', async () => {
		const url = await serve(pki.server);
		const error = await new HttpClient().request({url, step: 'test: read'}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RemoteError);
		expect((error as RemoteError).reason).toBe('tls-unknown-ca');
		expect((error as RemoteError).message).toContain('127.0.0.1');
		const response = await new HttpClient({caFile: pki.caFile}).json({url, step: 'test: read'});
		expect(response.body).toEqual({ok: true});
	});

	it('names a self-signed certificate', async () => {
		const url = await serve(pki.selfSigned);
		const error = (await new HttpClient().request({url, step: 'test: read'}).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('tls-self-signed');
		expect(error.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
	});

	it('names a certificate for another host', async () => {
		const url = await serve(pki.wrongHost);
		const error = (await new HttpClient({caFile: pki.caFile}).request({url, step: 'test: read'}).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('tls-wrong-host');
	});

	it('names a refused connection and a time-out', async () => {
		const refused = (await new HttpClient().request({url: 'http://127.0.0.1:1/', step: 'test: read'}).catch((caught: unknown) => caught)) as RemoteError;
		expect(refused.reason).toBe('refused');
		const silent = https.createServer(pki.server, () => {});
		servers.push(silent);
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const url = `https://127.0.0.1:${(silent.address() as {port: number}).port}`;
		const timeout = (await new HttpClient({caFile: pki.caFile, timeoutMs: 300}).request({url, step: 'test: read'}).catch((caught: unknown) => caught)) as RemoteError;
		expect(timeout.reason).toBe('timeout');
	});
});
