import {mkdtempSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {parseCommandLine} from '../../source/commands/parse.js';
import type * as VerifyEarly from '../../source/commands/verify-early.js';
import {RemoteError} from '../../source/core/errors.js';
import {HttpClient} from '../../source/core/http.js';
import {closedPort} from '../faults/helpers/faulty-server.js';
import {binary} from '../helpers/pty.js';
import {startOidcOp, type RunningOp} from '../servers/oidc-op.js';

/**
 * The launcher sends verify's first requests with bundle/verify-early.cjs, its own copy of the HTTP
 * client, before the ES module bundle loads. The bundle's copy (here: the sources) must take those
 * answers, and explain their failures with its own errors.
 */

const root = path.resolve(import.meta.dirname, '../..');
const early = createRequire(import.meta.url)(path.join(root, 'bundle', 'verify-early.cjs')) as typeof VerifyEarly;
let op: RunningOp;

beforeAll(async () => {
	op = await startOidcOp({clients: [{client_id: 'harbor', client_secret: 'Early-Secret-1f2e', redirect_uris: ['http://127.0.0.1:1/c/oidc/callback']}]});
});

afterAll(async () => {
	await op.close();
	vi.unstubAllEnvs();
});

function verifyLine(issuer: string, ...more: string[]) {
	const parsed = parseCommandLine(['verify', '--idp', 'oidc', '--app', 'portainer', '--set', `issuer=${issuer}`, '--set', 'client_id=harbor', '--set', 'app_url=http://127.0.0.1:1', ...more]);
	if (!('command' in parsed)) throw new Error('not a command');
	return parsed;
}

const documentRequest = (issuer: string) => ({url: `${issuer}/.well-known/openid-configuration`, step: 'verify: discovery', headers: {accept: 'application/json'}, expect: 'any' as const});
const documentsAsked = () => op.requests.filter((request) => request.url.endsWith('/.well-known/openid-configuration')).length;

describe("the launcher's first requests", () => {
	it('reach the provider once: the bundle takes the answer the launcher asked for', async () => {
		op.requests.length = 0;
		await early.sendVerifyFirstRequestsEarly(verifyLine(op.issuer));
		const response = await new HttpClient().request(documentRequest(op.issuer));
		expect(response.status).toBe(200);
		expect(JSON.parse(response.text)).toMatchObject({issuer: op.issuer});
		expect(documentsAsked()).toBe(1);
	});

	it("fail with the bundle's own error when the provider cannot be reached", async () => {
		const issuer = `http://127.0.0.1:${await closedPort()}`;
		await early.sendVerifyFirstRequestsEarly(verifyLine(issuer));
		const failure = await new HttpClient().request(documentRequest(issuer)).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(RemoteError);
		expect(String((failure as Error).message)).toContain('refused');
	});

	it('are left to verify for a saved session, --flows, or a command line verify will refuse, and say nothing', async () => {
		const written = vi.spyOn(process.stderr, 'write');
		op.requests.length = 0;
		try {
			for (const parsed of [
				verifyLine(op.issuer, '--session', '20260101-000000-abcdef'),
				verifyLine(op.issuer, '--flows', root),
				verifyLine(op.issuer, '--set', 'nonsense=1'),
				verifyLine('not a url'),
			]) {
				await early.sendVerifyFirstRequestsEarly(parsed);
			}
		} finally {
			written.mockRestore();
		}

		expect(written).not.toHaveBeenCalled();
		expect(op.requests).toEqual([]);
	});
});

describe('a verify that stops after the launcher sent its first requests', () => {
	it('exits at once with its usage error, without waiting for the answers', async () => {
		// Accepts every request and never answers.
		const silent = http.createServer(() => {});
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
		let asked = 0;
		silent.on('request', () => asked++);
		try {
			const args = ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${url}`, '--set', 'client_id=harbor', '--set', `app_url=${url}`, '--yes'];
			// The bound only catches a hang: a request's own limit is 15 s.
			const result = await execa('node', [binary, ...args], {
				env: {SSO_SETUP_HOME: mkdtempSync(path.join(tmpdir(), 'sso-setup-early-')), NO_COLOR: '1', SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'Early-Pass-5c'},
				reject: false,
				stdin: 'ignore',
				timeout: 10_000,
			});
			expect(result.timedOut).toBe(false);
			expect(result.exitCode, String(result.stderr)).toBe(2);
			expect(String(result.stderr)).toContain('--yes goes with --sign-in');
			// The requests had left: the launcher sent them before verify found the error.
			await vi.waitFor(() => expect(asked).toBeGreaterThan(0));
		} finally {
			silent.closeAllConnections();
			await new Promise((resolve) => silent.close(resolve));
		}
	});
});
