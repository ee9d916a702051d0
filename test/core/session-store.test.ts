import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SsoSetupError, UsageError} from '../../source/core/errors.js';
import {sessionsDirectory} from '../../source/core/paths.js';
import {
	deleteSessionFile,
	listSessions,
	loadSession,
	newSession,
	saveSession,
	type Session,
	SessionFileError,
	sessionFile,
	sessionSchemaVersion,
} from '../../source/core/session/store.js';

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
	root = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-store-'));
	// A state directory that does not exist yet: saveSession must create it.
	env = {SSO_SETUP_HOME: path.join(root, 'state')};
});

afterEach(() => {
	rmSync(root, {recursive: true, force: true});
});

const mode = (file: string) => statSync(file).mode & 0o777;

function sampleSession(overrides: Partial<Session> = {}): Session {
	return {
		...newSession('authentik', 'harbor', new Date('2026-11-20T10:00:00.000Z')),
		step: 'fields',
		answers: {app_url: 'https://harbor.example.com', idp_url: 'https://auth.example.com', slug: 'harbor'},
		secrets: ['client_secret'],
		acknowledged: ['harbor-local-users'],
		...overrides,
	};
}

/** Writes a session file by hand, as another version of sso-setup or a person's editor would. */
function writeRaw(id: string, text: string): string {
	mkdirSync(sessionsDirectory(env), {recursive: true});
	const file = path.join(sessionsDirectory(env), `${id}.json`);
	writeFileSync(file, text);
	return file;
}

function caught(action: () => unknown): unknown {
	try {
		action();
	} catch (error) {
		return error;
	}

	throw new Error('expected an error');
}

describe('saving and loading sessions', () => {
	it('round-trips a session through its file', () => {
		const session = sampleSession();
		const saved = saveSession(session, env);
		expect(saved).toEqual({...session, updated_at: saved.updated_at});
		expect(Date.parse(saved.updated_at)).not.toBeNaN();
		expect(loadSession(session.id, env)).toEqual(saved);
		expect(sessionFile(session.id, env)).toBe(path.join(root, 'state', 'sessions', `${session.id}.json`));
		expect(JSON.parse(readFileSync(sessionFile(session.id, env), 'utf8'))).toMatchObject({schema_version: sessionSchemaVersion, id: session.id});
	});

	it('gives new sessions a valid, unique id naming the pair', () => {
		const ids = new Set(Array.from({length: 20}, () => newSession('pocket-id', 'ovh-mpr').id));
		expect(ids.size).toBe(20);
		for (const id of ids) {
			expect(id).toMatch(/^pocket-id-ovh-mpr-[0-9a-f]{6}$/);
		}
	});

	it('writes the file with mode 0600 in a directory with mode 0700', () => {
		const session = saveSession(sampleSession(), env);
		expect(mode(sessionFile(session.id, env))).toBe(0o600);
		expect(mode(sessionsDirectory(env))).toBe(0o700);
		expect(mode(path.join(root, 'state'))).toBe(0o700);
	});

	it('tightens a file someone loosened to 0644', () => {
		const session = saveSession(sampleSession(), env);
		chmodSync(sessionFile(session.id, env), 0o644);
		saveSession(session, env);
		expect(mode(sessionFile(session.id, env))).toBe(0o600);
	});

	it('writes atomically: a new file renamed into place, no temporary file left behind', () => {
		const session = saveSession(sampleSession(), env);
		const file = sessionFile(session.id, env);
		const before = statSync(file).ino;
		saveSession({...session, step: 'review'}, env);
		// An in-place write keeps the inode; write-then-rename replaces it.
		expect(statSync(file).ino).not.toBe(before);
		expect(readdirSync(sessionsDirectory(env))).toEqual([`${session.id}.json`]);
		expect(loadSession(session.id, env).step).toBe('review');
	});

	it('refuses to write secret fields into answers, leaving the existing file intact', () => {
		const session = saveSession(sampleSession(), env);
		const file = sessionFile(session.id, env);
		const before = readFileSync(file);
		const leaked = {...session.answers, client_secret: 'leaked-client-secret', harbor_admin_password: 'leaked-password', authentik_token: 'leaked-token', pocket_id_api_key: 'leaked-key', ovh_consumer_key: 'leaked-ck'};
		const error = caught(() => saveSession({...session, answers: leaked}, env)) as SsoSetupError;
		expect(error).toBeInstanceOf(SsoSetupError);
		expect(error.message).toBe('Refusing to write secret fields (client_secret, harbor_admin_password, authentik_token, pocket_id_api_key, ovh_consumer_key) to the session file.');
		expect(error.message).not.toContain('leaked-');
		expect(readFileSync(file).equals(before)).toBe(true);
		expect(readdirSync(sessionsDirectory(env))).toEqual([`${session.id}.json`]);
	});

	it('refuses to create a file for a refused session', () => {
		const session = sampleSession({answers: {client_secret: 'x'}});
		expect(() => saveSession(session, env)).toThrow(/Refusing to write secret fields \(client_secret\)/);
		expect(() => readdirSync(sessionsDirectory(env))).toThrow(/ENOENT/);
	});

	it('keeps the names of stored secrets, which are not secret', () => {
		const session = saveSession(sampleSession({secrets: ['client_secret', 'harbor_admin_password']}), env);
		expect(loadSession(session.id, env).secrets).toEqual(['client_secret', 'harbor_admin_password']);
		expect(readFileSync(sessionFile(session.id, env), 'utf8')).not.toMatch(/"answers":[^}]*_password/);
	});

	it('refuses an id that is not a session id (no path tricks)', () => {
		for (const id of ['../../etc/passwd', 'UPPER', 'a', 'x/y']) {
			const error = caught(() => loadSession(id, env));
			expect(error, id).toBeInstanceOf(UsageError);
			expect((error as UsageError).message).toBe(`"${id}" is not a session id.`);
		}
	});

	it('says when a session does not exist', () => {
		const error = caught(() => loadSession('authentik-harbor-000000', env)) as UsageError;
		expect(error).toBeInstanceOf(UsageError);
		expect(error.message).toBe('No saved session "authentik-harbor-000000".');
		expect(error.hint).toContain('sso-setup sessions');
	});

	it('deletes a session file, and does not mind one that is already gone', () => {
		const session = saveSession(sampleSession(), env);
		deleteSessionFile(session.id, env);
		expect(readdirSync(sessionsDirectory(env))).toEqual([]);
		expect(() => deleteSessionFile(session.id, env)).not.toThrow();
	});
});

describe('session files that cannot be used', () => {
	const good = () => saveSession(sampleSession({id: 'authentik-harbor-aaaaaa'}), env);

	const cases: Array<{name: string; id: string; text: (valid: Session) => string; message: RegExp; hint: RegExp}> = [
		{
			name: 'corrupt JSON',
			id: 'keycloak-portainer-bbbbbb',
			text: () => '{"schema_version": 1, "id": "keycloak-portainer-bb',
			message: /is not valid JSON \(it may have been edited or truncated\)\.$/,
			hint: /^Move it away or delete it with: npx sso-setup sessions forget keycloak-portainer-bbbbbb\. The file was left untouched\.$/,
		},
		{
			name: 'a schema-invalid file',
			id: 'keycloak-portainer-cccccc',
			text: (valid) => JSON.stringify({...valid, id: 'keycloak-portainer-cccccc', step: 'flying'}),
			message: /is not a valid session \(step: .+\)\.$/,
			hint: /^Delete it with: npx sso-setup sessions forget keycloak-portainer-cccccc\. The file was left untouched\.$/,
		},
		{
			name: 'a newer schema_version',
			id: 'keycloak-portainer-dddddd',
			text: (valid) => JSON.stringify({...valid, id: 'keycloak-portainer-dddddd', schema_version: sessionSchemaVersion + 1, new_field: true}),
			message: new RegExp(`was written by a newer sso-setup \\(schema version ${sessionSchemaVersion + 1}; this one reads ${sessionSchemaVersion}\\)\\.$`),
			hint: /^Update sso-setup \(npx sso-setup@latest\) to resume it\. The file was left untouched\.$/,
		},
		{
			name: 'a file holding another session',
			id: 'keycloak-portainer-eeeeee',
			text: (valid) => JSON.stringify(valid),
			message: /holds session "authentik-harbor-aaaaaa", not the one its name says\.$/,
			hint: /The file was left untouched\.$/,
		},
	];

	for (const {name, id, text, message, hint} of cases) {
		it(`${name}: a clear error naming the file, the file untouched, the other sessions still listed`, () => {
			const valid = good();
			const file = writeRaw(id, text(valid));
			const bytes = readFileSync(file);
			const modified = statSync(file).mtimeMs;

			const error = caught(() => loadSession(id, env)) as SessionFileError;
			expect(error).toBeInstanceOf(SessionFileError);
			expect(error).toBeInstanceOf(UsageError);
			expect(error.file).toBe(file);
			expect(error.message.startsWith(`The session file ${file} `)).toBe(true);
			expect(error.message).toMatch(message);
			expect(error.hint).toMatch(hint);

			const listing = listSessions(env);
			expect(listing.sessions.map((session) => session.id)).toEqual([valid.id]);
			expect(listing.problems).toHaveLength(1);
			expect(listing.problems[0]!.file).toBe(file);
			expect(listing.problems[0]!.message).toMatch(message);

			expect(readFileSync(file).equals(bytes)).toBe(true);
			expect(statSync(file).mtimeMs).toBe(modified);
			expect(readdirSync(sessionsDirectory(env)).sort()).toEqual([`${valid.id}.json`, `${id}.json`].sort());
		});
	}
});

describe('listing sessions', () => {
	it('returns nothing, and no problem, when there is no state directory yet', () => {
		expect(listSessions(env)).toEqual({sessions: [], problems: []});
	});

	it('lists the newest first and ignores files that are not sessions', () => {
		const older = sampleSession({id: 'authentik-harbor-111111', updated_at: '2026-11-01T08:00:00.000Z'});
		const newer = sampleSession({id: 'pocket-id-harbor-222222', idp: 'pocket-id', updated_at: '2026-11-02T08:00:00.000Z'});
		const middle = sampleSession({id: 'keycloak-ovh-mpr-333333', idp: 'keycloak', app: 'ovh-mpr', updated_at: '2026-11-01T20:00:00.000Z'});
		for (const session of [older, newer, middle]) {
			writeRaw(session.id, JSON.stringify(session));
		}

		writeFileSync(path.join(sessionsDirectory(env), 'notes.txt'), 'not a session');
		const listing = listSessions(env);
		expect(listing.sessions.map((session) => session.id)).toEqual([newer.id, middle.id, older.id]);
		expect(listing.problems).toEqual([]);
	});
});
