import {createRequire} from 'node:module';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {parseCommandLine} from '../../source/commands/parse.js';
import type * as VerifyEarly from '../../source/commands/verify-early.js';
import {RemoteError} from '../../source/core/errors.js';
import {HttpClient} from '../../source/core/http.js';
import {closedPort} from '../faults/helpers/faulty-server.js';
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
