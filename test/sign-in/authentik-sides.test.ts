import {createHash, randomBytes} from 'node:crypto';
import {createRemoteJWKSet, jwtVerify} from 'jose';
import {describe, expect, it} from 'vitest';
import {Browser} from '../../source/core/browser.js';
import {RemoteError, UsageError} from '../../source/core/errors.js';
import {SignInFailure, type TestUser} from '../../source/core/sign-in.js';
import {authentik} from '../../source/integrations/idp/authentik/index.js';
import type {IdpSignIn} from '../../source/integrations/types.js';
import {memoryContext} from '../helpers/context.js';
import {closedAfterEach} from '../helpers/servers.js';
import {harborValues} from '../integrations/idp/values.js';
import {startFakeAuthentik, type FakeAuthentik, type FakeAuthentikOptions} from '../servers/authentik.js';

/**
 * authentik's side of the sign-in proof, driven the way the engine will: create the test user,
 * start an authorization as Harbor does (state, nonce, PKCE), sign in through the flow executor,
 * exchange the code at the token endpoint with the client secret as the app would, read the
 * id_token, delete the user. The fake authentik validates every request and answer against
 * authentik's published schema.
 */

const redirectUri = 'https://harbor.example.com/c/oidc/callback';
const signIn = authentik.signIn as Required<IdpSignIn>;

describe('authentik sign-in proof (IdP side)', () => {
	const startFake = closedAfterEach(startFakeAuthentik);

	async function setUp(options: FakeAuthentikOptions = {}, client: {redirectUris?: string[]} = {}) {
		const fake = await startFake(options);
		const {provider, application, issuer} = fake.addClient({slug: 'harbor', name: 'Harbor', redirectUris: client.redirectUris ?? [redirectUri]});
		const admins = fake.addGroup('harbor-admins');
		const context = memoryContext({...harborValues(fake.url), slug: 'harbor', client_id: provider.client_id}, {authentik_token: fake.token});
		const user: TestUser = {username: `sso-setup-test-${randomBytes(4).toString('hex')}`, password: randomBytes(18).toString('base64url'), email: 'sso-setup-test@example.invalid', groups: ['harbor-admins']};
		return {fake, provider, application, issuer, admins, context, user};
	}

	/** The authorization request Harbor makes: code flow, state, nonce and S256 PKCE. */
	function authorization(fake: FakeAuthentik, clientId: string, scope = 'openid profile email offline_access') {
		const verifier = randomBytes(32).toString('base64url');
		const state = randomBytes(12).toString('hex');
		const url = new URL(`${fake.url}/application/o/authorize/`);
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

	/** What the app does with the callback: the code exchanged with its own secret, the id_token checked. */
	async function exchange(fake: FakeAuthentik, client: {client_id: string; client_secret: string}, callbackUrl: string, verifier: string) {
		const code = new URL(callbackUrl).searchParams.get('code') ?? '';
		const answer = await fetch(`${fake.url}/application/o/token/`, {
			method: 'POST',
			headers: {authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier}),
		});
		const tokens = (await answer.json()) as {id_token?: string; access_token?: string; refresh_token?: string; error?: string};
		return {status: answer.status, tokens};
	}

	async function verified(fake: FakeAuthentik, issuer: string, clientId: string, idToken: string) {
		const keys = createRemoteJWKSet(new URL(`${fake.url}/application/o/harbor/jwks/`));
		return (await jwtVerify(idToken, keys, {issuer, audience: clientId})).payload as Record<string, unknown>;
	}

	async function failure(promise: Promise<unknown>): Promise<SignInFailure> {
		const error = await promise.then(
			() => undefined,
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(SignInFailure);
		return error as SignInFailure;
	}

	it('signs a new test user in through the flow executor; the code it brings back gives an id_token with its name and groups; the user is deleted', async () => {
		const {fake, provider, issuer, context, user} = await setUp();
		const {record, claims} = await signIn.createTestUser(context, user);
		const created = fake.users.find((candidate) => candidate.username === user.username)!;
		expect(created).toMatchObject({type: 'internal', is_active: true, path: 'users', email: user.email});
		expect(record).toEqual({username: user.username, id: String(created.pk), where: expect.stringContaining(fake.url)});
		expect(claims).toMatchObject({preferred_username: user.username, email: user.email, groups: 'harbor-admins'});

		const browser = new Browser(context.http);
		const {url, verifier, state} = authorization(fake, provider.client_id);
		const result = await signIn.logIn(context, browser, url, {username: user.username, password: user.password});

		const callback = new URL(result.callbackUrl);
		expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
		expect(callback.searchParams.get('state')).toBe(state);
		expect(callback.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
		expect(result.authorizeSeen).toContain(provider.client_id);
		expect(result.loginSeen).toContain('default-authentication-flow');
		expect(result.loginSeen).toContain('"default-provider-authorization-explicit-consent" (consent)');
		// The browser went the way authentik's interface goes: both flows through the executor API.
		const executorCalls = fake.requests.filter((request) => request.path.startsWith('/api/v3/flows/executor/')).map((request) => `${request.method} ${request.path}`);
		expect(executorCalls).toContain('POST /api/v3/flows/executor/default-authentication-flow/');
		expect(executorCalls).toContain('POST /api/v3/flows/executor/default-provider-authorization-explicit-consent/');

		const {status, tokens} = await exchange(fake, provider, result.callbackUrl, verifier);
		expect(status).toBe(200);
		expect(tokens.refresh_token).toBeDefined();
		const idToken = await verified(fake, issuer, provider.client_id, tokens.id_token!);
		expect(idToken).toMatchObject({preferred_username: user.username, email: user.email, groups: ['harbor-admins'], sub: claims['sub']});
		// Each claim the integration promised is the one authentik sends.
		for (const [claim, value] of Object.entries(claims)) {
			expect(Array.isArray(idToken[claim]) ? (idToken[claim] as string[]).join(',') : String(idToken[claim])).toBe(value);
		}

		const userinfo = await fetch(`${fake.url}/application/o/userinfo/`, {headers: {authorization: `Bearer ${tokens.access_token}`}}).then(async (answer) => answer.json());
		expect(userinfo).toMatchObject({sub: claims['sub'], preferred_username: user.username, groups: ['harbor-admins']});

		// A code is good once.
		expect((await exchange(fake, provider, result.callbackUrl, verifier)).tokens.error).toBe('invalid_grant');

		const said = JSON.stringify([result.authorizeSeen, result.loginSeen, record, claims, context.messages]);
		for (const secret of [user.password, callback.searchParams.get('code')!, ...[...fake.sessions.keys()]]) expect(said).not.toContain(secret);

		expect(await signIn.deleteTestUser(context, record)).toBe('deleted');
		expect(fake.users.map((candidate) => candidate.username)).not.toContain(user.username);
		expect(await signIn.deleteTestUser(context, record)).toBe('absent');
		expect(fake.contractErrors).toEqual([]);
	});

	it('puts the test user in the groups bound to the application, so the binding lets it in', async () => {
		const {fake, provider, context, issuer, user} = await setUp();
		const users = fake.addGroup('harbor-users');
		fake.bindGroup('harbor', users);
		const {record, claims} = await signIn.createTestUser(context, user);
		expect(claims['groups']?.split(',').sort()).toEqual(['harbor-admins', 'harbor-users']);

		const {url, verifier} = authorization(fake, provider.client_id);
		const result = await signIn.logIn(context, new Browser(context.http), url, {username: user.username, password: user.password});
		const {tokens} = await exchange(fake, provider, result.callbackUrl, verifier);
		expect((await verified(fake, issuer, provider.client_id, tokens.id_token!))['groups']).toEqual(expect.arrayContaining(['harbor-users', 'harbor-admins']));
		expect(await signIn.deleteTestUser(context, record)).toBe('deleted');
		expect(fake.users).toEqual([]);
		expect(fake.contractErrors).toEqual([]);
	});

	it('breaks the IdP authorize link when the redirect URI is not registered, and leaves no user behind', async () => {
		const {fake, provider, context, user} = await setUp({}, {redirectUris: ['https://harbor.example.com/other']});
		const {record} = await signIn.createTestUser(context, user);
		const broken = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, provider.client_id).url, {username: user.username, password: user.password}));
		expect(broken.link).toBe('idp-authorize');
		expect(broken.seen).toContain(`authentik refused the redirect URI ${redirectUri}`);
		expect(broken.fix).toContain(`Add ${redirectUri} to the Redirect URIs`);
		expect(await signIn.deleteTestUser(context, record)).toBe('deleted');
		expect(fake.users).toEqual([]);
	});

	it('shows what the app sent in its authorization URL without control characters', async () => {
		const {fake, context, user} = await setUp();
		const broken = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, 'harbor\u001B[2J').url, {username: user.username, password: user.password}));
		expect(broken.link).toBe('idp-authorize');
		expect(broken.seen).toContain('authentik does not know the client ID harbor\\u001b[2J');
		expect(`${broken.seen}${broken.fix}`).not.toContain('\u001B');
	});

	it('breaks the IdP login link for a user outside what the application allows (a policy it cannot meet)', async () => {
		const {fake, provider, context, user} = await setUp();
		const vip = fake.addGroup('vip');
		fake.bindPolicy('harbor', 'only the vip group', (candidate) => candidate.groups.has(vip.pk));
		const {record, claims} = await signIn.createTestUser(context, user);
		expect(claims['groups']).toBe('harbor-admins');
		const broken = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, provider.client_id).url, {username: user.username, password: user.password}));
		expect(broken.link).toBe('idp-login');
		expect(broken.seen).toContain(`authentik denied the test user ${user.username}`);
		expect(broken.fix).toContain('Policy / Group / User Bindings');
		expect(await signIn.deleteTestUser(context, record)).toBe('deleted');
		expect(fake.users).toEqual([]);
		expect(fake.contractErrors).toEqual([]);
	});

	it('breaks the IdP login link on a refused password, and names a stage it cannot answer', async () => {
		const {fake, provider, context, user} = await setUp();
		const {record} = await signIn.createTestUser(context, user);
		const wrong = await failure(signIn.logIn(context, new Browser(context.http), authorization(fake, provider.client_id).url, {username: user.username, password: 'not-the-password'}));
		expect(wrong.link).toBe('idp-login');
		expect(wrong.seen).toContain('refused the password');
		expect(wrong.seen).not.toContain('not-the-password');
		await signIn.deleteTestUser(context, record);

		const mfa = await setUp({mfa: 'required'});
		const {record: second} = await signIn.createTestUser(mfa.context, mfa.user);
		const asked = await failure(signIn.logIn(mfa.context, new Browser(mfa.context.http), authorization(mfa.fake, mfa.provider.client_id).url, {username: mfa.user.username, password: mfa.user.password}));
		expect(asked.link).toBe('idp-login');
		expect(asked.seen).toContain('ak-stage-authenticator-validate');
		await signIn.deleteTestUser(mfa.context, second);
		expect(mfa.fake.users).toEqual([]);
	});

	it('goes without a consent challenge through the implicit-consent flow', async () => {
		const {fake, provider, context, user} = await setUp();
		provider.authorization_flow = fake.flows.find((flow) => flow.slug === 'default-provider-authorization-implicit-consent')!.pk;
		const {record} = await signIn.createTestUser(context, user);
		const {url, verifier} = authorization(fake, provider.client_id, 'openid profile email');
		const result = await signIn.logIn(context, new Browser(context.http), url, {username: user.username, password: user.password});
		expect(result.loginSeen).not.toContain('consent)');
		expect((await exchange(fake, provider, result.callbackUrl, verifier)).status).toBe(200);
		await signIn.deleteTestUser(context, record);
		expect(fake.contractErrors).toEqual([]);
	});

	it('refuses an admin group authentik does not have before creating anything, and names a missing permission', async () => {
		const {fake, context, user} = await setUp();
		await expect(signIn.createTestUser(context, {...user, groups: ['no-such-group']})).rejects.toThrow(UsageError);
		expect(fake.users).toEqual([]);

		const denied = await setUp({deny: ['authentik_core.add_user']});
		const error = await signIn.createTestUser(denied.context, denied.user).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(RemoteError);
		expect((error as Error).message).toContain('authentik_core.add_user');
	});

	it('deletes by name when the saved id is unknown or now another user, and never deletes a user it did not name', async () => {
		const {fake, context, user} = await setUp();
		const {record} = await signIn.createTestUser(context, user);
		const bystander = fake.addUser({username: 'alice', password: 'x'});
		// An interrupted creation saved no id; a stale id points at someone else.
		expect(await signIn.deleteTestUser(context, {username: record.username, where: record.where})).toBe('deleted');
		await signIn.createTestUser(context, user);
		expect(await signIn.deleteTestUser(context, {...record, id: String(bystander.pk)})).toBe('deleted');
		expect(fake.users.map((candidate) => candidate.username)).toEqual(['alice']);
		await expect(signIn.deleteTestUser(context, {username: 'alice', id: String(bystander.pk), where: record.where})).rejects.toThrow(/not a name sso-setup gives/);
		expect(fake.users.map((candidate) => candidate.username)).toEqual(['alice']);
	});
});
