import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {parseCommandLine, type ParsedCommand} from '../../source/commands/parse.js';
import {verifyCommand} from '../../source/commands/verify.js';
import {describeError} from '../../source/core/errors.js';
import {listSessions} from '../../source/core/session/store.js';
import {startScriptedIdp, type ScriptedIdp} from '../verify/scripted-idp.js';
import {adminPassword, authorizationCode, type Breaks, stubApp, stubIdp, type StubApp, type StubIdp} from '../sign-in/stubs.js';

/**
 * `verify --sign-in` run in-process with stub integration sides (the registry is replaced), so
 * that the consent, the JSON, the exit codes, the clean-up record and Ctrl+C can be tested before
 * the real integrations' sign-in exists. The checks run for real against a scripted IdP.
 */

const registry = vi.hoisted(() => ({integrations: {} as {idp?: unknown; app?: unknown}}));
vi.mock('../../source/integrations/registry.js', async (importOriginal) => {
	const actual = await importOriginal<typeof import('../../source/integrations/registry.js')>();
	return {
		...actual,
		loadPairIntegrations: async () => registry.integrations,
		loadIdpIntegration: async () => registry.integrations.idp,
		loadAppIntegration: async () => registry.integrations.app,
	};
});

const clientSecret = 'Stub-Client-Secret-Value-93';
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let provider: ScriptedIdp;
let refuseSecret = false;
let home: string;
let out: string[];
let err: string[];
let savedListeners: Map<string, Array<(...args: unknown[]) => void>>;
const everything: string[] = [];
const stubIdps: StubIdp[] = [];

beforeAll(async () => {
	provider = await startScriptedIdp({token: () => (refuseSecret ? {status: 401, json: {error: 'invalid_client'}} : {status: 400, json: {error: 'invalid_grant'}})});
});

afterAll(async () => {
	await provider.close();
});

beforeEach(() => {
	home = mkdtempSync(path.join(tmpdir(), 'sso-setup-verify-sign-in-'));
	refuseSecret = false;
	Object.assign(process.env, {SSO_SETUP_HOME: home, NO_COLOR: '1', SSO_SETUP_STUB_ADMIN_PASSWORD: adminPassword, SSO_SETUP_CLIENT_SECRET: clientSecret});
	out = [];
	err = [];
	vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
	vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
	savedListeners = new Map(signals.map((signal) => [signal, process.listeners(signal) as Array<(...args: unknown[]) => void>]));
});

afterEach(() => {
	everything.push(out.join(''), err.join(''), ...sessionFiles());
	vi.restoreAllMocks();
	for (const signal of signals) {
		process.removeAllListeners(signal);
		for (const listener of savedListeners.get(signal) ?? []) process.on(signal, listener);
	}

	for (const key of ['SSO_SETUP_HOME', 'SSO_SETUP_STUB_ADMIN_PASSWORD', 'SSO_SETUP_CLIENT_SECRET']) delete process.env[key];
	rmSync(home, {recursive: true, force: true});
});

function sessionFiles(): string[] {
	const directory = path.join(home, 'sessions');
	return existsSync(directory) ? readdirSync(directory).map((name) => readFileSync(path.join(directory, name), 'utf8')) : [];
}

function sides(breaks: Breaks = {}): {idp: StubIdp; app: StubApp} {
	const idp = stubIdp(breaks);
	stubIdps.push(idp);
	const app = stubApp(breaks, {idp});
	registry.integrations = {idp, app};
	return {idp, app};
}

const pairArgs = () => ['--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${provider.origin}`, '--set', 'client_id=harbor', '--set', `app_url=${provider.origin}`];

function parsed(args: string[]): ParsedCommand {
	const command = parseCommandLine(args);
	if (!('command' in command)) throw new Error('not a command');
	return command;
}

async function verify(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	let code: number;
	try {
		code = await verifyCommand(parsed(['verify', ...args]));
	} catch (error) {
		const described = describeError(error);
		err.push(`✖ ${described.message}\n${described.hint ? `  ${described.hint}\n` : ''}`);
		code = described.exitCode;
	}

	const result = {code, stdout: out.splice(0).join(''), stderr: err.splice(0).join('')};
	everything.push(result.stdout, result.stderr);
	return result;
}

type VerifyJson = {ok: boolean; summary: Record<string, number>; checks: Array<{id: string; status: string; seen: string; fix?: string}>; signIn?: {status: string; links: Array<{id: string; status: string; seen: string; fix?: string}>; testUser?: {username: string; createdBy: string}; cleanup: {complete: boolean; done: string[]; left: unknown[]}}};

describe('verify --sign-in: asked first', () => {
	it('without a terminal and without --yes: exit 2 with the sentence, nothing created', async () => {
		const {idp} = sides();
		const result = await verify([...pairArgs(), '--sign-in']);
		expect(result.code, result.stderr).toBe(2);
		expect(result.stderr).toContain('The sign-in proof creates a throw-away test user (sso-setup-test-…');
		expect(result.stderr).toContain('There is no terminal to ask whether to go on: add --yes to allow it.');
		expect(result.stdout).toBe('');
		expect(idp.created).toEqual([]);
		expect(listSessions().sessions).toEqual([]);
	});

	it('--yes without --sign-in is refused (exit 2): verify alone changes nothing', async () => {
		sides();
		const result = await verify([...pairArgs(), '--yes']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--yes goes with --sign-in');
	});
});

describe('verify --sign-in --yes', () => {
	it('a passed sign-in outweighs a probe that disagreed; --json carries the chain beside the checks', async () => {
		const {idp, app} = sides();
		refuseSecret = true;
		const result = await verify([...pairArgs(), '--sign-in', '--yes', '--json']);
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(result.stderr).toContain('The sign-in proof creates a throw-away test user');
		expect(result.stderr).toMatch(/Until the test user is deleted, session oidc-harbor-[0-9a-f]{6} keeps what is needed to delete it \(npx sso-setup verify --session oidc-harbor-[0-9a-f]{6} finishes it if this run is stopped\)\./);
		const json = JSON.parse(result.stdout) as VerifyJson;
		// The earlier shape is kept: ok, summary, checks.
		expect(Object.keys(json)).toEqual(expect.arrayContaining(['ok', 'summary', 'checks', 'signIn']));
		expect(json.ok).toBe(true);
		const secret = json.checks.find((check) => check.id === 'client-secret')!;
		expect(secret.status).toBe('warn');
		expect(secret.seen).toContain('The sign-in proof passed, so this probe disagreed with it');
		expect(json.signIn?.status).toBe('passed');
		expect(json.signIn?.links.map((link) => `${link.id}:${link.status}`)).toEqual(['app-start:passed', 'idp-authorize:passed', 'idp-login:passed', 'app-callback:passed', 'code-exchange:passed', 'app-user:passed', 'admin-rights:skipped']);
		expect(json.signIn?.testUser).toMatchObject({username: idp.created[0]!.username, createdBy: 'sso-setup'});
		expect(json.signIn?.cleanup).toMatchObject({complete: true, left: []});
		expect(idp.users.size + app.users.size).toBe(0);
		// The session made for the clean-up record is gone with it.
		expect(listSessions().sessions).toEqual([]);
	});

	it('a failed sign-in fails the run; the probe that failed too is named with the broken link', async () => {
		const {idp} = sides({link: 'code-exchange'});
		refuseSecret = true;
		const result = await verify([...pairArgs(), '--sign-in', '--yes']);
		expect(result.code).toBe(1);
		// The diagram wraps before an arrow on narrow screens.
		expect(result.stdout.replaceAll('\n  → ', ' → ')).toContain('app sign-in start ✔ → IdP authorize ✔ → IdP login ✔ → back at the app ✔ → code exchanged by the app ✖ → user in the app · → admin rights ·');
		expect(result.stdout).toMatch(/✖ Sign-in proof failed at: code exchanged by the app\./);
		expect(result.stdout).toMatch(/What to do \(code exchanged by the app\): Fix code-exchange\. What the related checks saw: Client secret \(failed\): /);
		expect(result.stdout).toContain('· user in the app');
		expect(idp.users.size).toBe(0);
	});

	it('a clean-up that fails says what is left and where, exits 1, and the next run for that session finishes it', async () => {
		const {idp, app} = sides({deleteIdpFails: 1});
		const first = await verify([...pairArgs(), '--sign-in', '--yes']);
		expect(first.code, first.stdout).toBe(1);
		const username = idp.created[0]!.username;
		const [session] = listSessions().sessions;
		expect(session?.artifacts['sign-in-cleanup']).toMatchObject({temporary_session: true, idp: {username}});
		expect(session?.answers['issuer']).toBe(provider.origin);
		expect(first.stdout).toContain('✔ Sign-in proof passed.');
		expect(first.stdout).toContain(`✖ Left behind: test user ${username} at Stub IdP realm demo at https://idp.test (stub IdP: cannot delete ${username} right now).`);
		expect(first.stdout).toContain(`The next run of npx sso-setup verify --session ${session!.id} deletes it; or delete it there by hand.`);
		expect(app.users.size).toBe(0);

		const second = await verify(['--session', session!.id]);
		expect(second.stderr).toContain(`Session ${session!.id} holds a sign-in test user that an earlier run did not delete: deleting it first.`);
		expect(second.stderr).toContain(`✔ Deleted the test user ${username} from Stub IdP realm demo at https://idp.test.`);
		expect(second.stderr).toContain(`Session ${session!.id} was kept only for the sign-in's clean-up, which is done: it is deleted.`);
		expect(second.code, second.stdout).toBe(0);
		expect(idp.users.size).toBe(0);
		expect(listSessions().sessions).toEqual([]);
	});

	it('a saved session keeps its answers; only the clean-up record is written, and it is cleared once done', async () => {
		sides({deleteAppFails: 1});
		const first = await verify([...pairArgs(), '--sign-in', '--yes']);
		expect(first.code).toBe(1);
		const [session] = listSessions().sessions;
		expect(session?.artifacts['sign-in-cleanup']).toMatchObject({app: {username: expect.stringMatching(/^sso-setup-test-/)}});
		expect(session?.artifacts['sign-in-cleanup']).not.toHaveProperty('idp');
		// verify --session with another app_url: the override is used in memory and never saved.
		const second = await verify(['--session', session!.id, '--set', 'client_id=other']);
		expect(second.stderr).toContain('✔ Deleted the user sso-setup-test-');
		expect(listSessions().sessions).toEqual([]);
	});
});

describe('verify --sign-in interrupted (Ctrl+C)', () => {
	async function interrupted(breaks: Breaks): Promise<{code: number; stderr: string; idp: StubIdp; app: StubApp}> {
		let exited: (code: number) => void = () => undefined;
		const exit = new Promise<number>((resolve) => {
			exited = resolve;
		});
		vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
			exited(code ?? 0);
		}) as typeof process.exit);
		const {idp, app} = sides({...breaks, hang: 'login', onLogIn: () => process.emit('SIGINT')});
		const running = verify([...pairArgs(), '--sign-in', '--yes']);
		const code = await exit;
		const result = await running;
		const late = err.splice(0).join('');
		everything.push(late);
		return {code, stderr: result.stderr + late, idp, app};
	}

	it('cleans up both sides before exiting 130 and says so', async () => {
		const {code, stderr, idp, app} = await interrupted({});
		expect(code).toBe(130);
		expect(stderr).toContain('✖ Interrupted (SIGINT). Cleaning up first');
		// Interrupted at the IdP's login: the app never saw the user, and says so.
		expect(stderr).toMatch(/✔ Harbor at http:\/\/127\.0\.0\.1:\d+ holds no user sso-setup-test-[0-9a-f]{8}: nothing to delete there\./);
		expect(stderr).toMatch(/✔ Deleted the test user sso-setup-test-[0-9a-f]{8} from Stub IdP realm demo/);
		expect(stderr).toContain('verify changes nothing; run it again with the same options.');
		expect(idp.users.size + app.users.size).toBe(0);
		expect(listSessions().sessions).toEqual([]);
	});

	it('what it cannot delete is named, the session survives with the record, and the next run finishes it', async () => {
		const {code, stderr, idp} = await interrupted({deleteIdpFails: 1});
		expect(code).toBe(130);
		const [session] = listSessions().sessions;
		expect(session).toBeDefined();
		expect(stderr).toContain(`✖ Left behind: test user ${idp.created[0]!.username} at Stub IdP realm demo at https://idp.test`);
		expect(stderr).toContain(`The sign-in's clean-up is not finished: finish it with: npx sso-setup verify --session ${session!.id}`);
		expect(idp.users.size).toBe(1);

		vi.restoreAllMocks();
		vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
		vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
		err.splice(0);
		registry.integrations = {idp, app: stubApp({}, {idp})};
		const next = await verify(['--session', session!.id]);
		expect(next.stderr).toContain(`✔ Deleted the test user ${idp.created[0]!.username}`);
		expect(idp.users.size).toBe(0);
		expect(listSessions().sessions).toEqual([]);
	});
});

describe('no secret anywhere', () => {
	it('no password, token, code or cookie in any output or session file of the runs above', () => {
		const text = everything.join('\n');
		expect(text.length).toBeGreaterThan(1000);
		const testPasswords = stubIdps.flatMap((idp) => idp.created.map((user) => user.password));
		expect(testPasswords.length).toBeGreaterThan(4);
		for (const secret of [adminPassword, clientSecret, authorizationCode, ...testPasswords]) {
			expect(text).not.toContain(secret);
		}

		expect(text).not.toMatch(/password=|"password"|Set-Cookie|sid=/i);
	});
});
