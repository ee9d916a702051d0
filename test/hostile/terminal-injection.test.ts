import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

// Issue 13, class 4: text from a server reaches the terminal only through printable().
const hostile = '\u001B[2J\u001B]0;pwned\u0007\u009B31m boom';
let server: http.Server;
let url: string;

beforeAll(async () => {
	await ensureBuilt();
	server = http.createServer((_request, response) => {
		response.writeHead(500, {'content-type': 'application/json'}).end(JSON.stringify({errors: [{code: 'UNKNOWN', message: hostile}], error: hostile, error_description: hostile}));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

// ESC, BEL and the C1 CSI: none may come out raw (NO_COLOR is set, so sso-setup itself prints none).
const controls = /[\u0007\u001B\u009B]/;

describe('escape sequences in server answers (issue 13, class 4)', () => {
	it('apply prints an error quoting them escaped', async () => {
		const result = await cli(newHome('sso-setup-hostile-'), ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${url}`, '--yes'], {SSO_SETUP_CLIENT_SECRET: 'Hostile-Esc-Secret-6', SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'Hostile-Esc-Pass-7'});
		expect(result.code, result.all).toBe(1);
		expect(result.all).not.toMatch(controls);
	});

	it('verify prints its checks with them escaped', async () => {
		const result = await cli(newHome('sso-setup-hostile-'), ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${url}`, '--set', 'client_id=harbor', '--set', `app_url=${url}`], {SSO_SETUP_CLIENT_SECRET: 'Hostile-Esc-Secret-6', SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'Hostile-Esc-Pass-7'});
		expect(result.code, result.all).toBe(1);
		expect(result.all).not.toMatch(controls);
	});
});
