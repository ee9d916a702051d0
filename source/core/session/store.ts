import {readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import {SsoSetupError, UsageError} from '../errors.js';
import {isSecretKey} from '../fields.js';
import {sessionsDirectory, stateDirectory} from '../paths.js';
import {ensurePrivateDirectory, readRegularFile, UnsafeFileError, writePrivateFileAtomic} from '../private-files.js';
import {answerProblem} from './answer-rules.js';
import {printable} from '../text.js';
import {commandLine} from '../command-line.js';
import {type Session, sessionIdPattern, sessionSchemaVersion, wizardSteps} from './session.js';
import {checkStateDirectories} from './files.js';

export {newSession, sessionSchemaVersion, wizardSteps, type Session, type WizardStep} from './session.js';
export {checkStateDirectories} from './files.js';

const identifier = z.string().regex(/^[a-z][a-z0-9-]*$/);

export const sessionSchema = z
	.object({
		schema_version: z.literal(sessionSchemaVersion),
		id: z.string().regex(sessionIdPattern),
		idp: identifier,
		app: identifier,
		created_at: z.string(),
		updated_at: z.string(),
		step: z.enum(wizardSteps),
		answers: z.record(z.string(), z.string()),
		secrets: z.array(z.string()),
		acknowledged: z.array(z.string()),
		artifacts: z.record(z.string(), z.unknown()),
		completed: z.array(z.string()),
		finished: z.boolean(),
	})
	.strict() satisfies z.ZodType<Session>;

export function sessionFile(id: string, env: NodeJS.ProcessEnv = process.env): string {
	if (!sessionIdPattern.test(id)) {
		throw new UsageError(`"${id}" is not a session id.`, {hint: `List the saved sessions with: ${commandLine('sessions')}`});
	}

	return path.join(sessionsDirectory(env), `${id}.json`);
}

/** Writes the session atomically (temp file + rename), mode 0600. Refuses anything that looks like a secret. */
export function saveSession(session: Session, env: NodeJS.ProcessEnv = process.env): Session {
	const leaked = Object.keys(session.answers).filter((key) => isSecretKey(key));
	if (leaked.length > 0) {
		throw new SsoSetupError(`Refusing to write secret fields (${leaked.join(', ')}) to the session file.`, {hint: 'This is a bug in sso-setup; nothing was written.'});
	}

	const invalid = Object.entries(session.answers).find(([key, value]) => answerProblem(key, value) !== undefined);
	if (invalid) {
		throw new SsoSetupError(`Refusing to write an invalid answer (${printable(invalid[0])}: ${answerProblem(...invalid) ?? ''}).`, {hint: 'This is a bug in sso-setup; the saved file was left as it was.'});
	}

	const updated = {...session, updated_at: new Date().toISOString()};
	const parsed = sessionSchema.safeParse(updated);
	if (!parsed.success) {
		throw new SsoSetupError(`Refusing to write an invalid session (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}).`, {hint: 'This is a bug in sso-setup; the saved file was left as it was.'});
	}

	const valid = parsed.data;
	ensurePrivateDirectory(stateDirectory(env));
	ensurePrivateDirectory(sessionsDirectory(env));
	writePrivateFileAtomic(sessionFile(session.id, env), `${JSON.stringify(valid, null, '\t')}\n`);
	return valid;
}

export class SessionFileError extends UsageError {
	constructor(
		readonly file: string,
		problem: string,
		hint: string,
	) {
		super(`The session file ${file} ${problem}.`, {hint});
		this.name = 'SessionFileError';
	}
}

export function loadSession(id: string, env: NodeJS.ProcessEnv = process.env): Session {
	const file = sessionFile(id, env);
	checkStateDirectories(env);
	let text: string;
	try {
		text = readSessionFile(file);
	} catch (error) {
		if (error instanceof SessionFileError) {
			throw error;
		}

		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			throw new UsageError(`No saved session "${id}".`, {hint: `List the saved sessions with: ${commandLine('sessions')}`});
		}

		throw new SessionFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'Check the permissions of the file; it should belong to you with mode 0600.');
	}

	return parseSession(file, text);
}

export function parseSession(file: string, text: string): Session {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw new SessionFileError(file, 'is not valid JSON (it may have been edited or truncated)', `Move it away or delete it with: ${commandLine(`sessions forget ${path.basename(file, '.json')}`)}. The file was left untouched.`);
	}

	const version = (data as {schema_version?: unknown} | null)?.schema_version;
	if (typeof version === 'number' && version > sessionSchemaVersion) {
		throw new SessionFileError(file, `was written by a newer sso-setup (schema version ${version}; this one reads ${sessionSchemaVersion})`, 'Update sso-setup (npx sso-setup@latest) to resume it. The file was left untouched.');
	}

	const result = sessionSchema.safeParse(data);
	if (!result.success) {
		const first = result.error.issues[0];
		const where = first ? printable(`${first.path.join('.') || 'top level'}: ${first.message}`) : 'unknown problem';
		throw new SessionFileError(file, `is not a valid session (${where})`, `Delete it with: ${commandLine(`sessions forget ${path.basename(file, '.json')}`)}. The file was left untouched.`);
	}

	if (`${result.data.id}.json` !== path.basename(file)) {
		throw new SessionFileError(file, `holds session "${result.data.id}", not the one its name says`, 'Rename the file back or delete it. The file was left untouched.');
	}

	// Written by hand or by something else: sso-setup never puts secrets there, and must not pass them on.
	const leaked = Object.keys(result.data.answers).filter((key) => isSecretKey(key.toLowerCase()));
	if (leaked.length > 0) {
		throw new SessionFileError(file, `holds secrets in plain text (${printable(leaked.join(', '))})`, `Delete it with: ${commandLine(`sessions forget ${result.data.id}`)}, and change those secrets: the file could be read. The file was left untouched.`);
	}

	for (const [key, value] of Object.entries(result.data.answers)) {
		const problem = answerProblem(key, value);
		if (problem) {
			throw new SessionFileError(file, `is not a valid session (answers.${printable(key)}: ${problem})`, `Delete it with: ${commandLine(`sessions forget ${result.data.id}`)}. The file was left untouched.`);
		}
	}

	return result.data;
}

/** A session file is a regular file of the user's, not writable by others, under the size cap. */
function readSessionFile(file: string): string {
	try {
		return readRegularFile(file, {private: true, what: 'session file'});
	} catch (error) {
		if (error instanceof UnsafeFileError) {
			throw new SessionFileError(file, error.problem, `${error.hint ?? ''} The file was left untouched.`.trim());
		}

		throw error;
	}
}


export type SessionListing = {sessions: Session[]; problems: SessionFileError[]};

/** Every readable session, newest first, plus the files that could not be read (reported, not deleted). */
export function listSessions(env: NodeJS.ProcessEnv = process.env): SessionListing {
	const directory = sessionsDirectory(env);
	checkStateDirectories(env);
	let names: string[];
	try {
		names = readdirSync(directory).filter((name) => name.endsWith('.json'));
	} catch {
		return {sessions: [], problems: []};
	}

	const sessions: Session[] = [];
	const problems: SessionFileError[] = [];
	for (const name of names) {
		const file = path.join(directory, name);
		try {
			sessions.push(parseSession(file, readSessionFile(file)));
		} catch (error) {
			problems.push(error instanceof SessionFileError ? error : new SessionFileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'Check its permissions; it should belong to you with mode 0600.'));
		}
	}

	sessions.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
	return {sessions, problems};
}

export function deleteSessionFile(id: string, env: NodeJS.ProcessEnv = process.env): void {
	rmSync(sessionFile(id, env), {force: true});
}
