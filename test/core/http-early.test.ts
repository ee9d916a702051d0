import http from 'node:http';
import {afterAll, describe, expect, it} from 'vitest';
import {HttpClient} from '../../source/core/http.js';
import {RemoteError} from '../../source/core/errors.js';

describe('HttpClient.early: a GET sent ahead, taken by the same request', () => {
	const seen: string[] = [];
	let answer = 0;
	const server = http.createServer((request, response) => {
		seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? '-'}`);
		answer += 1;
		response.statusCode = request.url === '/missing' ? 404 : 200;
		response.setHeader('content-type', 'application/json');
		response.end(JSON.stringify({answer}));
	});
	const origin = new Promise<string>((resolve) => {
		server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as {port: number}).port}`));
	});

	afterAll(() => {
		server.close();
	});

	it('sends once: a later identical request (any client, any step) gets the early answer', async () => {
		const url = `${await origin}/settings`;
		seen.length = 0;
		await new HttpClient().early({url, step: 'ahead', headers: {authorization: 'Basic a'}});
		const first = await new HttpClient({userAgent: 'someone else'}).json({url, step: 'the check', headers: {authorization: 'Basic a'}});
		expect(seen).toEqual(['GET /settings Basic a']);
		// Taken once: the next one goes out again.
		const second = await new HttpClient().json({url, step: 'the check', headers: {authorization: 'Basic a'}});
		expect(seen).toHaveLength(2);
		expect(second.body).not.toEqual(first.body);
	});

	it('is taken by the same request made before the early one has left (while Node loads its HTTP stack)', async () => {
		const url = `${await origin}/racing`;
		seen.length = 0;
		const early = new HttpClient().early({url, step: 'ahead'});
		const taken = new HttpClient().request({url, step: 'the check'});
		await early;
		await taken;
		expect(seen).toEqual(['GET /racing -']);
	});

	it('is not taken by a request with other headers, another method or another URL', async () => {
		const url = `${await origin}/settings`;
		seen.length = 0;
		await new HttpClient().early({url, step: 'ahead', headers: {authorization: 'Basic a'}});
		await new HttpClient().request({url, step: 'check', headers: {authorization: 'Basic b'}});
		await new HttpClient().request({url, step: 'check', method: 'POST', json: {}, headers: {authorization: 'Basic a'}});
		await new HttpClient().request({url: `${url}?x=1`, step: 'check', headers: {authorization: 'Basic a'}});
		expect(seen).toEqual(['GET /settings Basic a', 'GET /settings Basic b', 'POST /settings Basic a', 'GET /settings?x=1 Basic a']);
	});

	it('the taking request judges the status as its own would be judged', async () => {
		const url = `${await origin}/missing`;
		await new HttpClient().early({url, step: 'ahead'});
		const error = await new HttpClient().request({url, step: 'test: read the missing page'}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RemoteError);
		expect((error as RemoteError).status).toBe(404);
		expect((error as RemoteError).step).toBe('test: read the missing page');
	});

	it('a refused connection reaches the request that takes it, and an unread one harms nothing', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(closed.address() as {port: number}).port}/`;
		await new Promise((resolve) => closed.close(resolve));
		await new HttpClient().early({url, step: 'ahead'});
		await new HttpClient().early({url: `${url}never-read`, step: 'ahead'});
		const error = await new HttpClient().request({url, step: 'test: read'}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RemoteError);
		expect((error as RemoteError).reason).toBe('refused');
	});

	it('leaves a request refused before sending (a credential over plain HTTP to another host) to the request itself', async () => {
		const client = new HttpClient();
		const request = {url: 'http://sso.example.com/x', step: 'test: read', headers: {authorization: 'Basic a'}, secureOrigin: 'https://sso.example.com'};
		await expect(client.early(request)).resolves.toBeUndefined();
		await expect(client.request(request)).rejects.toThrow(/plain HTTP|http:\/\//);
	});
});
