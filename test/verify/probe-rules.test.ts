import {afterAll, describe, expect, it} from 'vitest';
import {startTerseOp, type TerseOp, type TerseOpOptions} from '../servers/terse-op.js';
import {clientSecret, redirectUri, verify} from './support.js';

/**
 * Issue #14's probe rules: without --sign-in a probe is never the sole basis for blaming the
 * secret, and a value missing from discovery's lists is a warning naming it, never a failure.
 */

const servers: TerseOp[] = [];
afterAll(async () => {
	await Promise.all(servers.map(async (server) => server.close()));
});

async function terseOp(options: Partial<TerseOpOptions> = {}): Promise<TerseOp> {
	const op = await startTerseOp({clients: [{clientId: 'harbor', clientSecret, redirectUris: [redirectUri]}], ...options});
	servers.push(op);
	return op;
}

const values = (op: TerseOp, overrides: Record<string, string> = {}) => ({
	app: 'harbor',
	idp: 'oidc',
	issuer: op.issuer,
	client_id: 'harbor',
	redirect_uri: redirectUri,
	scopes: 'openid,profile,email',
	scope_separator: ',',
	...overrides,
});

const unregistered = 'https://harbor.example.test/c/oidc/callback/';

describe('an IdP that answers 403 without Location to an unregistered redirect URI, and the same token answer whatever the secret', () => {
	it('does not blame the right secret for a wrong redirect URI: the secret check is inconclusive and names --sign-in', async () => {
		const op = await terseOp();
		const {statuses, byId} = await verify(values(op, {redirect_uri: unregistered, scopes: 'openid,profile,email,offline_access'}));
		expect(statuses['client-secret']).toBe('warn');
		expect(byId('client-secret').seen).toContain('HTTP 403 unauthorized_client');
		expect(byId('client-secret').seen).toContain('A deliberately wrong secret gets HTTP 403 unauthorized_client, the same answer: it says nothing about the secret.');
		expect(byId('client-secret').seen).toContain('could not confirm');
		expect(byId('client-secret').fix).toMatch(/^Inconclusive: run npx sso-setup verify --sign-in to know/);
		expect(byId('client-secret').fix).toContain(`"${unregistered}" is registered exactly`);
		expect(byId('client-secret').fix).not.toContain('Copy the client secret');
		// The redirect probe itself cannot tell: a 403 page without a Location.
		expect(statuses['redirect-uri']).toBe('warn');
		expect(byId('redirect-uri').seen).toMatch(/answered HTTP 403 .*, without sending the browser anywhere\.$/);
		expect(byId('redirect-uri').fix).toContain('verify --sign-in');
		expect(Object.values(statuses)).not.toContain('fail');
		// One redirect probe serves both checks; the token endpoint got the real secret and a wrong one.
		expect(op.requests.filter((request) => request.path === '/authorize')).toHaveLength(1);
		const secrets = op.requests.filter((request) => request.path === '/token').map((request) => Buffer.from(String(request.headers.authorization).slice(6), 'base64').toString().split(':')[1]);
		expect(secrets).toHaveLength(2);
		expect(secrets[0]).toBe(clientSecret);
		expect(secrets[1]).not.toBe(clientSecret);
	});

	it('is inconclusive for a wrong secret too (the answers cannot tell), and never fails the secret', async () => {
		const op = await terseOp();
		for (const redirect of [unregistered, redirectUri]) {
			const {byId} = await verify(values(op, {redirect_uri: redirect}), {client_secret: 'wrong-secret-0000'});
			expect(byId('client-secret')).toMatchObject({status: 'warn'});
		}
	});

	it('with the redirect URI registered: the redirect check passes, and the secret check stays inconclusive without doubting the redirect URI', async () => {
		const op = await terseOp();
		const {statuses, byId} = await verify(values(op));
		expect(statuses).toMatchObject({discovery: 'pass', issuer: 'pass', 'client-secret': 'warn', 'redirect-uri': 'pass'});
		expect(byId('client-secret').seen).not.toContain('could not confirm');
		expect(byId('client-secret').fix).toContain('verify --sign-in');
		expect(byId('client-secret').fix).not.toContain('registered exactly');
	});

	it('the fake really checks the secret on a code it issued (which the probe cannot have)', async () => {
		const op = await terseOp();
		const exchange = async (secret: string) =>
			fetch(`${op.issuer}/token`, {
				method: 'POST',
				headers: {authorization: `Basic ${Buffer.from(`harbor:${secret}`).toString('base64')}`},
				body: new URLSearchParams({grant_type: 'authorization_code', code: op.issueCode('harbor', redirectUri, 'openid offline_access'), redirect_uri: redirectUri}),
			});
		expect((await exchange('wrong-secret-0000')).status).toBe(401);
		const right = await exchange(clientSecret);
		expect(right.status).toBe(200);
		expect(await right.json()).toHaveProperty('refresh_token');
	});
});

describe("discovery's lists are optional", () => {
	it('warns, naming it, when scopes_supported lacks offline_access (the IdP still issues refresh tokens for it)', async () => {
		const op = await terseOp();
		const {statuses, byId} = await verify(values(op, {scopes: 'openid,profile,email,offline_access'}));
		expect(statuses['scopes']).toBe('warn');
		expect(byId('scopes').seen).toContain('scopes_supported (openid profile email address phone) does not list offline_access');
		expect(byId('scopes').fix).toContain('Check that the identity provider offers offline_access');
		expect(byId('scopes').fix).toContain('verify --sign-in');
	});

	it('warns, naming it, when grant_types_supported lacks refresh_token or claims_supported the username claim', async () => {
		const op = await terseOp({grantTypesSupported: ['authorization_code'], claimsSupported: ['sub', 'email']});
		const {statuses, byId} = await verify(values(op, {scopes: 'openid,profile,email,offline_access', username_claim: 'preferred_username'}));
		expect(statuses['scopes']).toBe('warn');
		expect(byId('scopes').seen).toContain('grant_types_supported (authorization_code) does not list refresh_token');
		expect(byId('scopes').seen).toContain('claims_supported lacks preferred_username (username_claim)');
		expect(byId('scopes').fix).toContain('refresh token grant');
	});

	it('still fails what the session itself gets wrong: Harbor without offline_access, or no openid', async () => {
		const op = await terseOp();
		expect((await verify(values(op))).byId('scopes')).toMatchObject({status: 'fail'});
		const noOpenid = await verify(values(op, {scopes: 'profile,email,offline_access'}));
		expect(noOpenid.byId('scopes')).toMatchObject({status: 'fail'});
		expect(noOpenid.byId('scopes').fix).toContain('Add openid');
	});
});
