import {chownSync, chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, readdirSync, lstatSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {listSessions, loadSession, newSession, saveSession, sessionFile} from '../../source/core/session/store.js';

const asRoot = process.getuid?.() === 0;

function home(): {env: NodeJS.ProcessEnv; root: string; sessions: string} {
	const root = mkdtempSync(path.join(tmpdir(), 'sso-setup-hostile-'));
	const sessions = path.join(root, 'sessions');
	mkdirSync(sessions, {mode: 0o700});
	return {env: {SSO_SETUP_HOME: root}, root, sessions};
}

function planted(idp = 'pocket-id', app = 'harbor') {
	const session = newSession(idp, app);
	return {...session, answers: {app_url: 'https://harbor.example.com', admin_group: 'attackers', verify_cert: 'false'}};
}

describe('class 1: a state directory and session files of another user are not trusted', () => {
	it.skipIf(!asRoot)('refuses a sessions directory owned by another uid (exit 2, naming the path and the fix)', () => {
		const {env, sessions} = home();
		chownSync(sessions, 12345, 12345);
		expect(() => listSessions(env)).toThrow(/sessions belongs to another user \(uid 12345\)/);
		try {
			saveSession(newSession('oidc', 'harbor'), env);
			expect.unreachable();
		} catch (error) {
			expect((error as {exitCode: number}).exitCode).toBe(2);
			expect((error as {hint: string}).hint).toMatch(/chmod 700/);
		}
	});

	it('refuses a state directory writable by group or others', () => {
		const {env, root} = home();
		chmodSync(root, 0o777);
		expect(() => listSessions(env)).toThrow(/writable by other users \(mode 777\)/);
	});

	it.skipIf(!asRoot)('refuses a planted session file of another uid, so apply does not continue it', () => {
		const {env, sessions} = home();
		const session = planted();
		const file = path.join(sessions, `${session.id}.json`);
		writeFileSync(file, JSON.stringify(session), {mode: 0o600});
		chownSync(file, 12345, 12345);
		const listing = listSessions(env);
		expect(listing.sessions).toEqual([]);
		expect(listing.problems[0]?.message).toMatch(/belongs to another user \(uid 12345\)/);
		expect(() => loadSession(session.id, env)).toThrow(/belongs to another user/);
	});

	it('refuses a group-writable session file and a session file that is a symlink', () => {
		const {env, sessions} = home();
		const writable = planted();
		writeFileSync(path.join(sessions, `${writable.id}.json`), JSON.stringify(writable));
		chmodSync(path.join(sessions, `${writable.id}.json`), 0o666);
		const linked = planted('oidc');
		const target = path.join(sessions, '..', 'elsewhere.json');
		writeFileSync(target, JSON.stringify(linked));
		symlinkSync(target, path.join(sessions, `${linked.id}.json`));
		const listing = listSessions(env);
		expect(listing.sessions).toEqual([]);
		expect(listing.problems.map((problem) => problem.message).join('\n')).toMatch(/writable by other users[\s\S]*symbolic link|symbolic link[\s\S]*writable by other users/);
	});

	it('never writes through a symlink planted at the session file or at a temporary name', () => {
		const {env, root, sessions} = home();
		const victim = path.join(root, 'bashrc');
		writeFileSync(victim, 'export PATH\n');
		const session = newSession('oidc', 'harbor');
		const file = sessionFile(session.id, env);
		symlinkSync(victim, file);
		// Planted where write-file-atomic and most temp-file schemes would write.
		for (const suffix of ['.tmp', '.0', `.${process.pid}`]) symlinkSync(victim, `${file}${suffix}`);
		saveSession(session, env);
		expect(readFileSync(victim, 'utf8')).toBe('export PATH\n');
		expect(lstatSync(file).isFile()).toBe(true);
		expect((lstatSync(file).mode & 0o777).toString(8)).toBe('600');
		expect(readdirSync(sessions).filter((name) => !name.endsWith('.json') && !/\.json\.(tmp|0|\d+)$/.test(name))).toEqual([]);
	});
});

describe('class 11: hand-edited session files meet the typed-input rules', () => {
	it('refuses a javascript: app_url and an upper-case secret key', () => {
		const {env, sessions} = home();
		const script = {...newSession('oidc', 'harbor'), answers: {app_url: 'javascript:alert(1)'}};
		writeFileSync(path.join(sessions, `${script.id}.json`), JSON.stringify(script), {mode: 0o600});
		expect(() => loadSession(script.id, env)).toThrow(/app_url: is not an http\(s\) URL/);
		const secret = {...newSession('oidc', 'portainer'), answers: {CLIENT_SECRET: 'hunter2-secret'}};
		writeFileSync(path.join(sessions, `${secret.id}.json`), JSON.stringify(secret), {mode: 0o600});
		expect(() => loadSession(secret.id, env)).toThrow(/holds secrets in plain text \(CLIENT_SECRET\)/);
	});
});

describe('class 6: special files in sessions/ are reported by name, never read', () => {
	it('lists around a FIFO, a symlink to /dev/zero and a huge sparse file', () => {
		const {env, sessions} = home();
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
