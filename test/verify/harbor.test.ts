import {afterAll, describe, expect, it} from 'vitest';
import {toJson} from '../../source/verify/format.js';
import {testPki} from '../helpers/tls.js';
import {startFakeHarbor, type FakeHarbor, type FakeHarborOptions} from '../servers/harbor.js';
import {startOidcOp, type OpOptions, type RunningOp} from '../servers/oidc-op.js';
import {allPassing, clientSecret, harborValues, verify} from './support.js';

/** The app side for Harbor: a fake Harbor (test/servers/harbor.ts) in front of a real OpenID provider. */

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
	await Promise.all(closers.map(async (close) => close()));
});

const adminPassword = 'Harbor-Admin-Pass-1';
const scopes = 'openid,profile,email,groups,offline_access';

async function setup(options: {harbor?: FakeHarborOptions; op?: Partial<OpOptions>; oidc?: Record<string, unknown>} = {}): Promise<{harbor: FakeHarbor; op: RunningOp; values: Record<string, string>}> {
	const harbor = await startFakeHarbor({adminPassword, ...options.harbor});
	closers.push(harbor.close);
	// As the Harbor flow derives it: from app_url, not from Harbor's external_url.
	const callback = `${harbor.url}/c/oidc/callback`;
	const op = await startOidcOp({clients: [{client_id: 'harbor', client_secret: clientSecret, redirect_uris: [callback]}], ...options.op});
	closers.push(op.close);
	Object.assign(harbor.config, {auth_mode: 'oidc_auth', oidc_endpoint: op.issuer, oidc_client_id: 'harbor', oidc_scope: scopes, ...options.oidc});
	const values = harborValues(op, {app_url: harbor.url, redirect_uri: callback, harbor_admin_user: 'admin', fallback_login_url: `${harbor.url}/account/sign-in`});
	return {harbor, op, values};
}

const secrets = {client_secret: clientSecret, harbor_admin_password: adminPassword};

describe('verification of a Harbor setup', () => {
	it('passes every check when Harbor and the IdP agree, and reads Harbor without changing it', async () => {
		const {harbor, values} = await setup();
		const before = structuredClone(harbor.config);
		const {results, byId} = await verify(values, secrets);
		expect(results.map((result) => [result.id, result.status])).toEqual(allPassing);
		expect(byId('app-config').seen).toContain('OIDC ping');
		expect(byId('app-config').seen).toContain('PKCE');
		expect(byId('way-back-in').seen).toContain(`${harbor.url}/account/sign-in`);
		expect(harbor.config).toEqual(before);
		expect(harbor.requests.filter((request) => request.method !== 'GET').map((request) => `${request.method} ${request.path}`)).toEqual(['POST /api/v2.0/system/oidc/ping']);
		const ping = harbor.requests.find((request) => request.path === '/api/v2.0/system/oidc/ping');
		expect(ping?.body).toEqual({url: harbor.config['oidc_endpoint'], verify_cert: true});
		expect(harbor.requests.some((request) => request.headers['cookie'])).toBe(false);
		expect(harbor.contractErrors).toEqual([]);
		const json = JSON.parse(toJson(results)) as {ok: boolean; checks: unknown[]};
		expect(json.ok).toBe(true);
		expect(json.checks).toHaveLength(7);
		expect(JSON.stringify(results)).not.toContain(adminPassword);
		expect(JSON.stringify(results)).not.toContain(clientSecret);
	});

	it('fails app-config when Harbor builds its redirect URI from another external URL', async () => {
		const {values} = await setup({harbor: {externalUrl: 'https://harbor.internal.test'}});
		const {statuses, byId} = await verify(values, secrets);
		expect(statuses['app-config']).toBe('fail');
		expect(byId('app-config').seen).toContain('https://harbor.internal.test/c/oidc/callback');
		expect(byId('app-config').fix).toMatch(/external_url in harbor\.yml/);
	});

	it('fails app-config when Harbor holds other OIDC settings than the session', async () => {
		const {values} = await setup({oidc: {oidc_client_id: 'harbour', oidc_scope: 'openid profile'}});
		const {statuses, byId} = await verify(values, secrets);
		expect(statuses['app-config']).toBe('fail');
		expect(byId('app-config').seen).toContain('client ID "harbour" instead of "harbor"');
		expect(byId('app-config').seen).toContain('scopes "openid profile"');
		expect(byId('app-config').seen).toContain('carries client_id "harbour"');
	});

	it('fails app-config when Harbor is not in OIDC mode', async () => {
		const {values} = await setup({oidc: {auth_mode: 'db_auth'}});
		const {byId} = await verify(values, secrets);
		expect(byId('app-config')).toMatchObject({status: 'fail'});
		expect(byId('app-config').seen).toContain('auth mode is db_auth');
	});

	it('fails app-config when Harbor itself cannot verify the IdP certificate, while this machine can', async () => {
		const pki = testPki();
		const {values} = await setup({op: {tls: pki.server}});
		const {statuses, byId} = await verify(values, secrets, {caFile: pki.caFile, timeoutMs: 5000});
		expect(statuses['discovery']).toBe('pass');
		expect(statuses['app-config']).toBe('fail');
		expect(byId('app-config').seen).toContain('OIDC ping: HTTP 400');
		expect(byId('app-config').seen).toContain('/c/oidc/login) gave HTTP 500');
	});

	it('warns when Harbor starts the sign-in without PKCE (before v2.13)', async () => {
		const {values} = await setup({harbor: {version: 'v2.12.2'}});
		const {byId} = await verify(values, secrets);
		expect(byId('app-config')).toMatchObject({status: 'warn'});
		expect(byId('app-config').fix).toMatch(/v2\.13/);
	});

	it('fails app-config and way-back-in on a wrong admin password, still naming the fallback sign-in page', async () => {
		const {harbor, values} = await setup();
		const {statuses, byId} = await verify(values, {...secrets, harbor_admin_password: 'not-the-password'});
		expect(statuses).toMatchObject({'app-config': 'fail', 'way-back-in': 'fail'});
		expect(byId('way-back-in').seen).toContain(`${harbor.url}/account/sign-in`);
		expect(byId('app-config').seen).toMatch(/401/);
	});

	it('skips app-config and way-back-in without the admin password, with the reason and the fallback page', async () => {
		const {harbor, values} = await setup();
		const {statuses, byId} = await verify(values, {client_secret: clientSecret});
		expect(statuses).toMatchObject({'app-config': 'skipped', 'way-back-in': 'skipped'});
		expect(byId('app-config').seen).toContain('harbor_admin_password');
		expect(byId('way-back-in').seen).toContain(`${harbor.url}/account/sign-in`);
		expect(harbor.requests).toEqual([]);
	});
});
