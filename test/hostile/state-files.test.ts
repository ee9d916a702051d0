import {execFileSync} from 'node:child_process';
import {chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {UsageError} from '../../source/core/errors.js';
import {listSessions, loadSession, newSession, saveSession, type Session, sessionFile} from '../../source/core/session/store.js';

/**
 * Issue 13, class 1: another local user who can write to the state directory. Run as root, the
 * test plays that user with files and directories of uid 12345. Also class 11 (hand-edited
 * session files) and class 6 (special files in sessions/).
 */
const fixedRandom = vi.hoisted(() => ({value: undefined as Buffer | undefined}));
// The one source of the random parts of names (session ids, temporary files).
vi.mock('../../source/core/random.js', async (original) => {
	const actual = await original<typeof import('../../source/core/random.js')>();
	return {...actual, randomHex: (size: number) => fixedRandom.value?.subarray(0, size).toString('hex') ?? actual.randomHex(size)};
});

const isRoot = process.getuid?.() === 0;
const otherUid = 12_345;
let root: string;
let env: NodeJS.ProcessEnv;
let sessions: string;
let victim: string;

beforeEach(() => {
	root = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-hostile-'));
	env = {SSO_SETUP_HOME: path.join(root, 'state')};
	sessions = path.join(root, 'state', 'sessions');
	mkdirSync(sessions, {recursive: true, mode: 0o700});
	victim = path.join(root, 'bashrc');
	writeFileSync(victim, 'export PATH=/usr/bin\n');
	fixedRandom.value = undefined;
});

afterEach(() => {
	rmSync(root, {recursive: true, force: true});
});

/** What the attacker plants: the victim's app and issuer, plus their admin group with certificate checks off. */
function planted(overrides: Partial<Session> = {}): Session {
	return {
		...newSession('authentik', 'harbor'),
		step: 'apply',
		answers: {app_url: 'https://harbor.example.com', idp_url: 'https://auth.example.com', admin_group: 'attackers', verify_cert: 'false'},
		...overrides,
	};
}

function plant(session: Session, mode = 0o600): string {
	const file = sessionFile(session.id, env);
	writeFileSync(file, JSON.stringify(session), {mode});
	chmodSync(file, mode);
	return file;
}

function caught(action: () => unknown): Error {
	try {
		action();
	} catch (error) {
		return error as Error;
	}

	throw new Error('expected an error');
}

describe('class 1: a state directory and session files another user can write to', () => {
	it.runIf(isRoot)('refuses a sessions directory owned by another uid (exit 2, naming the path and the fix)', () => {
		chownSync(sessions, otherUid, otherUid);
		const error = caught(() => listSessions(env));
		expect(error).toBeInstanceOf(UsageError);
		expect(error.message).toContain(`${sessions} belongs to another user (uid ${otherUid})`);
		expect((error as UsageError).hint).toMatch(/chmod 700.*SSO_SETUP_HOME/);
		const saving = caught(() => saveSession(planted(), env));
		expect((saving as UsageError).exitCode).toBe(2);
		expect(saving.message).toMatch(/another user/);
	});

	it('refuses a state directory writable by group or others, listing and saving', () => {
		chmodSync(env['SSO_SETUP_HOME']!, 0o777);
		for (const action of [() => listSessions(env), () => saveSession(planted(), env)]) {
			const error = caught(action);
			expect(error).toBeInstanceOf(UsageError);
			expect(error.message).toContain(`${env['SSO_SETUP_HOME']} is writable by other users (mode 777)`);
			expect((error as UsageError).hint).toContain('chmod 700');
		}
	});

	it.runIf(isRoot)('does not continue from a session file planted by another uid', () => {
		const file = plant(planted());
		chownSync(file, otherUid, otherUid);
		const listing = listSessions(env);
		expect(listing.sessions).toEqual([]);
		expect(listing.problems.map((problem) => problem.message).join('\n')).toContain(`${file} belongs to another user (uid ${otherUid})`);
		expect(() => loadSession(path.basename(file, '.json'), env)).toThrow(/belongs to another user/);
	});

	it('refuses a group- or world-writable session file and a session file that is a symlink', () => {
		const writable = planted();
		plant(writable, 0o666);
		const linked = {...newSession('oidc', 'harbor'), answers: {app_url: 'https://harbor.example.com'}};
		const target = path.join(root, 'elsewhere.json');
		writeFileSync(target, JSON.stringify(linked));
		symlinkSync(target, sessionFile(linked.id, env));
		const listing = listSessions(env);
		expect(listing.sessions).toEqual([]);
		const problems = listing.problems.map((problem) => problem.message).join('\n');
		expect(problems).toMatch(/writable by other users/);
		expect(problems).toMatch(/symbolic link/);
		expect(caught(() => loadSession(writable.id, env)).message).toMatch(/writable by/);
		expect(caught(() => loadSession(linked.id, env)).message).toMatch(/symbolic link/);
	});

	it('never writes through a symlink planted at the session file', () => {
		const session = planted();
		symlinkSync(victim, sessionFile(session.id, env));
		// Saving may refuse the link or replace it (rename swaps the link itself): never write through it.
		try {
			saveSession(session, env);
			expect(lstatSync(sessionFile(session.id, env)).isFile()).toBe(true);
			expect((lstatSync(sessionFile(session.id, env)).mode & 0o777).toString(8)).toBe('600');
		} catch (error) {
			expect((error as Error).message).toContain('symbolic link');
		}

		expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
	});

	it('never writes through a symlink planted at the temporary file name, guessed or predicted', () => {
		// Where write-file-atomic and most temp-file schemes would write: the save goes elsewhere and leaves nothing behind.
		const guessed = newSession('oidc', 'harbor');
		const file = sessionFile(guessed.id, env);
		const suffixes = ['.tmp', '.0', `.${process.pid}`];
		for (const suffix of suffixes) symlinkSync(victim, `${file}${suffix}`);
		saveSession(guessed, env);
		expect(lstatSync(file).isFile()).toBe(true);
		expect(readdirSync(sessions).sort()).toEqual([path.basename(file), ...suffixes.map((suffix) => `${path.basename(file)}${suffix}`)].sort());

		// The exact name predicted (the random part fixed): O_EXCL refuses it.
		const predicted = planted();
		fixedRandom.value = Buffer.alloc(32, 0xab);
		symlinkSync(victim, path.join(sessions, `.${predicted.id}.json.${'ab'.repeat(12)}.tmp`));
		expect(() => saveSession(predicted, env)).toThrow();
		expect(existsSync(sessionFile(predicted.id, env))).toBe(false);
		expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
	});
});

describe('class 11: hand-edited session files meet the typed-input rules', () => {
	it('refuses a javascript: app_url and an upper-case secret key', () => {
		const script = {...newSession('oidc', 'harbor'), answers: {app_url: 'javascript:alert(1)'}};
		plant(script);
		expect(() => loadSession(script.id, env)).toThrow(/app_url: is not an http\(s\) URL/);
		const secret = {...newSession('oidc', 'portainer'), answers: {CLIENT_SECRET: 'hunter2-secret'}};
		plant(secret);
		expect(() => loadSession(secret.id, env)).toThrow(/holds secrets in plain text \(CLIENT_SECRET\)/);
	});
});

describe('class 6: special files in sessions/ are reported by name, never read', () => {
	it('lists around a FIFO, a symlink to /dev/zero and a huge sparse file', () => {
		execFileSync('mkfifo', [path.join(sessions, 'fifo-x.json')]);
		symlinkSync('/dev/zero', path.join(sessions, 'zero-x.json'));
		execFileSync('truncate', ['-s', '600M', path.join(sessions, 'huge-x.json')]);
		const good = newSession('oidc', 'harbor');
		saveSession(good, env);
		const listing = listSessions(env);
		expect(listing.sessions.map((session) => session.id)).toEqual([good.id]);
		const messages = listing.problems.map((problem) => problem.message).sort();
		expect(messages[0]).toMatch(/fifo-x\.json is not a regular file \(a named pipe\)/);
		expect(messages[1]).toMatch(/huge-x\.json is too large/);
		expect(messages[2]).toMatch(/zero-x\.json is a symbolic link/);
	});
});
