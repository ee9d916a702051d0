import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {testPki} from '../helpers/tls.js';
import {startFakeHarbor} from '../servers/harbor.js';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

/**
 * Issue 13, class 2, proven as it was found: discovery served over verified TLS names a plain
 * http:// token endpoint; a listener there records whether any Authorization header arrived.
 */
const clientSecret = 'Hostile-Plain-Secret-55';
const harborPassword = 'Hostile-Harbor-Pass-21';

type Listener = {url: string; authorizations: string[]; bodies: string[]; close: () => Promise<void>};

async function listen(server: http.Server, scheme: string): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function plainTokenListener(): Promise<Listener> {
	const authorizations: string[] = [];
	const bodies: string[] = [];
	const server = http.createServer((request, response) => {
		if (request.headers.authorization) authorizations.push(request.headers.authorization);
		let body = '';
		request.on('data', (chunk: Buffer) => (body += chunk.toString()));
		request.on('end', () => {
			bodies.push(body);
			response.writeHead(400, {'content-type': 'application/json'}).end('{"error":"invalid_grant"}');
		});
	});
	const url = await listen(server, 'http');
	return {url, authorizations, bodies, close: () => new Promise((resolve) => server.close(() => resolve()))};
}

async function tlsDiscovery(tokenEndpoint: string): Promise<{issuer: string; close: () => Promise<void>}> {
	const pki = testPki();
	let issuer = '';
	const server = https.createServer(pki.server, (request, response) => {
		if (request.url === '/.well-known/openid-configuration') {
			response.writeHead(200, {'content-type': 'application/json'}).end(
				JSON.stringify({
					issuer,
					authorization_endpoint: `${issuer}authorize`,
					token_endpoint: tokenEndpoint,
					jwks_uri: `${issuer}jwks`,
					userinfo_endpoint: `${issuer}userinfo`,
					response_types_supported: ['code'],
					subject_types_supported: ['public'],
					id_token_signing_alg_values_supported: ['RS256'],
					scopes_supported: ['openid', 'profile', 'email'],
				}),
			);
			return;
		}

		response.writeHead(200, {'content-type': 'application/json'}).end(request.url === '/jwks' ? '{"keys":[]}' : '{}');
	});
	issuer = `${await listen(server as unknown as http.Server, 'https')}/`;
	return {issuer, close: () => new Promise((resolve) => server.close(() => resolve()))};
}

describe('a client secret and plain http:// (issue 13, class 2)', () => {
	const closers: Array<() => Promise<void>> = [];
	beforeAll(ensureBuilt);
	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
	});

	it('verify never sends the secret to an http:// token endpoint of an https:// issuer (loopback included), and fails the check saying why', async () => {
		const token = await plainTokenListener();
		closers.push(token.close);
		const discovery = await tlsDiscovery(`${token.url}/token`);
		closers.push(discovery.close);
		const harbor = await startFakeHarbor({adminPassword: harborPassword});
		closers.push(() => harbor.close());
		const result = await cli(
			newHome('sso-setup-hostile-'),
			['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${discovery.issuer}`, '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--set', `ca_file=${testPki().caFile}`, '--json'],
			{SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword},
		);
		expect(token.authorizations).toEqual([]);
		expect(token.bodies.join('\n')).not.toContain(clientSecret);
		expect(result.code, result.all).toBe(1);
		const report = JSON.parse(result.stdout) as {checks: Array<{id: string; status: string; seen: string}>};
		const check = report.checks.find((item) => item.id === 'client-secret')!;
		expect(check.status).toBe('fail');
		expect(check.seen).toContain('http://');
		expect(result.all).not.toContain(clientSecret);
	});
});
