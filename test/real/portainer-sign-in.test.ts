import {randomBytes} from 'node:crypto';
import {afterAll, afterEach, beforeAll, expect, it} from 'vitest';
import {Browser, redirectTarget} from '../../source/core/browser.js';
import {SignInFailure} from '../../source/core/sign-in.js';
import {portainer as portainerApp} from '../../source/integrations/app/portainer/index.js';
import type {AppSignIn} from '../../source/integrations/types.js';
import {memoryContext} from '../helpers/context.js';
import {describeWithRealServers} from '../real-servers/availability.js';
import {type RealDex, startDex} from '../real-servers/dex.js';
import type {KeycloakRealm} from '../real-servers/keycloak.js';
import {type FakePortainer, startFakePortainer} from '../servers/portainer.js';
import {freshRealm, sharedKeycloak} from './helpers.js';

/**
 * Portainer's side of the sign-in proof against real IdPs: the app's own start (its public
 * settings' OAuth link), a real login form at Keycloak and at Dex, and the fake Portainer's
 * /api/auth/oauth/validate, which exchanges the code at the real IdP with its own secret and reads
 * the real user info. Each broken setup must name its link, and no test user may stay in Portainer.
 */

const signIn = portainerApp.signIn as AppSignIn;
const adminPassword = 'Portainer-Admin-Pass-77';
const clientSecret = `Portainer-Client-${randomBytes(6).toString('hex')}`;

/** A browser's part at the IdP, without JavaScript: open the authorization URL, fill in the login form, return where the IdP redirects. */
async function logInThroughForm(browser: Browser, authorizeUrl: string, idpOrigin: string, credentials: {username: string; password: string}): Promise<string> {
	const page = await browser.follow({url: authorizeUrl, step: 'test: open the IdP login page'}, {within: idpOrigin});
	expect(page.status, page.text.slice(0, 400)).toBe(200);
	const form = /<form\b[^>]*\baction="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.text);
	expect(form, 'a login form').not.toBeNull();
	const decode = (text: string) => text.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
	const fields: Record<string, string> = {};
	for (const input of form![2]!.matchAll(/<input\b[^>]*>/gi)) {
		const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
		const type = /\btype="([^"]*)"/i.exec(input[0])?.[1]?.toLowerCase() ?? 'text';
		if (!name) continue;
		if (type === 'password') fields[name] = credentials.password;
		else if (['username', 'login', 'email'].includes(name)) fields[name] = credentials.username;
		else if (type === 'hidden') fields[name] = decode(/\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? '');
	}

	const posted = await browser.follow({url: new URL(decode(form![1]!), page.url).href, form: fields, step: 'test: sign in at the IdP'}, {within: idpOrigin});
	const back = redirectTarget(posted);
	expect(back, `the IdP redirected back (HTTP ${posted.status}: ${posted.text.slice(0, 300)})`).toBeDefined();
	return back!;
}

/** start → the IdP's form → finish, driving the integration's methods directly. */
async function signInOnce(context: ReturnType<typeof memoryContext>, idpOrigin: string, credentials: {username: string; password: string}, expected: string) {
	const browser = new Browser(context.http);
	const started = await signIn.start(context, browser);
	const callbackUrl = await logInThroughForm(browser, started.authorizeUrl, idpOrigin, credentials);
	try {
		return {started, callbackUrl, result: await signIn.finish(context, browser, callbackUrl, {username: expected})};
	} catch (error) {
		return {started, callbackUrl, error};
	}
}

function failureOf(outcome: {error?: unknown}): SignInFailure {
	expect(outcome.error).toBeInstanceOf(SignInFailure);
	return outcome.error as SignInFailure;
}

/** Nothing secret in what the sign-in reports: no password, code, client secret or token. */
function expectNoSecrets(text: string, secrets: string[]): void {
	for (const secret of secrets) expect(text).not.toContain(secret);
}

async function fakePortainer(options: Parameters<typeof startFakePortainer>[0] & {oauth: Record<string, unknown>}): Promise<FakePortainer> {
	const server = await startFakePortainer({adminPassword, settings: {AuthenticationMethod: 3}, ...options});
	server.settings.OAuthSettings['RedirectURI'] = `${server.url}/`;
	return server;
}

const context = (server: FakePortainer, endpoints: {token: string; userinfo: string}, extra: Record<string, string> = {}) =>
	memoryContext(
		{app: 'portainer', app_url: server.url, client_id: 'portainer', token_url: endpoints.token, userinfo_url: endpoints.userinfo, portainer_admin_user: 'admin', ...extra},
		{portainer_admin_password: adminPassword, client_secret: clientSecret},
		{timeoutMs: 20_000},
	);

await describeWithRealServers('Portainer sign-in proof: real Keycloak → fake Portainer', ['keycloak'], () => {
	let realm: KeycloakRealm;
	let issuer = '';
	let endpoints = {authorize: '', token: '', userinfo: ''};
	let portainer: FakePortainer | undefined;

	beforeAll(async () => {
		realm = await freshRealm('portainer-sign-in');
		issuer = `${sharedKeycloak()!.url}/realms/${realm.name}`;
		const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
		endpoints = {authorize: discovery['authorization_endpoint']!, token: discovery['token_endpoint']!, userinfo: discovery['userinfo_endpoint']!};
		await realm.admin('POST', '/groups', {name: 'portainer-admins'});
	}, 120_000);

	afterEach(async () => {
		await portainer?.close();
		portainer = undefined;
		for (const client of await realm.clients()) {
			if (client.clientId === 'portainer') await realm.admin('DELETE', `/clients/${client.id}`);
		}
	}, 60_000);

	afterAll(async () => {
		await realm?.remove();
	}, 60_000);

	/** The client Portainer uses, with a groups claim in the user info (as sso-setup's Keycloak registration adds). */
	async function client(redirect: string) {
		const {id} = await realm.createClient({clientId: 'portainer', secret: clientSecret, redirectUris: [redirect]});
		await realm.admin('POST', `/clients/${id}/protocol-mappers/models`, {
			name: 'groups',
			protocol: 'openid-connect',
			protocolMapper: 'oidc-group-membership-mapper',
			config: {'claim.name': 'groups', 'full.path': 'false', 'id.token.claim': 'true', 'access.token.claim': 'true', 'userinfo.token.claim': 'true'},
		});
	}

	/** A throw-away user at Keycloak, through its admin API, as the engine's createTestUser will. */
	async function keycloakUser(groups: string[] = []) {
		const username = `sso-setup-test-${randomBytes(4).toString('hex')}`;
		const password = `Pw-${randomBytes(12).toString('base64url')}`;
		await realm.admin('POST', '/users', {
			username,
			enabled: true,
			email: `${username}@example.test`,
			emailVerified: true,
			firstName: 'Sign-in',
			lastName: 'Test',
			groups,
			credentials: [{type: 'password', value: password, temporary: false}],
		});
		return {username, password};
	}

	const oauth = (overrides: Record<string, unknown> = {}) => ({
		ClientID: 'portainer',
		ClientSecret: clientSecret,
		AuthorizationURI: endpoints.authorize,
		AccessTokenURI: endpoints.token,
		ResourceURI: endpoints.userinfo,
		UserIdentifier: 'preferred_username',
		Scopes: 'openid profile email',
		OAuthAutoCreateUsers: true,
		...overrides,
	});

	it('signs a Keycloak test user in through Portainer, as a standard user, and deletes Portainer\'s copy', {timeout: 120_000}, async () => {
		portainer = await fakePortainer({oauth: oauth()});
		await client(`${portainer.url}/`);
		const user = await keycloakUser();
		const ctx = context(portainer, endpoints);
		const outcome = await signInOnce(ctx, sharedKeycloak()!.url, user, user.username);
		expect(outcome.error).toBeUndefined();
		// The app's own link, with the state its login page adds.
		const authorize = new URL(outcome.started.authorizeUrl);
		expect(`${authorize.origin}${authorize.pathname}`).toBe(endpoints.authorize);
		expect(Object.fromEntries(authorize.searchParams)).toMatchObject({response_type: 'code', client_id: 'portainer', redirect_uri: `${portainer.url}/`, scope: 'openid profile email', prompt: 'login'});
		expect(authorize.searchParams.get('state')).toMatch(/^[\da-f-]{36}$/);
		expect(outcome.result).toMatchObject({username: user.username, admin: false});
		expect(outcome.result!.exchangeSeen).toContain(`signed in a new user "${user.username}" (standard user)`);
		expect(portainer.oauthSignIns).toEqual([{status: 200, message: 'signed in', username: user.username, created: true}]);
		const code = new URL(outcome.callbackUrl).searchParams.get('code')!;
		expectNoSecrets(JSON.stringify(outcome.result) + outcome.started.seen, [user.password, code, clientSecret, adminPassword]);
		expect(portainer.contractErrors).toEqual([]);

		expect(await signIn.deleteUser(ctx, user.username)).toBe('deleted');
		expect(portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
		expect(await signIn.deleteUser(ctx, user.username)).toBe('absent');
	});

	it('a wrong client secret in Portainer breaks the code exchange, and leaves no user in Portainer', {timeout: 120_000}, async () => {
		portainer = await fakePortainer({oauth: oauth({ClientSecret: 'not-the-client-secret'})});
		await client(`${portainer.url}/`);
		const user = await keycloakUser();
		const ctx = context(portainer, endpoints);
		const outcome = await signInOnce(ctx, sharedKeycloak()!.url, user, user.username);
		const failure = failureOf(outcome);
		expect(failure.link).toBe('code-exchange');
		expect(failure.seen).toContain('HTTP 500 "Unable to authenticate through OAuth: Unauthorized"');
		expect(failure.seen).toContain("the IdP accepted the same code with sso-setup's client secret");
		expect(failure.fix).toContain('client secret of client "portainer"');
		expect(portainer.oauthSignIns[0]?.cause).toMatch(/cannot fetch token: 401/);
		expectNoSecrets(failure.seen + failure.fix, [user.password, clientSecret, 'not-the-client-secret', new URL(outcome.callbackUrl).searchParams.get('code')!]);
		expect(await signIn.deleteUser(ctx, user.username)).toBe('absent');
		expect(portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
		expect(portainer.contractErrors).toEqual([]);
	});

	it('a username claim Keycloak does not send breaks "user in the app", and leaves no user in Portainer', {timeout: 120_000}, async () => {
		portainer = await fakePortainer({oauth: oauth({UserIdentifier: 'nickname'})});
		await client(`${portainer.url}/`);
		const user = await keycloakUser();
		const ctx = context(portainer, endpoints, {username_claim: 'nickname'});
		const failure = failureOf(await signInOnce(ctx, sharedKeycloak()!.url, user, user.username));
		expect(failure.link).toBe('app-user');
		expect(failure.seen).toContain('no "nickname" claim');
		expect(portainer.oauthSignIns[0]?.cause).toBe('failed to extract username from oauth resource');
		expect(await signIn.deleteUser(ctx, user.username)).toBe('absent');
		expect(portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
	});

	it('a username claim Keycloak sends with another value gives another user name (the engine then names "user in the app")', {timeout: 120_000}, async () => {
		portainer = await fakePortainer({oauth: oauth({UserIdentifier: 'email'})});
		await client(`${portainer.url}/`);
		const user = await keycloakUser();
		const ctx = context(portainer, endpoints);
		const outcome = await signInOnce(ctx, sharedKeycloak()!.url, user, user.username);
		expect(outcome.result).toMatchObject({username: `${user.username}@example.test`});
		expect(await signIn.deleteUser(ctx, user.username)).toBe('deleted');
		expect(portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
	});

	it('Portainer without automatic user provisioning: "user in the app" breaks', {timeout: 120_000}, async () => {
		portainer = await fakePortainer({oauth: oauth({OAuthAutoCreateUsers: false})});
		await client(`${portainer.url}/`);
		const user = await keycloakUser();
		const failure = failureOf(await signInOnce(context(portainer, endpoints), sharedKeycloak()!.url, user, user.username));
		expect(failure.link).toBe('app-user');
		expect(failure.seen).toContain('Account not created beforehand in Portainer');
		expect(failure.fix).toContain('auto_create_users=true');
		expect(portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
	});

	it('Business Edition maps the admin group: a user outside it is no administrator, one in it is', {timeout: 120_000}, async () => {
		portainer = await fakePortainer({
			edition: 'BE',
			oauth: oauth({OAuthAutoMapTeamMemberships: true, TeamMemberships: {OAuthClaimName: 'groups', OAuthClaimMappings: [], AdminAutoPopulate: true, AdminGroupClaimsRegexList: ['^portainer-admins$']}}),
		});
		await client(`${portainer.url}/`);
		const ctx = context(portainer, endpoints);
		const outsider = await keycloakUser();
		const plain = await signInOnce(ctx, sharedKeycloak()!.url, outsider, outsider.username);
		expect(plain.result).toMatchObject({username: outsider.username, admin: false});
		const member = await keycloakUser(['/portainer-admins']);
		const admin = await signInOnce(ctx, sharedKeycloak()!.url, member, member.username);
		expect(admin.result).toMatchObject({username: member.username, admin: true});
		expect(await signIn.deleteUser(ctx, outsider.username)).toBe('deleted');
		expect(await signIn.deleteUser(ctx, member.username)).toBe('deleted');
		expect(portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
		expect(portainer.contractErrors).toEqual([]);
	});
});

await describeWithRealServers('Portainer sign-in proof: real Dex (static password user) → fake Portainer', ['dex'], (servers) => {
	let dex: RealDex | undefined;
	let portainer: FakePortainer | undefined;
	const dexUser = {username: 'admin@example.com', password: 'password'};

	afterEach(async () => {
		await dex?.stop();
		await portainer?.close();
		dex = undefined;
		portainer = undefined;
	}, 60_000);

	async function servePair(oauth: Record<string, unknown>, options: Parameters<typeof startFakePortainer>[0] = {}) {
		portainer = await fakePortainer({...options, oauth: {}});
		dex = await startDex(servers['dex']!.dir, {clients: [{id: 'portainer', secret: clientSecret, redirectURIs: [`${portainer.url}/`]}]});
		const discovery = (await (await fetch(`${dex.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
		const endpoints = {authorize: discovery['authorization_endpoint']!, token: discovery['token_endpoint']!, userinfo: discovery['userinfo_endpoint']!};
		Object.assign(portainer.settings.OAuthSettings, {
			ClientID: 'portainer',
			ClientSecret: clientSecret,
			AuthorizationURI: endpoints.authorize,
			AccessTokenURI: endpoints.token,
			ResourceURI: endpoints.userinfo,
			UserIdentifier: 'email',
			Scopes: 'openid profile email',
			OAuthAutoCreateUsers: true,
			SSO: true,
			...oauth,
		});
		return {portainer, dex, endpoints};
	}

	it('signs the Dex user in through Portainer and deletes the user Portainer created for it', {timeout: 60_000}, async () => {
		const pair = await servePair({});
		const ctx = context(pair.portainer, pair.endpoints, {username_claim: 'email'});
		const outcome = await signInOnce(ctx, new URL(pair.dex.issuer).origin, dexUser, dexUser.username);
		expect(outcome.error).toBeUndefined();
		expect(outcome.result).toMatchObject({username: dexUser.username, admin: false});
		expect(pair.portainer.contractErrors).toEqual([]);
		expect(await signIn.deleteUser(ctx, dexUser.username)).toBe('deleted');
		expect(pair.portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
	});

	it('never deletes an account that existed before the sign-in (Dex\'s "admin" is Portainer\'s initial administrator here)', {timeout: 60_000}, async () => {
		const pair = await servePair({UserIdentifier: 'name'});
		const ctx = context(pair.portainer, pair.endpoints, {username_claim: 'name'});
		const outcome = await signInOnce(ctx, new URL(pair.dex.issuer).origin, dexUser, 'admin');
		expect(outcome.result).toMatchObject({username: 'admin', admin: true});
		expect(outcome.result!.exchangeSeen).toContain('its existing user "admin"');
		expect(await signIn.deleteUser(ctx, 'admin')).toBe('absent');
		expect(pair.portainer.users.map((entry) => [entry.Id, entry.Username])).toEqual([[1, 'admin']]);
	});

	it('a wrong client secret in Portainer breaks the code exchange', {timeout: 60_000}, async () => {
		const pair = await servePair({ClientSecret: 'not-the-client-secret'});
		const ctx = context(pair.portainer, pair.endpoints, {username_claim: 'email'});
		const failure = failureOf(await signInOnce(ctx, new URL(pair.dex.issuer).origin, dexUser, dexUser.username));
		expect(failure.link).toBe('code-exchange');
		expect(failure.seen).toContain("the IdP accepted the same code with sso-setup's client secret");
		expect(await signIn.deleteUser(ctx, dexUser.username)).toBe('absent');
		expect(pair.portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
	});

	it('a username claim Dex does not send breaks "user in the app"', {timeout: 60_000}, async () => {
		const pair = await servePair({UserIdentifier: 'nickname'});
		const ctx = context(pair.portainer, pair.endpoints, {username_claim: 'nickname'});
		const failure = failureOf(await signInOnce(ctx, new URL(pair.dex.issuer).origin, dexUser, dexUser.username));
		expect(failure.link).toBe('app-user');
		expect(pair.portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
	});

	it('an admin group the Dex user does not get: Business Edition signs it in as a standard user', {timeout: 60_000}, async () => {
		const pair = await servePair(
			{OAuthAutoMapTeamMemberships: true, TeamMemberships: {OAuthClaimName: 'groups', OAuthClaimMappings: [], AdminAutoPopulate: true, AdminGroupClaimsRegexList: ['^portainer-admins$']}},
			{edition: 'BE'},
		);
		const ctx = context(pair.portainer, pair.endpoints, {username_claim: 'email'});
		const outcome = await signInOnce(ctx, new URL(pair.dex.issuer).origin, dexUser, dexUser.username);
		expect(outcome.result).toMatchObject({username: dexUser.username, admin: false});
		expect(await signIn.deleteUser(ctx, dexUser.username)).toBe('deleted');
		expect(pair.portainer.users.map((entry) => entry.Username)).toEqual(['admin']);
	});
});
