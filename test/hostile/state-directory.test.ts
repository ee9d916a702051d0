import {chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {UsageError} from '../../source/core/errors.js';
import {sessionsDirectory} from '../../source/core/paths.js';
import {listSessions, loadSession, newSession, saveSession, type Session, sessionFile} from '../../source/core/session/store.js';

// Issue 13, class 1: another local user who can write to the state directory. Run as root, the
// test plays that user with files and directories of uid 12345.
const fixedRandom = vi.hoisted(() => ({value: undefined as Buffer | undefined}));
vi.mock('node:crypto', async (original) => {
	const actual = await original<typeof import('node:crypto')>();
	return {...actual, randomBytes: (size: number) => fixedRandom.value?.subarray(0, size) ?? actual.randomBytes(size)};
});

const isRoot = process.getuid?.() === 0;
const otherUid = 12_345;
let root: string;
let env: NodeJS.ProcessEnv;
let victim: string;

beforeEach(() => {
	root = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-hostile-'));
	env = {SSO_SETUP_HOME: path.join(root, 'state')};
	victim = path.join(root, 'bashrc');
	writeFileSync(victim, 'export PATH=/usr/bin\n');
	fixedRandom.value = undefined;
});

afterEach(() => {
	rmSync(root, {recursive: true, force: true});
});

function planted(overrides: Partial<Session> = {}): Session {
	return {
		...newSession('authentik', 'harbor'),
		step: 'apply',
		answers: {app_url: 'https://harbor.example.com', idp_url: 'https://auth.example.com', admin_group: 'attackers', verify_cert: 'false'},
		...overrides,
	};
}

function caught(action: () => unknown): Error {
	try {
		action();
	} catch (error) {
		return error as Error;
	}

	throw new Error('expected an error');
}

describe.runIf(isRoot)('a state directory another user can write to (issue 13, class 1)', () => {
	it('refuses a sessions directory owned by another uid, naming the path and the fix', () => {
		mkdirSync(sessionsDirectory(env), {recursive: true, mode: 0o700});
		chownSync(sessionsDirectory(env), otherUid, otherUid);
		const error = caught(() => listSessions(env));
		expect(error).toBeInstanceOf(UsageError);
		expect(error.message).toContain(sessionsDirectory(env));
		expect(error.message).toContain('another user');
		expect((error as UsageError).hint).toMatch(/SSO_SETUP_HOME|remove/);
		expect(() => saveSession(planted(), env)).toThrow(/another user/);
	});

	it('refuses a state directory writable by group or others', () => {
		mkdirSync(sessionsDirectory(env), {recursive: true, mode: 0o700});
		chmodSync(env['SSO_SETUP_HOME']!, 0o777);
		const error = caught(() => saveSession(planted(), env));
		expect(error).toBeInstanceOf(UsageError);
		expect(error.message).toContain(env['SSO_SETUP_HOME']);
		expect((error as UsageError).hint).toContain('chmod 700');
	});

	it('does not continue from a session file planted by another uid', () => {
		const session = saveSession(planted({answers: {app_url: 'https://harbor.example.com'}}), env);
		const file = sessionFile(session.id, env);
		writeFileSync(file, readFileSync(file, 'utf8').replace('"app_url"', '"admin_group": "attackers",\n\t\t"app_url"'));
		chownSync(file, otherUid, otherUid);
		const {sessions, problems} = listSessions(env);
		expect(sessions).toEqual([]);
		expect(problems.map((problem) => problem.message).join('\n')).toContain(`${file} belongs to another user`);
		expect(() => loadSession(session.id, env)).toThrow(/belongs to another user/);
	});

	it('refuses a group- or world-writable session file', () => {
		const session = saveSession(planted(), env);
		chmodSync(sessionFile(session.id, env), 0o666);
		expect(caught(() => loadSession(session.id, env)).message).toMatch(/writable by/);
	});

	it('neither loads nor writes through a session file that is a symbolic link', () => {
		const session = planted();
		mkdirSync(sessionsDirectory(env), {recursive: true, mode: 0o700});
		symlinkSync(victim, sessionFile(session.id, env));
		expect(() => loadSession(session.id, env)).toThrow(/symbolic link/);
		// Saving may refuse the link or replace it (rename swaps the link itself): never write through it.
		try {
			saveSession(session, env);
			expect(lstatSync(sessionFile(session.id, env)).isFile()).toBe(true);
		} catch (error) {
			expect((error as Error).message).toContain('symbolic link');
		}

		expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
	});

	it('never writes through a symbolic link planted at the temporary file name', () => {
		const session = planted();
		mkdirSync(sessionsDirectory(env), {recursive: true, mode: 0o700});
		fixedRandom.value = Buffer.alloc(32, 0xab);
		const temporary = path.join(sessionsDirectory(env), `.${session.id}.json.${'ab'.repeat(12)}.tmp`);
		symlinkSync(victim, temporary);
		expect(() => saveSession(session, env)).toThrow();
		expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
		expect(existsSync(sessionFile(session.id, env))).toBe(false);
	});
});
