import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {binary} from '../helpers/pty.js';
import {startFakeHarbor, type FakeHarbor} from '../servers/harbor.js';
import {startOidcOp, type RunningOp} from '../servers/oidc-op.js';

/**
 * verify sends its first requests before it loads the checks (HttpClient.early): the checks must
 * take those answers, so that each request still reaches the servers once.
 */

const clientSecret = 'First-Requests-Secret-7d1e';
const harborPassword = 'First-Requests-Harbor-3a9c';
const closers: Array<() => Promise<void>> = [];
let harbor: FakeHarbor;
let op: RunningOp;

beforeAll(async () => {
	harbor = await startFakeHarbor({adminPassword: harborPassword});
	closers.push(async () => harbor.close());
	op = await startOidcOp({clients: [{client_id: 'harbor', client_secret: clientSecret, redirect_uris: [`${harbor.url}/c/oidc/callback`]}]});
	closers.push(async () => op.close());
	Object.assign(harbor.config, {auth_mode: 'oidc_auth', oidc_endpoint: op.issuer, oidc_client_id: 'harbor', oidc_scope: 'openid,profile,email,offline_access'});
});

afterAll(async () => {
	for (const close of closers.splice(0)) await close();
});

async function verify(password: string) {
	const home = mkdtempSync(path.join(tmpdir(), 'sso-setup-first-'));
	const args = ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${op.issuer}`, '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--json'];
	const result = await execa('node', [binary, ...args], {
		env: {SSO_SETUP_HOME: home, NO_COLOR: '1', SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: password},
		reject: false,
		stdin: 'ignore',
	});
	return {code: result.exitCode, report: JSON.parse(String(result.stdout) || '{}') as {ok?: boolean; checks?: Array<{id: string; status: string; seen: string}>}, all: `${String(result.stdout)}\n${String(result.stderr)}`};
}

const asked = (path: string) => harbor.requests.filter((request) => request.method === 'GET' && request.path === path).length;

describe('verify: the first requests go out ahead and are asked once', () => {
	it('Harbor is asked for its settings and its admin once each, and the provider for its document once', async () => {
		harbor.requests.length = 0;
		op.requests.length = 0;
		const {code, report, all} = await verify(harborPassword);
		expect(code, all).toBe(0);
		expect(report.ok).toBe(true);
		expect(asked('/api/v2.0/configurations')).toBe(1);
		expect(asked('/api/v2.0/users/current')).toBe(1);
		// Harbor's OIDC ping reads the document too (the fake, as the real one, asks for it itself).
		expect(op.requests.filter((request) => request.url.endsWith('/.well-known/openid-configuration') && request.userAgent?.startsWith('sso-setup'))).toHaveLength(1);
		expect(harbor.contractErrors).toEqual([]);
	});

	it('a wrong admin password fails the checks as before, without a second try', async () => {
		harbor.requests.length = 0;
		const {code, report, all} = await verify('wrong-password');
		expect(code, all).toBe(1);
		const appConfig = report.checks?.find((check) => check.id === 'app-config');
		expect(appConfig?.status).toBe('fail');
		expect(appConfig?.seen).toContain('was refused (HTTP 401)');
		expect(asked('/api/v2.0/configurations')).toBe(1);
		expect(asked('/api/v2.0/users/current')).toBe(1);
	});
});
