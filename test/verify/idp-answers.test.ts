import {afterAll, describe, expect, it} from 'vitest';
import {startFakeAuthentik} from '../servers/authentik.js';
import {startFakeKeycloak} from '../servers/keycloak.js';
import {startFakePocketId} from '../servers/pocket-id.js';
import {htmlPage, startScriptedIdp, type ScriptedAnswer, type ScriptedIdp} from './scripted-idp.js';
import {clientSecret, redirectUri, verify} from './support.js';

/** The client-secret and redirect-uri checks read each IdP's own answers right (reference/idps.md, section D). */

const servers: Array<{close(): Promise<void>}> = [];
afterAll(async () => {
	await Promise.all(servers.map(async (server) => server.close()));
});

async function scripted(options: Parameters<typeof startScriptedIdp>[0]): Promise<ScriptedIdp> {
	const server = await startScriptedIdp(options);
	servers.push(server);
	return server;
}

const values = (issuer: string, idp = 'oidc') => ({app: 'harbor', idp, issuer, client_id: 'harbor', redirect_uri: redirectUri, scopes: 'openid,offline_access', scope_separator: ','});

const basicFor = (secret: string) => `Basic ${Buffer.from(`harbor:${secret}`).toString('base64')}`;

describe('the client-secret probe reads each IdP', () => {
	const rows: Array<{idp: string; wrong: ScriptedAnswer; right: ScriptedAnswer}> = [
		{
			idp: 'authentik',
			wrong: {status: 400, json: {error: 'invalid_client', error_description: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)'}},
			right: {status: 400, json: {error: 'invalid_grant', error_description: 'The provided authorization grant or refresh token is invalid'}},
		},
		{
			idp: 'Keycloak 20+',
			wrong: {status: 401, json: {error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials'}},
			right: {status: 400, json: {error: 'invalid_grant', error_description: 'Code not valid'}},
		},
		{
			idp: 'Keycloak before 20',
			wrong: {status: 401, json: {error: 'unauthorized_client', error_description: 'Invalid client secret'}},
			right: {status: 400, json: {error: 'invalid_grant', error_description: 'Code not valid'}},
		},
		{
			idp: 'Pocket ID 2.10+',
			wrong: {status: 401, json: {error: 'invalid_client', error_description: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).'}},
			right: {status: 400, json: {error: 'invalid_grant'}},
		},
		{idp: 'Pocket ID up to 2.9', wrong: {status: 401, json: {error: 'Invalid client secret'}}, right: {status: 400, json: {error: 'Invalid authorization code'}}},
	];

	for (const row of rows) {
		it(`${row.idp}: fails on its wrong-secret answer and passes on its right-secret answer`, async () => {
			const idp = await scripted({token: ({authorization}) => (authorization === basicFor(clientSecret) ? row.right : row.wrong)});
			const right = await verify(values(idp.origin));
			expect(right.byId('client-secret')).toMatchObject({status: 'pass'});
			const wrong = await verify(values(idp.origin), {client_secret: 'wrong-secret'});
			expect(wrong.byId('client-secret')).toMatchObject({status: 'fail'});
			expect(wrong.byId('client-secret').fix).toContain('Copy the client secret');
		});
	}

	it('sends a random code with the registered redirect URI, basic auth first, and never client_credentials', async () => {
		const idp = await scripted({});
		await verify(values(idp.origin));
		await verify(values(idp.origin));
		const forms = idp.requests.filter((request) => request.path === '/token').map((request) => new URLSearchParams(request.body));
		expect(forms).toHaveLength(2);
		for (const form of forms) {
			expect(form.get('grant_type')).toBe('authorization_code');
			expect(form.get('redirect_uri')).toBe(redirectUri);
			expect(form.get('client_secret')).toBeNull();
			expect(form.get('code')?.length).toBeGreaterThanOrEqual(16);
		}

		expect(forms[0]!.get('code')).not.toBe(forms[1]!.get('code'));
		expect(idp.requests.find((request) => request.path === '/token')?.headers.authorization).toBe(basicFor(clientSecret));
		expect(idp.requests.some((request) => request.body.includes('client_credentials'))).toBe(false);
	});

	it('falls back to client_secret_post when the IdP refuses basic auth, as the apps\' OAuth libraries do', async () => {
		const idp = await scripted({
			token: ({authorization, form}) =>
				authorization === undefined && form.get('client_id') === 'harbor' && form.get('client_secret') === clientSecret ? {status: 400, json: {error: 'invalid_grant'}} : {status: 401, json: {error: 'invalid_client'}},
		});
		const {byId} = await verify(values(idp.origin));
		expect(byId('client-secret')).toMatchObject({status: 'pass'});
		expect(byId('client-secret').seen).toMatch(/client_secret_basic → HTTP 401 invalid_client; client_secret_post → HTTP 400 invalid_grant/);
	});

	it('uses client_secret_post alone when that is all the IdP publishes', async () => {
		const idp = await scripted({metadata: {token_endpoint_auth_methods_supported: ['client_secret_post']}});
		await verify(values(idp.origin));
		const tokenRequests = idp.requests.filter((request) => request.path === '/token');
		expect(tokenRequests).toHaveLength(1);
		expect(tokenRequests[0]!.headers.authorization).toBeUndefined();
		expect(new URLSearchParams(tokenRequests[0]!.body).get('client_secret')).toBe(clientSecret);
	});

	it('fails when the client may not use the authorization code flow, and warns when the answer proves nothing', async () => {
		// Keycloak authenticates the client first: a wrong secret gets its 401, the right one the grant refusal.
		const refused = await scripted({
			token: ({authorization}) =>
				authorization === basicFor(clientSecret)
					? {status: 400, json: {error: 'unauthorized_client', error_description: 'Client not allowed to exchange code'}}
					: {status: 401, json: {error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials'}},
		});
		const notAllowed = await verify(values(refused.origin, 'keycloak'));
		expect(notAllowed.byId('client-secret')).toMatchObject({status: 'fail'});
		expect(notAllowed.byId('client-secret').seen).toContain('the secret itself was accepted');
		expect(notAllowed.byId('client-secret').fix).toContain('Standard flow');
		// The same refusal whatever the secret: neither the secret nor the flow can be blamed on it.
		const sameForAll = await scripted({token: () => ({status: 400, json: {error: 'unauthorized_client', error_description: 'The client is not authorized to use this grant type'}})});
		const unknown = await verify(values(sameForAll.origin, 'keycloak'));
		expect(unknown.byId('client-secret')).toMatchObject({status: 'warn'});
		expect(unknown.byId('client-secret').fix).toContain('verify --sign-in');
		expect(unknown.byId('client-secret').fix).toContain('Standard flow');
		const odd = await scripted({token: () => ({status: 400, json: {error: 'invalid_request'}})});
		expect((await verify(values(odd.origin))).byId('client-secret')).toMatchObject({status: 'warn'});
	});

	it('passes an unclear answer when a deliberately wrong secret is refused instead', async () => {
		const idp = await scripted({token: ({authorization}) => (authorization === basicFor(clientSecret) ? {status: 400, json: {error: 'invalid_request'}} : {status: 401, json: {error: 'invalid_client'}})});
		const {byId} = await verify(values(idp.origin));
		expect(byId('client-secret')).toMatchObject({status: 'pass'});
		expect(byId('client-secret').seen).toContain('A deliberately wrong secret gets HTTP 401 invalid_client: the client credentials were accepted.');
	});

	it('never shows the secret, even when an IdP echoes it back', async () => {
		const idp = await scripted({token: ({authorization}) => ({status: 401, json: {error: 'invalid_client', error_description: `bad credentials ${Buffer.from((authorization ?? '').slice(6), 'base64').toString()}`}})});
		const {byId, results} = await verify(values(idp.origin));
		expect(byId('client-secret').seen).toContain('harbor:[secret]');
		expect(JSON.stringify(results)).not.toContain(clientSecret);
	});
});

describe('the redirect-uri probe reads each IdP', () => {
	const refusals: Array<{idp: string; answer: ScriptedAnswer}> = [
		{idp: 'authentik', answer: {status: 400, html: htmlPage('Redirect URI Error', 'The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).')}},
		{idp: 'Keycloak', answer: {status: 400, html: htmlPage('Error', 'Invalid parameter: redirect_uri')}},
		{
			idp: 'Pocket ID 2.10+',
			answer: {status: 302, location: "/interaction/error?error=The+'redirect_uri'+parameter+does+not+match+any+of+the+OAuth+2.0+Client's+pre-registered+redirect+urls."},
		},
	];

	for (const {idp: name, answer} of refusals) {
		it(`${name}: fails on its answer to an unregistered redirect URI`, async () => {
			const idp = await scripted({authorize: (query) => (query.get('redirect_uri') === redirectUri ? {status: 302, location: `${redirectUri}?error=login_required&state=${query.get('state') ?? ''}`} : answer)});
			expect((await verify(values(idp.origin))).byId('redirect-uri')).toMatchObject({status: 'pass'});
			const {byId} = await verify({...values(idp.origin), redirect_uri: 'https://elsewhere.test/cb'});
			expect(byId('redirect-uri')).toMatchObject({status: 'fail'});
			expect(byId('redirect-uri').fix).toContain('Register exactly "https://elsewhere.test/cb"');
		});
	}

	it('names an unknown client (authentik "Client ID Error", Keycloak "Client not found.")', async () => {
		for (const page of [htmlPage('Client ID Error', 'The client identifier (client_id) is missing or invalid.'), htmlPage('Error', 'Client not found.')]) {
			const idp = await scripted({authorize: () => ({status: 400, html: page})});
			const {byId} = await verify(values(idp.origin));
			expect(byId('redirect-uri').seen).toContain('does not know client "harbor"');
		}
	});

	it('calls the old Pocket ID single-page app (HTTP 200) inconclusive', async () => {
		const idp = await scripted({authorize: () => ({status: 200, html: '<!DOCTYPE html><html><body><div id="app"></div></body></html>'})});
		const {byId} = await verify(values(idp.origin, 'pocket-id'));
		expect(byId('redirect-uri')).toMatchObject({status: 'warn'});
		expect(byId('redirect-uri').fix).toMatch(/Inconclusive/);
	});
});

describe('against the fake authentik', () => {
	it('passes for a right client and fails exactly the broken part for each mistake', async () => {
		const authentik = await startFakeAuthentik();
		servers.push(authentik);
		const {issuer} = authentik.addClient({slug: 'harbor', clientId: 'harbor', clientSecret, redirectUris: [redirectUri]});
		const base = {...values(issuer, 'authentik'), scopes: 'openid,profile,email,offline_access', username_claim: 'preferred_username', groups_claim: 'groups'};
		const right = await verify(base);
		expect(right.results.slice(0, 5).map((result) => [result.id, result.status])).toEqual([
			['discovery', 'pass'],
			['issuer', 'pass'],
			['scopes', 'pass'],
			['client-secret', 'pass'],
			['redirect-uri', 'pass'],
		]);

		const slash = await verify({...base, issuer: issuer.replace(/\/$/, '')});
		expect(slash.statuses).toMatchObject({discovery: 'pass', issuer: 'fail', 'client-secret': 'pass', 'redirect-uri': 'pass'});
		expect(slash.byId('issuer').fix).toContain('authentik\'s issuer ends with "/"');

		const wrongSecret = await verify(base, {client_secret: 'wrong-secret'});
		expect(wrongSecret.statuses).toMatchObject({'client-secret': 'fail', 'redirect-uri': 'pass'});

		// authentik answers invalid_client to an unregistered redirect URI even with the right secret
		// (token.py checks the redirect URI before the code): the redirect URI fails, the secret is not blamed (issue #14).
		const unregistered = await verify({...base, redirect_uri: 'https://harbor.example.test/c/oidc/callback/'});
		expect(unregistered.statuses).toMatchObject({'client-secret': 'warn', 'redirect-uri': 'fail'});
		expect(unregistered.byId('client-secret').seen).toContain('it says nothing about the secret');
		expect(unregistered.byId('client-secret').fix).toMatch(/^Inconclusive: first make sure "https:\/\/harbor\.example\.test\/c\/oidc\/callback\/" is registered exactly/);
		expect(unregistered.byId('client-secret').fix).toContain('verify --sign-in');
		expect(unregistered.byId('client-secret').fix).not.toContain('Copy the client secret');
		expect(unregistered.byId('redirect-uri').seen).toContain('Redirect URI Error');
		// A wrong secret with an unregistered redirect URI cannot be told apart either; with the redirect URI registered it fails (above).
		const both = await verify({...base, redirect_uri: 'https://harbor.example.test/c/oidc/callback/'}, {client_secret: 'wrong-secret'});
		expect(both.statuses).toMatchObject({'client-secret': 'warn', 'redirect-uri': 'fail'});
	});
});

describe('against the fake Keycloak', () => {
	for (const version of ['26.0.5', '19.0.3']) {
		it(`Keycloak ${version}: passes for a right client, fails exactly the broken part for each mistake`, async () => {
			const keycloak = await startFakeKeycloak({version});
			servers.push(keycloak);
			keycloak.addClient('apps', {clientId: 'harbor', secret: clientSecret, redirectUris: [redirectUri]});
			const base = {...values(keycloak.issuerOf('apps'), 'keycloak'), scopes: 'openid,profile,email,offline_access', username_claim: 'preferred_username', groups_claim: 'groups'};
			const right = await verify(base);
			expect(right.statuses).toMatchObject({discovery: 'pass', issuer: 'pass', scopes: 'warn', 'client-secret': 'pass', 'redirect-uri': 'pass'});
			expect(right.byId('scopes').fix).toContain('protocol mapper');

			const wrongSecret = await verify(base, {client_secret: 'wrong-secret'});
			expect(wrongSecret.statuses).toMatchObject({'client-secret': 'fail', 'redirect-uri': 'pass'});
			expect(wrongSecret.byId('client-secret').seen).toContain('HTTP 401 unauthorized_client');

			const unregistered = await verify({...base, redirect_uri: 'https://harbor.example.test/callback'});
			expect(unregistered.statuses).toMatchObject({'client-secret': 'pass', 'redirect-uri': 'fail'});
			expect(unregistered.byId('redirect-uri').seen).toContain('Invalid parameter: redirect_uri');

			const groupsScope = await verify({...base, scopes: 'openid,groups,offline_access'});
			expect(groupsScope.byId('scopes')).toMatchObject({status: 'warn'});
			expect(groupsScope.byId('scopes').seen).toContain('does not list groups');
			expect(groupsScope.byId('scopes').fix).toContain('remove it from the scopes of Harbor');
		});
	}

	it('finds the realm under /auth for old Keycloak, and says so when the issuer lacks it', async () => {
		const keycloak = await startFakeKeycloak({legacyAuthPrefix: true});
		servers.push(keycloak);
		keycloak.addClient('apps', {clientId: 'harbor', secret: clientSecret, redirectUris: [redirectUri]});
		expect((await verify(values(keycloak.issuerOf('apps'), 'keycloak'))).statuses).toMatchObject({discovery: 'pass', issuer: 'pass', 'client-secret': 'pass'});
		const withoutPrefix = await verify(values(`${keycloak.url}/realms/apps`, 'keycloak'));
		expect(withoutPrefix.byId('discovery')).toMatchObject({status: 'fail'});
		expect(withoutPrefix.byId('discovery').fix).toContain('/auth/realms/<realm> before Keycloak 17');
	});
});

describe('against the fake Pocket ID', () => {
	const pocketValues = (url: string) => ({...values(url, 'pocket-id'), scopes: 'openid,profile,email,groups,offline_access', username_claim: 'preferred_username', groups_claim: 'groups'});

	it('v2.10+ (fosite): passes for a right client, fails the secret, the redirect URI and an unknown client by name', async () => {
		const pocketId = await startFakePocketId();
		servers.push(pocketId);
		pocketId.addClient({id: 'harbor', name: 'Harbor', callbackURLs: [redirectUri], secret: clientSecret});
		const right = await verify(pocketValues(pocketId.url));
		expect(right.results.slice(0, 5).map((result) => result.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
		expect((await verify(pocketValues(pocketId.url), {client_secret: 'wrong-secret'})).statuses).toMatchObject({'client-secret': 'fail', 'redirect-uri': 'pass'});
		const unregistered = await verify({...pocketValues(pocketId.url), redirect_uri: `${redirectUri}/`});
		expect(unregistered.statuses).toMatchObject({'client-secret': 'pass', 'redirect-uri': 'fail'});
		expect(unregistered.byId('redirect-uri').seen).toContain("does not match any of the OAuth 2.0 Client's pre-registered redirect urls");
		const unknown = await verify({...pocketValues(pocketId.url), client_id: 'harbour'});
		expect(unknown.byId('redirect-uri').seen).toContain('does not know client "harbour"');
	});

	it('v2.9: reads the old JSON errors and calls the single-page /authorize inconclusive', async () => {
		const pocketId = await startFakePocketId({version: '2.9.0'});
		servers.push(pocketId);
		pocketId.addClient({id: 'harbor', name: 'Harbor', callbackURLs: [redirectUri], secret: clientSecret});
		const right = await verify(pocketValues(pocketId.url));
		expect(right.statuses).toMatchObject({'client-secret': 'pass', 'redirect-uri': 'warn'});
		const wrong = await verify(pocketValues(pocketId.url), {client_secret: 'wrong-secret'});
		expect(wrong.byId('client-secret')).toMatchObject({status: 'fail'});
		expect(wrong.byId('client-secret').seen).toContain('Invalid client secret');
	});
});
