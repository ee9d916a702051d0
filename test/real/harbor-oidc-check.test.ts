import {readFileSync} from 'node:fs';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {describeWithRealServers} from '../real-servers/availability.js';
import {startFakeHarbor, type FakeHarbor} from '../servers/harbor.js';
import {startOidcOp, type RunningOp} from '../servers/oidc-op.js';
import {testPki} from '../helpers/tls.js';

/**
 * Harbor's "Test OIDC server" runs go-oidc's NewProvider at Harbor's pinned version (our oidc-check
 * helper): the issuer must be exactly the one the provider publishes, trailing slash included.
 */

const admin = `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`;

async function ping(harbor: FakeHarbor, url: string, verifyCert = true) {
	const response = await fetch(`${harbor.url}/api/v2.0/system/oidc/ping`, {
		method: 'POST',
		headers: {authorization: admin, 'content-type': 'application/json'},
		body: JSON.stringify({url, verify_cert: verifyCert}),
	});
	return {status: response.status, body: (await response.text()) || undefined};
}

await describeWithRealServers("Harbor's go-oidc issuer check", ['oidc-check'], () => {
	const client = {client_id: 'harbor', client_secret: 'not-used-here', redirect_uris: ['http://127.0.0.1/c/oidc/callback']};
	let plain: RunningOp;
	let slashed: RunningOp;
	let tlsOp: RunningOp;
	let harbor: FakeHarbor;
	let tlsHarbor: FakeHarbor;

	beforeAll(async () => {
		const pki = testPki();
		plain = await startOidcOp({path: '/realms/test', clients: [client]});
		slashed = await startOidcOp({path: '/application/o/harbor', trailingSlash: true, clients: [client]});
		tlsOp = await startOidcOp({tls: pki.server, clients: [client]});
		harbor = await startFakeHarbor();
		tlsHarbor = await startFakeHarbor({idpCa: readFileSync(pki.caFile, 'utf8')});
	});

	afterAll(async () => {
		await Promise.all([plain?.close(), slashed?.close(), tlsOp?.close(), harbor?.close(), tlsHarbor?.close()]);
	});

	it('runs the go-oidc helper', () => {
		expect(harbor.goOidcPing).toBe(true);
	});

	it('accepts the exact issuer', async () => {
		expect(plain.issuer.endsWith('/')).toBe(false);
		expect(await ping(harbor, plain.issuer)).toEqual({status: 200, body: undefined});
		expect(slashed.issuer.endsWith('/')).toBe(true);
		expect(await ping(harbor, slashed.issuer)).toEqual({status: 200, body: undefined});
		expect(harbor.pingResults.map((result) => result.ok)).toEqual([true, true]);
	});

	it('refuses an extra trailing slash as Harbor does', async () => {
		const answer = await ping(harbor, `${plain.issuer}/`);
		expect(answer.status).toBe(400);
		expect(JSON.parse(answer.body!)).toEqual({errors: [{code: 'BAD_REQUEST', message: 'failed to verify connection'}]});
		expect(harbor.pingResults.at(-1)?.error).toContain('issuer did not match the issuer returned by provider');
	});

	it('refuses a missing trailing slash', async () => {
		const answer = await ping(harbor, slashed.issuer.replace(/\/$/, ''));
		expect(answer.status).toBe(400);
		expect(harbor.pingResults.at(-1)?.error).toContain('issuer did not match the issuer returned by provider');
	});

	it('checks TLS: refused without the CA, accepted with it, and with verify_cert off', async () => {
		const untrusted = await ping(harbor, tlsOp.issuer);
		expect(untrusted.status).toBe(400);
		expect(harbor.pingResults.at(-1)?.error).toMatch(/certificate/);
		expect((await ping(tlsHarbor, tlsOp.issuer)).status).toBe(200);
		expect((await ping(harbor, tlsOp.issuer, false)).status).toBe(200);
	});
});
