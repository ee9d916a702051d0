import {answerProblem} from '../../source/core/session/answer-rules.js';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, describe, expect, it} from 'vitest';
import {SsoSetupError, UsageError} from '../../source/core/errors.js';
import {isSecretKey} from '../../source/core/fields.js';
import {listSessions, loadSession, parseSession, saveSession, type Session, SessionFileError, sessionSchemaVersion, wizardSteps} from '../../source/core/session/store.js';
import {anyText, fieldKey, secretKey, secretValue, sessionText} from './arbitraries.js';

/**
 * Session files: whatever a file holds, loading gives a session or a SessionFileError naming the
 * file, and leaves it byte for byte as it was. Saving round-trips, leaves no temporary file, and
 * refuses secrets.
 */

const root = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-fuzz-sessions-'));
afterAll(() => {
	rmSync(root, {recursive: true, force: true});
});

let count = 0;
/** A fresh state directory per run, as $SSO_SETUP_HOME. */
function freshHome(): {env: NodeJS.ProcessEnv; sessions: string} {
	const home = path.join(root, `home-${++count}`);
	return {env: {SSO_SETUP_HOME: home}, sessions: path.join(home, 'sessions')};
}

const identifier = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const sessionId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,30}$/);
const timestamp = fc.date({min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true}).map((date) => date.toISOString());

/** Sessions as the wizard writes them: any answer text, no secret keys among the answers. */
const validSession: fc.Arbitrary<Session> = fc.record({
	schema_version: fc.constant(sessionSchemaVersion),
	id: sessionId,
	idp: identifier,
	app: identifier,
	created_at: timestamp,
	updated_at: timestamp,
	step: fc.constantFrom(...wizardSteps),
	answers: fc
		.dictionary(fieldKey.filter((key) => !isSecretKey(key)), anyText(40), {maxKeys: 8, noNullPrototype: true})
		// Typed input meets the field rules; a hand-edited file that does not is refused (answer-rules.ts).
		.filter((answers) => Object.entries(answers).every(([key, value]) => answerProblem(key, value) === undefined)),
	secrets: fc.uniqueArray(secretKey, {maxLength: 3}),
	acknowledged: fc.uniqueArray(identifier, {maxLength: 3}),
	artifacts: fc.dictionary(fieldKey, fc.jsonValue({maxDepth: 2}), {maxKeys: 3, noNullPrototype: true}),
	completed: fc.uniqueArray(fc.constantFrom('register', 'apply', 'verify'), {maxLength: 3}),
	finished: fc.boolean(),
});

function snapshot(directory: string): Map<string, Buffer> {
	return new Map(readdirSync(directory).map((name) => [name, readFileSync(path.join(directory, name))]));
}

/** Only the errors the contract documents, each naming the file; anything else fails the test. */
function expectSessionFileError(error: unknown, file: string): asserts error is SessionFileError {
	if (!(error instanceof SessionFileError)) {
		throw error;
	}

	expect(error).toBeInstanceOf(UsageError);
	expect(error.exitCode).toBe(2);
	expect(error.file).toBe(file);
	expect(error.message).toContain(file);
	expect(error.hint).toMatch(/\S/);
	// One line, nothing from the file that moves the cursor or colours the terminal.
	// eslint-disable-next-line no-control-regex
	expect(error.message).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
}

/** What a loaded session promises to the wizard and the commands. */
function expectUsableSession(session: Session, id: string): void {
	expect(session.id).toBe(id);
	expect(Object.keys(session.answers).filter((key) => isSecretKey(key))).toEqual([]);
	for (const value of Object.values(session.answers)) {
		expect(typeof value).toBe('string');
	}
}

describe('loading session files', () => {
	it('gives a session or a SessionFileError naming the file, and never changes the file', () => {
		fc.assert(
			fc.property(validSession.chain((session) => fc.tuple(fc.constant(session), sessionText(session))), ([session, content]) => {
				const {env, sessions} = freshHome();
				mkdirSync(sessions, {recursive: true});
				const file = path.join(sessions, `${session.id}.json`);
				writeFileSync(file, content);
				const before = snapshot(sessions);

				try {
					expectUsableSession(loadSession(session.id, env), session.id);
				} catch (error) {
					expectSessionFileError(error, file);
				}

				try {
					expectUsableSession(parseSession(file, readFileSync(file, 'utf8')), session.id);
				} catch (error) {
					expectSessionFileError(error, file);
				}

				const listing = listSessions(env);
				expect(listing.sessions.length + listing.problems.length).toBe(1);
				for (const problem of listing.problems) {
					expectSessionFileError(problem, file);
				}

				for (const listed of listing.sessions) {
					expectUsableSession(listed, session.id);
				}

				expect(snapshot(sessions)).toEqual(before);
			}),
			{numRuns: 500},
		);
	});

	it('lists readable sessions next to broken files, reporting each broken one by name', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(validSession, {minLength: 1, maxLength: 4, selector: (session) => session.id}),
				fc.array(fc.tuple(sessionId, fc.oneof(anyText(30), fc.uint8Array({maxLength: 30}))), {maxLength: 3}),
				(valid, broken) => {
					const {env, sessions} = freshHome();
					mkdirSync(sessions, {recursive: true});
					for (const session of valid) {
						writeFileSync(path.join(sessions, `${session.id}.json`), JSON.stringify(session));
					}

					const brokenFiles = broken.filter(([id]) => !valid.some((session) => session.id === id)).map(([id, content]) => {
						const file = path.join(sessions, `${id}.broken.json`);
						writeFileSync(file, content);
						return file;
					});
					const before = snapshot(sessions);
					const listing = listSessions(env);
					expect(listing.sessions.map((session) => session.id).sort()).toEqual(valid.map((session) => session.id).sort());
					expect(listing.problems.map((problem) => problem.file).sort()).toEqual([...new Set(brokenFiles)].sort());
					// Newest first.
					const stamps = listing.sessions.map((session) => session.updated_at);
					expect(stamps).toEqual([...stamps].sort().reverse());
					expect(snapshot(sessions)).toEqual(before);
				},
			),
			{numRuns: 200},
		);
	});

	it('refuses a file whose answers hold a secret, without repeating the secret', () => {
		fc.assert(
			fc.property(validSession, secretKey, secretValue, (session, key, value) => {
				const {env, sessions} = freshHome();
				mkdirSync(sessions, {recursive: true});
				const file = path.join(sessions, `${session.id}.json`);
				writeFileSync(file, JSON.stringify({...session, answers: {...session.answers, [key]: value}}));
				const before = snapshot(sessions);
				let refused: unknown;
				try {
					loadSession(session.id, env);
				} catch (error) {
					refused = error;
				}

				expectSessionFileError(refused, file);
				expect(refused.message).toContain(key);
				expect(`${refused.message} ${refused.hint ?? ''}`).not.toContain(/Sv[A-Za-z0-9]{4}Q/.exec(value)![0]);
				expect(listSessions(env).problems.map((problem) => problem.file)).toEqual([file]);
				expect(snapshot(sessions)).toEqual(before);
			}),
			{numRuns: 200},
		);
	});
});

describe('saving sessions', () => {
	it('round-trips every valid session, mode 0600, with no temporary file left', () => {
		fc.assert(
			fc.property(validSession, fc.integer({min: 1, max: 3}), (session, times) => {
				const {env, sessions} = freshHome();
				let saved = session;
				for (let index = 0; index < times; index++) {
					saved = saveSession(saved, env);
				}

				expect(saved).toEqual({...session, updated_at: saved.updated_at});
				expect(readdirSync(sessions)).toEqual([`${session.id}.json`]);
				const file = path.join(sessions, `${session.id}.json`);
				expect(statSync(file).mode & 0o777).toBe(0o600);
				const text = readFileSync(file, 'utf8');
				expect(text.endsWith('}\n')).toBe(true);
				// As JSON keeps it (artifacts may hold -0, which JSON writes as 0).
				const written = JSON.parse(JSON.stringify(saved)) as Session;
				expect(loadSession(session.id, env)).toEqual(written);
				expect(parseSession(file, text)).toEqual(written);
			}),
			{numRuns: 300},
		);
	});

	it('refuses answers with secret-looking keys and leaves the saved file as it was', () => {
		fc.assert(
			fc.property(validSession, secretKey, secretValue, fc.boolean(), (session, key, value, savedBefore) => {
				const {env, sessions} = freshHome();
				if (savedBefore) {
					saveSession(session, env);
				}

				const before = savedBefore ? snapshot(sessions) : undefined;
				let refused: unknown;
				try {
					saveSession({...session, answers: {...session.answers, [key]: value}}, env);
				} catch (error) {
					refused = error;
				}

				expect(refused).toBeInstanceOf(SsoSetupError);
				const error = refused as SsoSetupError;
				expect(error.message).toContain(key);
				expect(`${error.message} ${error.hint ?? ''}`).not.toContain(/Sv[A-Za-z0-9]{4}Q/.exec(value)![0]);
				if (before) {
					expect(snapshot(sessions)).toEqual(before);
				} else {
					expect(existsSync(sessions)).toBe(false);
				}
			}),
			{numRuns: 300},
		);
	});

	it('refuses an invalid session with an SsoSetupError and leaves the saved file as it was', () => {
		const member = fc.constantFrom('schema_version', 'id', 'idp', 'app', 'created_at', 'step', 'secrets', 'acknowledged', 'artifacts', 'completed', 'finished');
		fc.assert(
			fc.property(validSession, member, fc.oneof(fc.jsonValue({maxDepth: 2}), anyText(20)), (session, key, value) => {
				const {env, sessions} = freshHome();
				saveSession(session, env);
				const before = snapshot(sessions);
				const changed = {...session, [key]: value} as Session;
				try {
					saveSession(changed, env);
				} catch (error) {
					expect(error).toBeInstanceOf(SsoSetupError);
					expect(snapshot(sessions)).toEqual(before);
					return;
				}

				// Accepted: the change was valid; every file in the directory is a whole session.
				for (const name of readdirSync(sessions)) {
					expect(name).toMatch(/^[a-z0-9][a-z0-9-]{2,80}\.json$/);
					expect(() => JSON.parse(readFileSync(path.join(sessions, name), 'utf8'))).not.toThrow();
				}
			}),
			{numRuns: 300},
		);
	});
});
