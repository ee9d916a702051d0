import {createHash, generateKeyPairSync, randomBytes} from 'node:crypto';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {exportJWK, SignJWT} from 'jose';
import {afterEach, describe, expect, it} from 'vitest';
import {startFakeHarbor, type FakeHarbor} from './harbor.js';

/**
 * The fake Harbor's /c/oidc/login and /c/oidc/callback as Harbor's OIDCController does them: state
 * and PKCE verifier in the `sid` session, the code exchanged with the client secret, the ID token
 * verified, the username and groups claims read, the user onboarded (admin by the admin group).
 * The IdP here is a small authorization server that really checks the secret, the redirect URI and
 * the PKCE verifier, and signs its ID tokens.
 */

type Idp = {issuer: string; close(): Promise<void>; tokenRequests: number};

async function startIdp(options: {secret: string; claims: Record<string, unknown>; audience?: string}): Promise<Idp> {
	const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
	const jwk = {...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig'};
	const codes = new Map<string, {redirectUri: string; challenge?: string; clientId: string}>();
	let issuer = '';
	const idp: Idp = {issuer: '', tokenRequests: 0, close: async () => undefined};
	const server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', issuer);
		const json = (status: number, body: unknown) => {
			response.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body));
		};
		if (url.pathname === '/.well-known/openid-configuration') {
			json(200, {issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256']});
			return;
		}
		if (url.pathname === '/jwks') {
			json(200, {keys: [jwk]});
			return;
		}
		if (url.pathname === '/authorize') {
			const code = randomBytes(16).toString('base64url');
			codes.set(code, {redirectUri: url.searchParams.get('redirect_uri') ?? '', clientId: url.searchParams.get('client_id') ?? '', ...(url.searchParams.get('code_challenge') ? {challenge: url.searchParams.get('code_challenge')!} : {})});
			response.writeHead(302, {location: `${url.searchParams.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}`}).end();
			return;
		}
		if (url.pathname === '/token' && request.method === 'POST') {
			idp.tokenRequests++;
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				void (async () => {
					const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
					const [id, secret] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8').split(':').map(decodeURIComponent);
					const grant = codes.get(form.get('code') ?? '');
					codes.delete(form.get('code') ?? '');
					if (!grant || id !== grant.clientId || secret !== options.secret) return json(401, {error: 'invalid_client'});
					if (form.get('redirect_uri') !== grant.redirectUri) return json(400, {error: 'invalid_grant'});
					if (grant.challenge && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== grant.challenge) return json(400, {error: 'invalid_grant', error_description: 'PKCE verification failed'});
					const idToken = await new SignJWT({...options.claims}).setProtectedHeader({alg: 'RS256', kid: 'k1'}).setIssuer(issuer).setAudience(options.audience ?? id!).setSubject('user-1').setIssuedAt().setExpirationTime('5m').sign(privateKey);
					json(200, {access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken});
				})();
			});
			return;
		}
		response.writeHead(404).end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	idp.issuer = issuer;
	idp.close = () => new Promise((resolve) => server.close(() => resolve()));
	return idp;
}

/** A browser without JavaScript: follows the redirects by hand, keeping Harbor's sid cookie. */
async function signIn(harbor: FakeHarbor) {
	const login = await fetch(`${harbor.url}/c/oidc/login?redirect_url=/harbor/projects`, {redirect: 'manual'});
	expect(login.status).toBe(302);
	const cookie = /sid=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
	const authorize = new URL(login.headers.get('location')!);
	const atIdp = await fetch(authorize, {redirect: 'manual'});
	const callback = await fetch(atIdp.headers.get('location')!, {redirect: 'manual', headers: {cookie}});
	return {authorize, callback, cookie, body: await callback.text()};
}

describe("the fake Harbor's OIDC sign-in", () => {
	let idp: Idp | undefined;
	let harbor: FakeHarbor | undefined;
	afterEach(async () => {
		await Promise.all([idp?.close(), harbor?.close()]);
		idp = undefined;
		harbor = undefined;
	});

	const start = async (config: Record<string, unknown>, idpOptions: {secret?: string; claims?: Record<string, unknown>; audience?: string} = {}) => {
		idp = await startIdp({secret: 'right-secret', claims: {preferred_username: 'alice', name: 'Alice A', groups: ['harbor-admins', 'dev']}, ...idpOptions});
		harbor = await startFakeHarbor({goOidcPing: false, config: {auth_mode: 'oidc_auth', oidc_endpoint: idp.issuer, oidc_client_id: 'harbor', oidc_client_secret: 'right-secret', oidc_scope: 'openid,profile,offline_access', oidc_verify_cert: true, ...config}});
		return harbor;
	};

	it("redirects with Harbor's parameters, exchanges the code with secret and PKCE, and onboards an admin (by the session, not the database)", async () => {
		const h = await start({oidc_user_claim: 'preferred_username', oidc_groups_claim: 'groups', oidc_admin_group: 'harbor-admins', oidc_auto_onboard: true});
		const {authorize, callback} = await signIn(h);
		expect([...authorize.searchParams.keys()].sort()).toEqual(['client_id', 'code_challenge', 'code_challenge_method', 'redirect_uri', 'response_type', 'scope', 'state']);
		expect(authorize.searchParams.get('scope')).toBe('openid profile offline_access');
		expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
		expect(callback.status).toBe(302);
		expect(callback.headers.get('location')).toBe('/harbor/projects');
		expect(h.signIns).toEqual([{status: 302, outcome: 'onboarded', username: 'alice', admin: true}]);
		// The admin group gives AdminRoleInAuth in the session only: sysadmin_flag stays false.
		expect(h.users.filter((user) => user.oidc).map(({username, sysadmin_flag}) => ({username, sysadmin_flag}))).toEqual([{username: 'alice', sysadmin_flag: false}]);
		const session = /sid=[^;]+/.exec(callback.headers.get('set-cookie') ?? '')![0];
		const me = (await (await fetch(`${h.url}/api/v2.0/users/current`, {headers: {cookie: session}})).json()) as Record<string, unknown>;
		expect(me).toMatchObject({username: 'alice', sysadmin_flag: false, admin_role_in_auth: true});
		// A second sign-in finds the user by its subject and creates no other.
		await signIn(h);
		expect(h.signIns.at(-1)).toMatchObject({outcome: 'signed-in', username: 'alice'});
		expect(h.users.filter((user) => user.oidc)).toHaveLength(1);
	});

	it('without the username claim uses the name claim (blanks made "_"), and without the admin group gives no admin', async () => {
		const h = await start({oidc_auto_onboard: true, oidc_groups_claim: 'groups', oidc_admin_group: 'ops'});
		await signIn(h);
		expect(h.signIns).toEqual([{status: 302, outcome: 'onboarded', username: 'Alice_A', admin: false}]);
	});

	it('with auto-onboard off sends the browser to the onboarding page and creates no user', async () => {
		const h = await start({oidc_user_claim: 'preferred_username'});
		const {callback} = await signIn(h);
		// Harbor writes both values into the URL unescaped (fmt.Sprintf).
		expect(callback.headers.get('location')).toBe('/oidc-onboard?username=alice&redirect_url=/harbor/projects');
		expect(h.signIns).toEqual([{status: 302, outcome: 'onboard-prompt', username: 'alice', admin: false}]);
		expect(h.users.some((user) => user.oidc)).toBe(false);
	});

	it('a wrong client secret fails the code exchange with 400, after trying the secret in the header and in the form', async () => {
		const h = await start({oidc_auto_onboard: true, oidc_client_secret: 'wrong-secret'});
		const {callback, body} = await signIn(h);
		expect(callback.status).toBe(400);
		expect(JSON.parse(body)).toEqual({errors: [{code: 'BAD_REQUEST', message: 'oauth2: "invalid_client"'}]});
		expect(idp!.tokenRequests).toBe(2);
		expect(h.users.some((user) => user.oidc)).toBe(false);
	});

	it('a username claim the IdP does not send falls back to the name claim; without a name too, auto-onboarding fails with 500', async () => {
		const h = await start({oidc_auto_onboard: true, oidc_user_claim: 'email'});
		await signIn(h);
		expect(h.signIns).toEqual([{status: 302, outcome: 'onboarded', username: 'Alice_A', admin: false}]);
		await Promise.all([idp?.close(), harbor?.close()]);
		const nameless = await start({oidc_auto_onboard: true, oidc_user_claim: 'email'}, {claims: {preferred_username: 'alice'}});
		const {callback, body} = await signIn(nameless);
		expect(callback.status).toBe(500);
		expect(JSON.parse(body)).toEqual({errors: [{code: 'UNKNOWN', message: 'internal server error'}]});
		expect(nameless.signIns[0]?.error).toMatch(/unable to recover username for auto onboard/);
	});

	it('an ID token for another audience fails verification with 500', async () => {
		const h = await start({oidc_auto_onboard: true}, {audience: 'someone-else'});
		const {callback} = await signIn(h);
		expect(callback.status).toBe(500);
		expect(h.signIns[0]?.error).toMatch(/Failed to verify token/);
	});

	it('a callback without the session cookie is a state mismatch', async () => {
		const h = await start({oidc_auto_onboard: true});
		const login = await fetch(`${h.url}/c/oidc/login`, {redirect: 'manual'});
		const atIdp = await fetch(login.headers.get('location')!, {redirect: 'manual'});
		const callback = await fetch(atIdp.headers.get('location')!, {redirect: 'manual'});
		expect(callback.status).toBe(400);
		expect(await callback.json()).toEqual({errors: [{code: 'BAD_REQUEST', message: 'State mismatch'}]});
		expect(idp!.tokenRequests).toBe(0);
	});
});
