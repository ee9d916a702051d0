import {createHash, randomBytes} from 'node:crypto';
import {createRemoteJWKSet, jwtVerify} from 'jose';
import {describe, expect, it} from 'vitest';
import {Browser} from '../../source/core/browser.js';
import {UsageError} from '../../source/core/errors.js';
import {SignInFailure, type TestUser} from '../../source/core/sign-in.js';
import {pocketId} from '../../source/integrations/idp/pocket-id/index.js';
import type {IdpSignIn} from '../../source/integrations/types.js';
import {memoryContext} from '../helpers/context.js';
import {closedAfterEach} from '../helpers/servers.js';
import {harborValues} from '../integrations/idp/values.js';
import {startFakePocketId, type FakePocketId, type FakePocketIdOptions} from '../servers/pocket-id.js';

/**
 * Pocket ID's side of the sign-in proof, driven the way the engine will: create the test user,
 * start an authorization as Harbor does (state, nonce, PKCE), sign in with a one-time access token
 * and the authorize interaction, exchange the code with the client secret as the app would, read
 * the id_token, delete the user. Real Pocket ID cannot be built here (the Go proxy refuses it): the
 * fake follows its backend source (v2.14, and the /api/oidc/authorize of the releases before 2.10).
 */

const redirectUri = 'https://harbor.example.com/c/oidc/callback';
const signIn = pocketId.signIn as Required<IdpSignIn>;

describe('Pocket ID sign-in proof (IdP side)', () => {
	const startFake = closedAfterEach(startFakePocketId);

	async function setUp(options: FakePocketIdOptions = {}, client: {callbackURLs?: string[]} = {}) {
		const fake = await startFake({groups: [{name: 'harbor-admins'}, {name: 'harbor-users'}], ...options});
		const secret = randomBytes(16).toString('hex');
		const stored = fake.addClient({name: 'Harbor', callbackURLs: client.callbackURLs ?? [redirectUri], secret, pkceEnabled: true});
		const context = memoryContext({...harborValues(fake.url), client_id: stored.id}, {pocket_id_api_key: fake.apiKey});
		const user: TestUser = {
			username: `sso-setup-test-${randomBytes(4).toString('hex')}`,
			password: randomBytes(18).toString('base64url'),
			email: `sso-setup-test-${randomBytes(4).toString('hex')}@example.invalid`,
			groups: ['harbor-admins'],
		};
		return {fake, client: stored, secret, context, user};
	}

	function authorization(fake: FakePocketId, clientId: string, scope = 'openid profile email groups offline_access') {
		const verifier = randomBytes(32).toString('base64url');
		const state = randomBytes(12).toString('hex');
		const url = new URL(`${fake.url}/authorize`);
		url.search = new URLSearchParams({
			client_id: clientId,
			redirect_uri: redirectUri,
			response_type: 'code',
			scope,
			state,
			nonce: randomBytes(12).toString('hex'),
			code_challenge: createHash('sha256').update(verifier).digest('base64url'),
			code_challenge_method: 'S256',
		}).toString();
		return {url: url.toString(), verifier, state};
	}

	async function exchange(fake: FakePocketId, clientId: string, secret: string, callbackUrl: string, verifier: string) {
		const answer = await fetch(`${fake.url}/api/oidc/token`, {
			method: 'POST',
			headers: {authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({grant_type: 'authorization_code', code: new URL(callbackUrl).searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier}),
		});
		return {status: answer.status, tokens: (await answer.json()) as {id_token?: string; access_token?: string; refresh_token?: string; error?: string}};
	}

	async function claimsOf(fake: FakePocketId, clientId: string, idToken: string) {
		return (await jwtVerify(idToken, createRemoteJWKSet(new URL(`${fake.url}/.well-known/jwks.json`)), {issuer: fake.url, audience: clientId})).payload as Record<string, unknown>;
	}

	async function failure(promise: Promise<unknown>): Promise<SignInFailure> {
		const error = await promise.then(
			() => undefined,
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(SignInFailure);
		return error as SignInFailure;
	}

	it('signs a new test user in with a one-time access token and the authorize interaction; the code gives an id_token with its name and groups; the user is deleted', async () => {
		const {fake, client, secret, context, user} = await setUp();
		const {record, claims} = await signIn.createTestUser(context, user);
		const created = fake.users.find((candidate) => candidate.username === user.username)!;
		expect(created).toMatchObject({email: user.email, isAdmin: false, groupIds: [fake.groups[0]!.id]});
		expect(record).toEqual({username: user.username, id: created.id, where: expect.stringContaining(fake.url)});
		expect(claims).toMatchObject({sub: created.id, preferred_username: user.username, email: user.email, groups: 'harbor-admins'});

		const {url, verifier, state} = authorization(fake, client.id);
		const result = await signIn.logIn(context, new Browser(context.http), url, {username: user.username, password: user.password});
		const callback = new URL(result.callbackUrl);
		expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
		expect(callback.searchParams.get('state')).toBe(state);
		expect(callback.searchParams.get('iss')).toBe(fake.url);
		expect(callback.searchParams.get('code')).toBeTruthy();
		expect(result.loginSeen).toContain('one-time access token');
		// Signed in before the authorization, the only step left is the consent to a client never used.
		expect(result.loginSeen).toContain('completed consent');
		expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(
			expect.arrayContaining([`POST /api/users/${created.id}/one-time-access-token`, 'GET /authorize', expect.stringMatching(/^POST \/api\/oidc\/interactions\/[^/]+\/complete$/)]),
		);
		// The password is never sent: Pocket ID has none.
		expect(JSON.stringify(fake.requests.map((request) => request.body))).not.toContain(user.password);

		const {status, tokens} = await exchange(fake, client.id, secret, result.callbackUrl, verifier);
		expect(status).toBe(200);
		expect(tokens.refresh_token).toBeDefined();
		const idToken = await claimsOf(fake, client.id, tokens.id_token!);
		expect(idToken).toMatchObject({sub: created.id, preferred_username: user.username, email: user.email, groups: ['harbor-admins']});
		for (const [claim, value] of Object.entries(claims)) {
			expect(Array.isArray(idToken[claim]) ? (idToken[claim] as string[]).join(',') : String(idToken[claim])).toBe(value);
		}

		const userinfo = await fetch(`${fake.url}/api/oidc/userinfo`, {headers: {authorization: `Bearer ${tokens.access_token}`}}).then(async (answer) => answer.json());
		expect(userinfo).toMatchObject({sub: created.id, preferred_username: user.username, groups: ['harbor-admins']});
		expect((await exchange(fake, client.id, secret, result.callbackUrl, verifier)).tokens.error).toBe('invalid_grant');
		const said = JSON.stringify([result.authorizeSeen, result.loginSeen, record, claims, context.messages]);
		for (const hidden of [user.password, callback.searchParams.get('code')!, ...fake.sessionCookies()]) expect(said).not.toContain(hidden);

		expect(await signIn.deleteTestUser(context, record)).toBe('deleted');
		expect(fake.users).toEqual([]);
		expect(await signIn.deleteTestUser(context, record)).toBe('absent');
		expect(fake.contractErrors).toEqual([]);
	});

	it("puts the test user in the client's allowed user groups, so a restricted client lets it in", async () => {
		const {fake, client, secret, context, user} = await setUp();
		const allowed = fake.groups.find((group) => group.name === 'harbor-users')!;
		client.isGroupRestricted = true;
		client.allowedUserGroupIds = [allowed.id];
		const {record, claims} = await signIn.createTestUser(context, user);
		expect(claims['groups']?.split(',').sort()).toEqual(['harbor-admins', 'harbor-users']);
		const {url, verifier} = authorization(fake, client.id);
		const result = await signIn.logIn(context, new Browser(context.http), url, {username: user.username, password: user.password});
		const {tokens} = await exchange(fake, client.id, secret, result.callbackUrl, verifier);
		expect((await claimsOf(fake, client.id, tokens.id_token!))['groups']).toEqual(expect.arrayContaining(['harbor-admins', 'harbor-users']));
		await signIn.deleteTestUser(context, record);
		expect(fake.users).toEqual([]);
		expect(fake.contractErrors).toEqual([]);
	});

	it('breaks the IdP authorize link when the callback URL is not registered, and leaves no user behind', async () => {
		const {fake, client, context, user} = await setUp({}, {callbackURLs: ['https://harbor.example.com/other']});
		const {record} = await signIn.createTestUser(context, user);
		const broken = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, client.id).url, {username: user.username, password: user.password}));
		expect(broken.link).toBe('idp-authorize');
		expect(broken.seen).toContain(`Pocket ID refused the callback URL ${redirectUri}`);
		expect(broken.seen).toContain("does not match any of the OAuth 2.0 Client's pre-registered redirect urls");
		expect(broken.fix).toContain(`Add ${redirectUri} to the Callback URLs of the OIDC client ${client.id}`);
		expect(await signIn.deleteTestUser(context, record)).toBe('deleted');
		expect(fake.users).toEqual([]);
	});

	it('breaks the IdP login link for a user outside the allowed groups', async () => {
		const {fake, client, context, user} = await setUp();
		const {record} = await signIn.createTestUser(context, user);
		// The client is restricted after the user was made: the user is outside its allowed groups.
		client.isGroupRestricted = true;
		client.allowedUserGroupIds = [fake.groups.find((group) => group.name === 'harbor-users')!.id];
		const broken = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, client.id).url, {username: user.username, password: user.password}));
		expect(broken.link).toBe('idp-login');
		expect(broken.seen).toContain('You are not allowed to access this service.');
		expect(broken.fix).toContain('Allowed user groups');
		expect(await signIn.deleteTestUser(context, record)).toBe('deleted');
		expect(fake.users).toEqual([]);
	});

	it('names re-authentication with a passkey as what a test user cannot do', async () => {
		const {fake, client, context, user} = await setUp();
		client.requiresReauthentication = true;
		const {record} = await signIn.createTestUser(context, user);
		const broken = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, client.id).url, {username: user.username, password: user.password}));
		expect(broken.link).toBe('idp-login');
		expect(broken.fix).toContain('Requires re-authentication');
		await signIn.deleteTestUser(context, record);
	});

	it('speaks the /api/oidc/authorize of Pocket ID before v2.10, and its refusals', async () => {
		const {fake, client, secret, context, user} = await setUp({version: '2.9.0'});
		const {record} = await signIn.createTestUser(context, user);
		const {url, verifier, state} = authorization(fake, client.id);
		const result = await signIn.logIn(context, new Browser(context.http), url, {username: user.username, password: user.password});
		const callback = new URL(result.callbackUrl);
		expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
		expect(callback.searchParams.get('state')).toBe(state);
		const {status, tokens} = await exchange(fake, client.id, secret, result.callbackUrl, verifier);
		expect(status).toBe(200);
		expect(await claimsOf(fake, client.id, tokens.id_token!)).toMatchObject({preferred_username: user.username, groups: ['harbor-admins']});

		client.callbackURLs = ['https://harbor.example.com/other'];
		const wrongCallback = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, client.id).url, {username: user.username, password: user.password}));
		expect(wrongCallback.link).toBe('idp-authorize');
		expect(wrongCallback.seen).toContain('invalid callback URL');

		client.callbackURLs = [redirectUri];
		client.isGroupRestricted = true;
		client.allowedUserGroupIds = [fake.groups.find((group) => group.name === 'harbor-users')!.id];
		const outside = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, client.id).url, {username: user.username, password: user.password}));
		expect(outside.link).toBe('idp-login');
		expect(outside.seen).toContain("You're not allowed to access this service");
		await signIn.deleteTestUser(context, record);
		expect(fake.users).toEqual([]);
		expect(fake.contractErrors).toEqual([]);
	});

	it('refuses an admin group Pocket ID does not have before creating anything, and never deletes a user it did not name', async () => {
		const {fake, context, user} = await setUp();
		await expect(signIn.createTestUser(context, {...user, groups: ['no-such-group']})).rejects.toThrow(UsageError);
		expect(fake.users).toEqual([]);

		const {record} = await signIn.createTestUser(context, user);
		const bystander = (await fetch(`${fake.url}/api/users`, {method: 'POST', headers: {'x-api-key': fake.apiKey, 'content-type': 'application/json'}, body: JSON.stringify({username: 'alice', email: 'alice@example.com'})}).then(async (answer) => answer.json())) as {id: string};
		expect(await signIn.deleteTestUser(context, {...record, id: bystander.id})).toBe('deleted');
		expect(fake.users.map((candidate) => candidate.username)).toEqual(['alice']);
		await expect(signIn.deleteTestUser(context, {username: 'alice', id: bystander.id, where: record.where})).rejects.toThrow(/not a name sso-setup gives/);
		expect(fake.users.map((candidate) => candidate.username)).toEqual(['alice']);
	});
});
