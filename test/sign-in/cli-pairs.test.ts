import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {listSessions} from '../../source/core/session/store.js';
import {cli, type CliResult, ensureBuilt, forgetAll, newHome, settle, startCli} from '../faults/helpers/cli.js';
import {closedAfterEach} from '../helpers/servers.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {type FakePocketId, startFakePocketId} from '../servers/pocket-id.js';
import {type FakePortainer, startFakePortainer} from '../servers/portainer.js';
import {startTerseOp} from '../servers/terse-op.js';
import {chainOf, expectBrokenAt, expectNoSecrets, secretsSeenBy} from './cli-secrets.js';

/**
 * `verify --sign-in --yes` with the built binary, for the pairs whose IdP is a fake: authentik →
 * Harbor, authentik → Portainer, Pocket ID → Harbor. Each setup is made by `apply` as a person
 * would; then the full chain passes and no test user is left on either side (the fakes' own
 * state says so), and each broken setup breaks its own link, with the clean-up done. The JSON
 * carries the chain, and no password, token, code or cookie the fakes saw shows in the output or
 * in any file of the state directory. Ctrl+C in the middle cleans up, or leaves what the next run
 * deletes. And without --sign-in, an IdP whose probe answers say nothing never fails the secret.
 */

const authentikToken = 'Pairs-authentik-Token-4f1c9e';
const harborPassword = 'Pairs-Harbor-Admin-Pass-72';
const portainerPassword = 'Pairs-Portainer-Admin-Pass-38';
const pocketApiKey = 'Pairs-Pocket-Id-Api-Key-19d';
const adminGroup = 'harbor-admins';
const testUserPattern = /^sso-setup-test-[0-9a-f]{8}$/;

const homes: string[] = [];
afterEach(async () => {
	for (const home of homes.splice(0)) await forgetAll(home);
});

beforeAll(ensureBuilt, 120_000);

const startAuthentik = closedAfterEach(startFakeAuthentik);
const startHarbor = closedAfterEach(startFakeHarbor);
const startPortainer = closedAfterEach(startFakePortainer);
const startPocketId = closedAfterEach(startFakePocketId);

type App = {kind: 'harbor'; harbor: FakeHarbor} | {kind: 'portainer'; portainer: FakePortainer};

/** A setup made by `apply`, and what the tests ask of it. */
type Setup = {
	home: string;
	id: string;
	env: Record<string, string>;
	/** `verify --session <id> --sign-in --yes` (plus `extra`). */
	signIn(extra?: string[]): Promise<CliResult>;
	run(args: string[]): Promise<CliResult>;
	idpTestUsers(): string[];
	appTestUsers(): string[];
	/** The credentials at hand plus every cookie, code, password and token the fakes saw. */
	secrets(): string[];
};

function appSide(app: App): {url: string; env: Record<string, string>; testUsers: () => string[]; servers: Array<{requests: FakeHarbor['requests']}>; issued: () => string[]; contractErrors: () => string[]} {
	if (app.kind === 'harbor') {
		const {harbor} = app;
		return {
			url: harbor.url,
			env: {SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword},
			testUsers: () => harbor.users.filter((user) => !user.deleted && user.username.startsWith('sso-setup-test-')).map((user) => user.username),
			servers: [harbor],
			issued: () => harbor.sessionIds(),
			contractErrors: () => harbor.contractErrors,
		};
	}

	const {portainer} = app;
	return {
		url: portainer.url,
		env: {SSO_SETUP_PORTAINER_ADMIN_PASSWORD: portainerPassword},
		testUsers: () => portainer.users.filter((user) => user.Username.startsWith('sso-setup-test-')).map((user) => user.Username),
		servers: [portainer],
		issued: () => portainer.issuedTokens,
		contractErrors: () => portainer.contractErrors,
	};
}

async function applied(args: string[], env: Record<string, string>, sides: {app: ReturnType<typeof appSide>; idpTestUsers: () => string[]; idpServers: Array<{requests: FakeAuthentik['requests']}>; clientSecret: () => string; idpIssued?: () => string[]}): Promise<Setup> {
	const home = newHome('sso-setup-pairs-');
	homes.push(home);
	const apply = await cli(home, ['apply', ...args, '--yes'], env);
	expect(apply.code, apply.all).toBe(0);
	const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
	// The client secret in the environment too: the probes check it even where no keychain kept it.
	const verifyEnv = {...env, SSO_SETUP_CLIENT_SECRET: sides.clientSecret()};
	return {
		home,
		id: session!.id,
		env: verifyEnv,
		signIn: async (extra = []) => cli(home, ['verify', '--session', session!.id, '--sign-in', '--yes', ...extra], verifyEnv),
		run: async (runArgs) => cli(home, runArgs, verifyEnv),
		idpTestUsers: sides.idpTestUsers,
		appTestUsers: sides.app.testUsers,
		secrets: () => [...Object.values(verifyEnv), ...secretsSeenBy([...sides.idpServers, ...sides.app.servers]), ...sides.app.issued(), ...(sides.idpIssued?.() ?? [])],
	};
}

async function authentikTo(kind: App['kind']): Promise<Setup & {authentik: FakeAuthentik; app: App; slug: string}> {
	const authentik = await startAuthentik({token: authentikToken});
	authentik.addGroup(adminGroup);
	const app: App = kind === 'harbor' ? {kind, harbor: await startHarbor({adminPassword: harborPassword, goOidcPing: false})} : {kind, portainer: await startPortainer({adminPassword: portainerPassword, settings: {}})};
	const side = appSide(app);
	const slug = kind;
	const args = ['--idp', 'authentik', '--app', kind, '--set', `idp_url=${authentik.url}`, '--set', `slug=${slug}`, '--set', `app_url=${side.url}`, ...(kind === 'harbor' ? ['--set', `admin_group=${adminGroup}`] : [])];
	const setup = await applied(args, {SSO_SETUP_AUTHENTIK_TOKEN: authentikToken, ...side.env}, {
		app: side,
		idpTestUsers: () => authentik.users.filter((user) => user.username.startsWith('sso-setup-test-')).map((user) => user.username),
		idpServers: [authentik],
		clientSecret: () => authentik.providers[0]!.client_secret,
		idpIssued: () => [...authentik.sessions.keys()],
	});
	return {...setup, authentik, app, slug};
}

/** Nothing left anywhere: no test user at the IdP or in the app, no clean-up record in the session. */
function expectNothingLeft(setup: Setup): void {
	expect(setup.idpTestUsers()).toEqual([]);
	expect(setup.appTestUsers()).toEqual([]);
	expect(listSessions({SSO_SETUP_HOME: setup.home}).sessions.find((session) => session.id === setup.id)?.artifacts['sign-in-cleanup']).toBeUndefined();
}

/** The text output puts the chain on lines joined by arrows. */
const oneLine = (stdout: string) => stdout.replaceAll('\n  → ', ' → ');

describe.each(['harbor', 'portainer'] as const)('verify --sign-in --yes: authentik (fake) → %s (fake), the built binary', (kind) => {
	const appName = kind === 'harbor' ? 'Harbor' : 'Portainer';

	it('passes the full chain, and leaves no test user in authentik or in the app; the JSON has the chain, nothing shows a secret', {timeout: 120_000}, async () => {
		const setup = await authentikTo(kind);
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(0);
		const {json, statuses, link} = chainOf(result.stdout);
		expect(json.signIn.status, result.stdout).toBe('passed');
		expect(statuses).toEqual({
			'app-start': 'passed',
			'idp-authorize': 'passed',
			'idp-login': 'passed',
			'app-callback': 'passed',
			'code-exchange': 'passed',
			'app-user': 'passed',
			// Portainer CE has no admin group: not checked.
			'admin-rights': kind === 'harbor' ? 'passed' : 'skipped',
		});
		const username = json.signIn.testUser!.username;
		expect(username).toMatch(testUserPattern);
		expect(link('app-user').seen).toBe(`${appName} signed the test user in as ${username}.`);
		if (kind === 'harbor') expect(link('admin-rights').seen).toBe(`${username} is an administrator in Harbor (group ${adminGroup}).`);
		expect(json.signIn.cleanup).toEqual({
			complete: true,
			done: [
				expect.stringMatching(new RegExp(`^Deleted the test user ${username} from authentik at `)),
				expect.stringMatching(new RegExp(`^Deleted the user ${username} from ${appName} at `)),
			],
			left: [],
		});
		expect(json.checks.filter((check) => check.status === 'fail')).toEqual([]);
		// The app itself signed the user in (its own exchange with its own secret), and it is gone again.
		if (setup.app.kind === 'harbor') {
			expect(setup.app.harbor.signIns).toEqual([{status: 302, outcome: 'onboarded', username, admin: true}]);
			expect(setup.app.harbor.users.find((user) => user.username === username)?.deleted).toBe(true);
		} else {
			expect(setup.app.portainer.oauthSignIns).toEqual([{status: 200, message: 'signed in', username, created: true}]);
		}

		expectNothingLeft(setup);
		// What is looked for includes the test user's password (the fake saw it in the login form) and the code the app got.
		const password = setup.authentik.requests.find((request) => (request.body as {component?: string} | undefined)?.component === 'ak-stage-password');
		expect(setup.secrets()).toContain((password!.body as {password: string}).password);
		const code = setup.app.kind === 'harbor' ? new URL(setup.app.harbor.requests.find((request) => request.path.startsWith('/c/oidc/callback'))!.path, 'http://x').searchParams.get('code') : (setup.app.portainer.requests.find((request) => request.path === '/api/auth/oauth/validate')!.body as {code: string}).code;
		expect(setup.secrets()).toContain(code);
		expectNoSecrets(result, setup.home, setup.secrets());

		const text = await setup.signIn();
		expect(text.code, text.all).toBe(0);
		expect(oneLine(text.stdout)).toMatch(/app sign-in start ✔ → IdP authorize ✔ → IdP login ✔ → back at the app ✔ → code exchanged by the app ✔ → user in the app ✔ → admin rights [✔-]/);
		expect(text.stdout).toContain('✔ Sign-in proof passed.');
		expect(text.stderr).toContain('The sign-in proof creates a throw-away test user');
		expectNothingLeft(setup);
		expectNoSecrets(text, setup.home, setup.secrets());
		expect(setup.authentik.contractErrors).toEqual([]);
		expect(appSide(setup.app).contractErrors()).toEqual([]);
	});

	it('a test user outside who may use the application (a policy binding it cannot pass) breaks the IdP login; later links not reached; clean-up done', {timeout: 120_000}, async () => {
		const setup = await authentikTo(kind);
		const vip = setup.authentik.addGroup('vip');
		setup.authentik.bindPolicy(setup.slug, 'only the vip group', (user) => user.groups.has(vip.pk));
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(1);
		const {json, statuses, link} = chainOf(result.stdout);
		expect(json.signIn.status).toBe('failed');
		expectBrokenAt(statuses, 'idp-login');
		expect(link('idp-login').seen).toContain(`authentik denied the test user ${json.signIn.testUser!.username}`);
		expect(link('idp-login').fix).toContain('Policy / Group / User Bindings');
		for (const later of ['app-callback', 'code-exchange', 'app-user', 'admin-rights'] as const) expect(link(later).seen).toBe('');
		expect(json.signIn.cleanup).toMatchObject({complete: true, left: []});
		if (setup.app.kind === 'harbor') expect(setup.app.harbor.signIns).toEqual([]);
		else expect(setup.app.portainer.oauthSignIns).toEqual([]);
		expectNothingLeft(setup);
		expectNoSecrets(result, setup.home, setup.secrets());

		const text = await setup.signIn();
		expect(text.code).toBe(1);
		expect(oneLine(text.stdout)).toContain('IdP login ✖ → back at the app · → code exchanged by the app · → user in the app · → admin rights ·');
		expect(text.stdout).toContain('✖ Sign-in proof failed at: IdP login.');
		expectNothingLeft(setup);
	});

	it('a redirect URI authentik does not have breaks the IdP authorize, naming the URI to register', {timeout: 120_000}, async () => {
		const setup = await authentikTo(kind);
		const redirectUri = kind === 'harbor' ? `${appSide(setup.app).url}/c/oidc/callback` : `${appSide(setup.app).url}/`;
		setup.authentik.providers[0]!.redirect_uris = [{matching_mode: 'strict', url: 'https://elsewhere.example.com/callback'}];
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(1);
		const {json, statuses, link} = chainOf(result.stdout);
		expectBrokenAt(statuses, 'idp-authorize');
		expect(`${link('idp-authorize').seen} ${link('idp-authorize').fix ?? ''}`).toContain(redirectUri);
		// authentik refuses the client at its token endpoint for that redirect URI whatever the secret: the right secret is not blamed.
		expect(json.checks.find((check) => check.id === 'redirect-uri')?.status).toBe('fail');
		expect(json.checks.find((check) => check.id === 'client-secret')).toMatchObject({status: 'warn', fix: expect.stringContaining(`"${redirectUri}" is registered exactly`)});
		// The test user was made before the chain started, and is deleted again.
		expect(json.signIn.testUser?.username).toMatch(testUserPattern);
		expect(json.signIn.cleanup).toMatchObject({complete: true, left: []});
		expectNothingLeft(setup);
		expectNoSecrets(result, setup.home, setup.secrets());
	});
});

describe('verify --sign-in --yes: Pocket ID (fake) → Harbor (fake), the built binary', () => {
	async function pocketToHarbor(extra: string[] = []): Promise<Setup & {pocket: FakePocketId; harbor: FakeHarbor}> {
		const pocket = await startPocketId({apiKey: pocketApiKey, groups: [{name: adminGroup}]});
		const harbor = await startHarbor({adminPassword: harborPassword, goOidcPing: false});
		const side = appSide({kind: 'harbor', harbor});
		const setup = await applied(
			['--idp', 'pocket-id', '--app', 'harbor', '--set', `idp_url=${pocket.url}`, '--set', `app_url=${harbor.url}`, '--set', `admin_group=${adminGroup}`, ...extra],
			{SSO_SETUP_POCKET_ID_API_KEY: pocketApiKey, ...side.env},
			{
				app: side,
				idpTestUsers: () => pocket.users.filter((user) => user.username.startsWith('sso-setup-test-')).map((user) => user.username),
				idpServers: [pocket],
				clientSecret: () => pocket.clients[0]!.secrets[0]!,
				idpIssued: () => pocket.sessionCookies(),
			},
		);
		return {...setup, pocket, harbor};
	}

	it('passes the full chain with admin rights through the groups claim, and leaves no test user on either side', {timeout: 120_000}, async () => {
		const setup = await pocketToHarbor();
		expect(setup.harbor.config['oidc_scope']).toBe('openid,profile,email,offline_access,groups');
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(0);
		const {json, statuses} = chainOf(result.stdout);
		expect(json.signIn.status, result.stdout).toBe('passed');
		expect(Object.values(statuses).every((status) => status === 'passed'), result.stdout).toBe(true);
		const username = json.signIn.testUser!.username;
		expect(setup.harbor.signIns).toEqual([{status: 302, outcome: 'onboarded', username, admin: true}]);
		expect(json.signIn.cleanup).toMatchObject({complete: true, left: []});
		expectNothingLeft(setup);
		expectNoSecrets(result, setup.home, setup.secrets());
		expect(setup.pocket.contractErrors).toEqual([]);
	});

	it('without the groups scope Pocket ID sends no groups claim: the admin group configured in Harbor gives no admin rights, and that link breaks', {timeout: 120_000}, async () => {
		const setup = await pocketToHarbor(['--set', 'scopes=openid,profile,email,offline_access']);
		expect(setup.harbor.config['oidc_scope']).toBe('openid,profile,email,offline_access');
		expect(setup.harbor.config['oidc_admin_group']).toBe(adminGroup);
		const result = await setup.signIn(['--json']);
		expect(result.code, result.all).toBe(1);
		const {json, statuses, link} = chainOf(result.stdout);
		expectBrokenAt(statuses, 'admin-rights');
		const username = json.signIn.testUser!.username;
		expect(link('admin-rights').seen).toBe(`Harbor did not make ${username} an administrator, although the test user is in group ${adminGroup} at Pocket ID.`);
		expect(link('admin-rights').fix).toContain('some IdPs send it only for a scope that asks for it; Harbor asks for openid,profile,email,offline_access');
		expect(setup.harbor.signIns).toEqual([{status: 302, outcome: 'onboarded', username, admin: false}]);
		expect(json.signIn.cleanup).toMatchObject({complete: true, left: []});
		expectNothingLeft(setup);
		expectNoSecrets(result, setup.home, setup.secrets());

		const text = await setup.signIn();
		expect(text.code).toBe(1);
		expect(oneLine(text.stdout)).toContain('user in the app ✔ → admin rights ✖');
		expectNothingLeft(setup);
	});
});

describe('Ctrl+C in the middle of verify --sign-in: authentik (fake) → Harbor (fake), the built binary', () => {
	it('during the IdP login: the test user is deleted before the exit (130), nothing is left', {timeout: 120_000}, async () => {
		const setup = await authentikTo('harbor');
		const running = startCli(setup.home, ['verify', '--session', setup.id, '--sign-in', '--yes'], setup.env);
		let usersAtSignal: string[] = [];
		// The first answer of the flow executor waits until the run has stopped: the signal comes while the test user signs in.
		setup.authentik.beforeNext({
			method: 'POST',
			path: /^\/api\/v3\/flows\/executor\//,
			async run() {
				usersAtSignal = setup.idpTestUsers();
				running.kill('SIGINT');
				await running;
			},
		});
		const result = await settle(running);
		expect(usersAtSignal).toHaveLength(1);
		expect(result.code, result.all).toBe(130);
		expect(result.stderr).toContain('Interrupted (SIGINT). Cleaning up first');
		expect(result.stderr).toContain(`✔ Deleted the test user ${usersAtSignal[0]!} from authentik`);
		expect((setup.app.kind === 'harbor' && setup.app.harbor.signIns) || []).toEqual([]);
		expectNothingLeft(setup);
		expectNoSecrets(result, setup.home, setup.secrets());
	});

	it('while Harbor signs the user in: the IdP side is deleted, the Harbor copy made after the exit is named, and the next run deletes it', {timeout: 120_000}, async () => {
		const setup = await authentikTo('harbor');
		const {harbor} = setup.app as App & {kind: 'harbor'};
		const running = startCli(setup.home, ['verify', '--session', setup.id, '--sign-in', '--yes'], setup.env);
		// Harbor has exchanged the code and asks authentik's userinfo; that answer waits until the run has stopped.
		setup.authentik.beforeNext({
			method: 'GET',
			path: '/application/o/userinfo/',
			async run() {
				running.kill('SIGINT');
				await running;
			},
		});
		const result = await settle(running);
		expect(result.code, result.all).toBe(130);
		expect(result.stderr).toMatch(/✔ Deleted the test user sso-setup-test-[0-9a-f]{8} from authentik/);
		expect(setup.idpTestUsers()).toEqual([]);
		// Harbor goes on without userinfo (the user is gone at authentik) and onboards the user from the ID token.
		for (let attempt = 0; attempt < 200 && harbor.signIns.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
		const [left] = setup.appTestUsers();
		expect(left).toMatch(testUserPattern);
		expect(result.stderr).toContain('the next run looks again');
		expect(listSessions({SSO_SETUP_HOME: setup.home}).sessions[0]?.artifacts['sign-in-cleanup']).toMatchObject({app: {username: left}});

		const next = await setup.run(['verify', '--session', setup.id, '--json']);
		expect(next.stderr).toContain(`Session ${setup.id} holds a sign-in test user that an earlier run did not delete: deleting it first.`);
		expect(next.stderr).toContain(`✔ Deleted the user ${left!} from Harbor`);
		expectNothingLeft(setup);
		expectNoSecrets(next, setup.home, setup.secrets());
	});
});

describe('verify without --sign-in against an IdP whose probe answers say nothing (403 without Location, the same token answer whatever the secret), the built binary', () => {
	const startTerse = closedAfterEach(startTerseOp);
	const clientSecret = 'Terse-Client-Secret-0c41d7';

	async function terseToHarbor(registered: (harborUrl: string) => string) {
		const harbor = await startHarbor({adminPassword: harborPassword, goOidcPing: false});
		const op = await startTerse({clients: [{clientId: 'harbor', clientSecret, redirectUris: [registered(harbor.url)]}]});
		Object.assign(harbor.config, {auth_mode: 'oidc_auth', oidc_name: 'OIDC', oidc_endpoint: op.issuer, oidc_client_id: 'harbor', oidc_client_secret: clientSecret, oidc_scope: 'openid,profile,email,offline_access', oidc_user_claim: 'preferred_username', oidc_auto_onboard: true});
		const home = newHome('sso-setup-terse-');
		homes.push(home);
		const verify = async () => cli(home, ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${op.issuer}`, '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--json'], {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		return {harbor, op, home, verify};
	}

	it('a correct setup: the secret check is inconclusive and names --sign-in, nothing fails, exit 0', {timeout: 120_000}, async () => {
		const {op, home, verify} = await terseToHarbor((url) => `${url}/c/oidc/callback`);
		const result = await verify();
		expect(result.code, result.all).toBe(0);
		const report = JSON.parse(result.stdout) as {ok: boolean; checks: Array<{id: string; status: string; seen: string; fix?: string}>};
		const secret = report.checks.find((check) => check.id === 'client-secret')!;
		expect(secret.status, result.stdout).toBe('warn');
		expect(secret.seen).toContain('HTTP 403 unauthorized_client');
		expect(secret.fix).toMatch(/^Inconclusive: run npx sso-setup verify --sign-in to know/);
		expect(secret.fix).not.toContain('Copy the client secret');
		expect(report.checks.find((check) => check.id === 'redirect-uri')?.status).toBe('pass');
		expect(report.checks.filter((check) => check.status === 'fail'), result.stdout).toEqual([]);
		expect(report.ok).toBe(true);
		// The probe really sent the secret (and a wrong one), and the answers could not tell them apart.
		expect(op.requests.filter((request) => request.path === '/token')).toHaveLength(2);
		expect(result.all).not.toContain(clientSecret);
		expectNoSecrets(result, home, [clientSecret, harborPassword]);
	});

	it("the issue's case, a redirect URI it does not have: the secret is still not blamed, and the fix names the redirect URI and --sign-in", {timeout: 120_000}, async () => {
		const {harbor, verify} = await terseToHarbor(() => 'https://harbor.example.com/c/oidc/callback');
		const result = await verify();
		const report = JSON.parse(result.stdout) as {checks: Array<{id: string; status: string; seen: string; fix?: string}>};
		const secret = report.checks.find((check) => check.id === 'client-secret')!;
		expect(secret.status, result.stdout).toBe('warn');
		expect(secret.fix).toContain('verify --sign-in');
		expect(secret.fix).toContain(`"${harbor.url}/c/oidc/callback" is registered exactly`);
		expect(secret.fix).not.toContain('Copy the client secret');
		expect(report.checks.find((check) => check.id === 'redirect-uri')?.status).toBe('warn');
		// Not exit 1: no check failed, so nothing blames the secret.
		expect(report.checks.filter((check) => check.status === 'fail'), result.stdout).toEqual([]);
		expect(result.code, result.all).toBe(0);
	});
});
