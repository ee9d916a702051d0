import {afterAll, describe, expect, it} from 'vitest';
import {testPki} from '../helpers/tls.js';
import {startOidcOp, type OpOptions, type RunningOp} from '../servers/oidc-op.js';
import {clientSecret, harborValues, redirectUri, verify} from './support.js';

/**
 * The IdP-side checks against a real OpenID provider (oidc-provider 8), configured right and then
 * wrong in each way people get wrong: each mistake must fail exactly its own check, with its fix.
 */

const pki = testPki();
const running: RunningOp[] = [];
const harborClient = {client_id: 'harbor', client_secret: clientSecret, redirect_uris: [redirectUri]};

async function op(options: Partial<OpOptions> = {}): Promise<RunningOp> {
	const started = await startOidcOp({clients: [harborClient], ...options});
	running.push(started);
	return started;
}

afterAll(async () => {
	await Promise.all(running.map(async (server) => server.close()));
});

const idpChecks = ['discovery', 'issuer', 'scopes', 'client-secret', 'redirect-uri'] as const;

function expectOnlyFailing(statuses: Record<string, string>, failing: string[]): void {
	for (const id of idpChecks) {
		expect({id, status: statuses[id]}).toEqual({id, status: failing.includes(id) ? 'fail' : 'pass'});
	}
}

describe('verification against oidc-provider', () => {
	it('passes every IdP check for a right setup over HTTPS with a trusted CA, and skips the app checks without app values', async () => {
		const provider = await op({tls: pki.server});
		const {results, statuses, byId} = await verify(harborValues(provider), undefined, {caFile: pki.caFile, timeoutMs: 5000});
		expectOnlyFailing(statuses, []);
		expect(results.map((result) => result.id)).toEqual(['discovery', 'issuer', 'scopes', 'client-secret', 'redirect-uri', 'app-config', 'way-back-in']);
		expect(byId('discovery').seen).toContain('over verified TLS');
		expect(byId('client-secret').seen).toMatch(/invalid_grant/);
		expect(byId('redirect-uri').seen).toContain('login_required');
		expect(statuses['app-config']).toBe('skipped');
		expect(byId('app-config').seen).toContain('app_url');
		expect(statuses['way-back-in']).toBe('skipped');
	});

	it('sends the probes the reference describes: a made-up code, never client_credentials, and one prompt=none authorization request', async () => {
		const provider = await op();
		await verify(harborValues(provider));
		const token = provider.requests.filter((request) => request.method === 'POST' && request.url.startsWith('/token'));
		expect(token).toHaveLength(1);
		const authorize = provider.requests.filter((request) => request.url.startsWith('/auth?'));
		expect(authorize).toHaveLength(1);
		const parameters = new URL(authorize[0]!.url, provider.origin).searchParams;
		expect(Object.fromEntries(parameters)).toMatchObject({client_id: 'harbor', redirect_uri: redirectUri, response_type: 'code', scope: 'openid', prompt: 'none'});
		expect(parameters.get('state')?.length).toBeGreaterThanOrEqual(8);
		expect(provider.requests.map((request) => request.url)).toContain('/.well-known/openid-configuration');
	});

	it('accepts an authentik-style issuer with a path and its trailing slash when configured exactly', async () => {
		const provider = await op({path: '/application/o/harbor', trailingSlash: true});
		expect(provider.issuer.endsWith('/application/o/harbor/')).toBe(true);
		const {statuses} = await verify(harborValues(provider));
		expectOnlyFailing(statuses, []);
	});

	it('fails only the issuer check when the app has the issuer without the trailing slash the IdP publishes', async () => {
		const provider = await op({path: '/application/o/harbor', trailingSlash: true});
		const configured = provider.issuer.slice(0, -1);
		const {statuses, byId} = await verify(harborValues(provider, {issuer: configured}));
		expectOnlyFailing(statuses, ['issuer']);
		const {fix} = byId('issuer');
		expect(fix).toContain(`"${provider.issuer}"`);
		expect(fix).toContain(`"${configured}"`);
		expect(fix).toMatch(/final slash/);
	});

	it('fails only the issuer check when the app adds a trailing slash the IdP does not publish', async () => {
		const provider = await op({path: '/realms/test'});
		const {statuses, byId} = await verify(harborValues(provider, {issuer: `${provider.issuer}/`}));
		expectOnlyFailing(statuses, ['issuer']);
		expect(byId('issuer').seen).toContain(`"${provider.issuer}"`);
		expect(byId('issuer').fix).toContain('issuer did not match');
	});

	it('names a host mismatch between the published and the configured issuer', async () => {
		const provider = await op({issuerHost: 'localhost'});
		const {statuses, byId} = await verify(harborValues(provider, {issuer: provider.origin}));
		expectOnlyFailing(statuses, ['issuer']);
		expect(byId('issuer').fix).toMatch(/host differs/);
	});

	it('only warns about an issuer mismatch for Portainer, which never compares issuers', async () => {
		const provider = await op({trailingSlash: true});
		const {statuses} = await verify(harborValues(provider, {app: 'portainer', issuer: provider.origin, scopes: 'openid profile', scope_separator: ' '}));
		expect(statuses['issuer']).toBe('warn');
	});

	it('fails only the client-secret check for a wrong secret, and never shows the secret', async () => {
		const provider = await op();
		const wrong = 'wrong-secret-9876543210';
		const {statuses, byId, results} = await verify(harborValues(provider), {client_secret: wrong});
		expectOnlyFailing(statuses, ['client-secret']);
		expect(byId('client-secret').seen).toMatch(/HTTP 401 invalid_client/);
		expect(byId('client-secret').fix).toMatch(/Copy the client secret of client "harbor"/);
		expect(JSON.stringify(results)).not.toContain(wrong);
	});

	it('fails only the redirect-uri check for an unregistered redirect URI, naming the URI to register', async () => {
		const provider = await op();
		const unregistered = 'https://harbor.internal.test/c/oidc/callback';
		const {statuses, byId} = await verify(harborValues(provider, {redirect_uri: unregistered}));
		expectOnlyFailing(statuses, ['redirect-uri']);
		expect(byId('redirect-uri').seen).toMatch(/HTTP 400/);
		expect(byId('redirect-uri').fix).toContain(`Register exactly "${unregistered}"`);
	});

	it('tells an unknown client ID apart from an unregistered redirect URI', async () => {
		const provider = await op();
		const {statuses, byId} = await verify(harborValues(provider, {client_id: 'harbour'}));
		expectOnlyFailing(statuses, ['client-secret', 'redirect-uri']);
		expect(byId('redirect-uri').seen).toContain('does not know client "harbour"');
	});

	it('warns (never fails) when scopes_supported does not list offline_access, saying why Harbor needs it', async () => {
		const provider = await op({offlineAccess: false});
		const {statuses, byId} = await verify(harborValues(provider));
		expect(statuses).toMatchObject({discovery: 'pass', issuer: 'pass', scopes: 'warn', 'client-secret': 'pass', 'redirect-uri': 'pass'});
		expect(byId('scopes').seen).toContain('does not list offline_access');
		expect(byId('scopes').fix).toMatch(/docker login/);
	});

	it('fails the scopes check when Harbor is not configured to ask for offline_access', async () => {
		const provider = await op();
		const {statuses, byId} = await verify(harborValues(provider, {scopes: 'openid,profile,email'}));
		expectOnlyFailing(statuses, ['scopes']);
		expect(byId('scopes').fix).toMatch(/Add offline_access to the scopes of Harbor/);
	});

	it('does not require offline_access for Portainer, but refuses comma-separated scopes there', async () => {
		const provider = await op({offlineAccess: false});
		const portainer = {app: 'portainer', scope_separator: ' ', redirect_uri: redirectUri};
		const spaces = await verify(harborValues(provider, {...portainer, scopes: 'openid profile email'}));
		expect(spaces.statuses['scopes']).toBe('pass');
		const commas = await verify(harborValues(provider, {...portainer, scopes: 'openid,profile,email'}));
		expect(commas.statuses['scopes']).toBe('fail');
		expect(commas.byId('scopes').fix).toMatch(/separated by " "/);
	});

	it('warns when the username or groups claim is not published', async () => {
		const provider = await op({claims: {openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: []}});
		const {statuses, byId} = await verify(harborValues(provider));
		expect(statuses['scopes']).toBe('warn');
		expect(byId('scopes').seen).toContain('groups (groups_claim)');
	});

	it('fails discovery on a self-signed certificate with the CA fix and what turning verification off means, and skips what needs discovery', async () => {
		const provider = await op({tls: pki.selfSigned});
		const {statuses, byId} = await verify(harborValues(provider));
		expect(statuses).toMatchObject({discovery: 'fail', issuer: 'skipped', scopes: 'skipped', 'client-secret': 'skipped', 'redirect-uri': 'skipped'});
		expect(byId('discovery').seen).toContain('self-signed');
		expect(byId('discovery').fix).toMatch(/ca_file.*NODE_EXTRA_CA_CERTS/);
		expect(byId('discovery').fix).toMatch(/oidc_verify_cert to false \(which turns certificate checks off/);
		expect(byId('issuer').seen).toContain('discovery failed');
	});

	it('fails discovery on a certificate from an unknown CA, and passes once the CA file is trusted', async () => {
		const provider = await op({tls: pki.server});
		const untrusted = await verify(harborValues(provider));
		expect(untrusted.statuses['discovery']).toBe('fail');
		expect(untrusted.byId('discovery').seen).toMatch(/not trusted/);
		const trusted = await verify(harborValues(provider), undefined, {caFile: pki.caFile, timeoutMs: 5000});
		expect(trusted.statuses['discovery']).toBe('pass');
	});

	it('fails discovery on a certificate for another host name', async () => {
		const provider = await op({tls: pki.wrongHost});
		const {byId} = await verify(harborValues(provider), undefined, {caFile: pki.caFile, timeoutMs: 5000});
		expect(byId('discovery')).toMatchObject({status: 'fail'});
		expect(byId('discovery').fix).toMatch(/host name the certificate was issued for/);
	});

	it('fails discovery with the shape of the issuer when the discovery document is not there', async () => {
		const provider = await op({path: '/realms/test'});
		const {byId} = await verify(harborValues(provider, {issuer: `${provider.origin}/realms/other`, idp: 'keycloak'}));
		expect(byId('discovery').status).toBe('fail');
		expect(byId('discovery').seen).toContain('HTTP 404');
		expect(byId('discovery').fix).toContain('/realms/<realm>');
	});

	it('skips the checks whose values are missing instead of failing', async () => {
		const provider = await op();
		const {statuses, byId} = await verify({app: 'harbor', issuer: provider.issuer}, {});
		expect(statuses).toMatchObject({discovery: 'pass', issuer: 'pass', scopes: 'skipped', 'client-secret': 'skipped', 'redirect-uri': 'skipped'});
		expect(byId('client-secret').seen).toContain('client_id');
		const noSecret = await verify(harborValues(provider), {});
		expect(noSecret.byId('client-secret')).toMatchObject({status: 'skipped'});
		expect(noSecret.byId('client-secret').seen).toContain('SSO_SETUP_CLIENT_SECRET');
	});
});
