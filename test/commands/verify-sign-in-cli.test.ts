import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {listSessions, loadSession, newSession, saveSession} from '../../source/core/session/store.js';
import {cli, newHome} from '../faults/helpers/cli.js';
import {binary} from '../helpers/pty.js';
import {startScriptedIdp, type ScriptedIdp} from '../verify/scripted-idp.js';

/**
 * `verify --sign-in` with the built binary, where no real pair is needed: an app added with
 * --flows has no sign-in support (skipped with the sentence), --yes handling, and a clean-up left
 * pending in a session, which every command that opens the session tries to finish and names
 * when it cannot.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
let provider: ScriptedIdp;
let flows: string;

/** The bundle, rebuilt when it is missing or older than a source file. */
function ensureBundle(): void {
	const sources = readdirSync(path.join(root, 'source'), {recursive: true}).map((name) => path.join(root, 'source', String(name)));
	const newest = Math.max(...sources.map((file) => statSync(file).mtimeMs));
	if (!existsSync(binary) || statSync(binary).mtimeMs < newest) {
		execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'});
	}
}

beforeAll(async () => {
	ensureBundle();
	provider = await startScriptedIdp({});
	flows = path.join(newHome('sso-setup-sign-in-flows-'), 'flows');
	mkdirSync(flows);
	writeFileSync(
		path.join(flows, 'gitea.yaml'),
		[
			'kind: app',
			'id: gitea',
			'name: Gitea',
			'scopes: {separator: " ", default: [openid, profile]}',
			'fields:',
			'  - {key: app_url, label: Gitea URL, kind: url, early: true}',
			'derived:',
			'  redirect_uri: "{{app_url}}/user/oauth2/sso/callback"',
			'',
		].join('\n'),
	);
}, 120_000);

afterAll(async () => {
	await provider.close();
});

const giteaArgs = () => ['--flows', flows, '--idp', 'oidc', '--app', 'gitea', '--set', `issuer=${provider.origin}`, '--set', 'client_id=gitea', '--set', `app_url=${provider.origin}`];
const env = {SSO_SETUP_CLIENT_SECRET: 'Cli-Sign-In-Secret-27'};

describe('verify --sign-in (built binary)', () => {
	it('--help says what --sign-in creates, deletes and needs', async () => {
		const result = await cli(newHome(), ['verify', '--help']);
		expect(result.code).toBe(0);
		for (const text of ['--sign-in', 'throw-away test user', 'delete the user from both', '--yes, -y', '--set test_user=NAME', 'SSO_SETUP_TEST_USER_PASSWORD', 'SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD']) {
			expect(result.stdout).toContain(text);
		}
	});

	it('--yes without --sign-in: exit 2 with a sentence', async () => {
		const result = await cli(newHome(), ['verify', ...giteaArgs(), '--yes'], env);
		expect(result.code, result.all).toBe(2);
		expect(result.stderr).toContain('✖ --yes goes with --sign-in');
		expect(result.stdout).toBe('');
	});

	it('an app added with --flows has no sign-in support: skipped with the sentence, no --yes needed, the exit code of the checks', async () => {
		const home = newHome();
		const without = await cli(home, ['verify', ...giteaArgs(), '--json'], env);
		const result = await cli(home, ['verify', ...giteaArgs(), '--sign-in', '--json'], env);
		expect(result.code, result.all).toBe(without.code);
		expect(result.code, result.all).toBe(0);
		const json = JSON.parse(result.stdout) as {ok: boolean; summary: unknown; checks: unknown[]; signIn: {status: string; seen: string; links: Array<{id: string; status: string}>; cleanup: {complete: boolean}}};
		const before = JSON.parse(without.stdout) as {ok: boolean; checks: unknown[]};
		// The shape without --sign-in is kept; signIn is added beside the checks.
		expect(json.ok).toBe(before.ok);
		expect(json.checks).toEqual(before.checks);
		expect(before).not.toHaveProperty('signIn');
		expect(json.signIn.status).toBe('skipped');
		expect(json.signIn.seen).toBe('Gitea has no sign-in support in sso-setup, so no sign-in was tried.');
		expect(json.signIn.links.map((link) => link.status)).toEqual(Array.from({length: 7}, () => 'skipped'));
		expect(json.signIn.cleanup.complete).toBe(true);
		expect(listSessions({SSO_SETUP_HOME: home}).sessions).toEqual([]);

		const text = await cli(home, ['verify', ...giteaArgs(), '--sign-in'], env);
		expect(text.stdout).toContain('- Sign-in proof skipped: Gitea has no sign-in support in sso-setup, so no sign-in was tried.');
	});
});

describe('a clean-up left pending in a session', () => {
	/** A session that an interrupted sign-in left: the test user at the IdP and its copy in the app. */
	function leftSession(home: string, app = 'gitea'): string {
		const session = newSession('keycloak', app);
		saveSession(
			{
				...session,
				answers: {idp_url: 'http://127.0.0.1:1', realm: 'demo', client_id: 'gitea', app_url: provider.origin, keycloak_admin_user: 'admin'},
				artifacts: {'sign-in-cleanup': {started_at: '2026-01-01T00:00:00.000Z', idp: {username: 'sso-setup-test-0badc0de', where: 'Keycloak realm demo at http://127.0.0.1:1'}, app: {username: 'sso-setup-test-0badc0de', where: `Gitea at ${provider.origin}`}}},
			},
			{SSO_SETUP_HOME: home},
		);
		return session.id;
	}

	const leftEnv = {...env, SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: 'Cli-Keycloak-Admin-61'};

	function expectNamedLeftovers(stderr: string, id: string): void {
		expect(stderr).toContain(`Session ${id} holds a sign-in test user that an earlier run did not delete: deleting it first.`);
		expect(stderr).toContain(`✖ Left behind: user sso-setup-test-0badc0de at Gitea at ${provider.origin} (sso-setup cannot delete users there: the app has no sign-in support).`);
		expect(stderr).toContain('✖ Left behind: test user sso-setup-test-0badc0de at Keycloak realm demo at http://127.0.0.1:1 (');
		expect(stderr).toContain(`The next run of npx sso-setup verify --session ${id} deletes them; or delete them there by hand.`);
		expect(stderr).not.toContain('Cli-Keycloak-Admin-61');
	}

	it('verify --session tries it first, names what is left and where, exits 1, and keeps the record', async () => {
		const home = newHome();
		const id = leftSession(home);
		const result = await cli(home, ['verify', '--flows', flows, '--session', id], leftEnv);
		expect(result.code, result.all).toBe(1);
		expectNamedLeftovers(result.stderr, id);
		expect(loadSession(id, {SSO_SETUP_HOME: home}).artifacts['sign-in-cleanup']).toMatchObject({idp: {username: 'sso-setup-test-0badc0de'}, app: {username: 'sso-setup-test-0badc0de'}});
	});

	it('checklist --session and rollback try it too; apply --dry-run only says it is pending', async () => {
		const home = newHome();
		const id = leftSession(home);
		const checklist = await cli(home, ['checklist', '--flows', flows, '--session', id], leftEnv);
		expect(checklist.code, checklist.all).toBe(0);
		expectNamedLeftovers(checklist.stderr, id);
		expect(checklist.stdout).toContain('Gitea');

		const rollback = await cli(home, ['rollback', '--flows', flows, id], leftEnv);
		expectNamedLeftovers(rollback.stderr, id);
		expect(rollback.stderr).toContain('holds no backup');

		const harbor = leftSession(home, 'harbor');
		const dryRun = await cli(home, ['apply', '--session', harbor, '--dry-run'], leftEnv);
		expect(dryRun.stderr, dryRun.all).toContain(`! Session ${harbor} holds a sign-in test user an earlier run did not delete; a run without --dry-run, or npx sso-setup verify --session ${harbor}, deletes it.`);
		expect(dryRun.stderr).not.toContain('deleting it first');
		expect(loadSession(harbor, {SSO_SETUP_HOME: home}).artifacts['sign-in-cleanup']).toBeDefined();
	});
});
