import {createHash} from 'node:crypto';
import {closeSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';
import {BlockedError} from '../errors.js';
import {stateDirectory} from '../paths.js';
import {ensurePrivateDirectory, openPrivateFile, readRegularFile} from '../private-files.js';

/**
 * One writing run at a time per IdP + app + app URL (apply, rollback, the wizard's automated
 * stages): two runs at once would each register a client. Without an app URL, the session id
 * stands in. Taking it again in the same process is a no-op.
 */
export function lockAppRun(target: {idp: string; app: string; appUrl: string | undefined; sessionId: string}, env: NodeJS.ProcessEnv = process.env): void {
	lockRun(['apply', target.idp, target.app, target.appUrl ? sameAppUrl(target.appUrl) : target.sessionId], env);
}

/** https://Harbor.example.com/ and https://harbor.example.com name the same app. */
function sameAppUrl(text: string): string {
	return (URL.canParse(text) ? new URL(text).href : text).replace(/\/+$/, '');
}

/**
 * The lock file holds the pid; a lock whose process is gone is taken over. Released when this
 * process exits.
 */
export function lockRun(parts: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
	const directory = path.join(stateDirectory(env), 'locks');
	ensurePrivateDirectory(stateDirectory(env));
	ensurePrivateDirectory(directory);
	const file = path.join(directory, `${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 24)}.lock`);
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const descriptor = openPrivateFile(file);
			writeSync(descriptor, `${process.pid}\n`);
			closeSync(descriptor);
			process.once('exit', () => rmSync(file, {force: true}));
			return;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				throw error;
			}
		}

		const holder = lockHolder(file);
		if (holder === process.pid) {
			return;
		}

		if (holder !== undefined && isAlive(holder)) {
			throw new BlockedError(`Another sso-setup run is using this session (pid ${holder}).`, {hint: `Wait for it to finish, or stop it (kill ${holder}), then run again.`});
		}

		// Left by a process that no longer runs.
		rmSync(file, {force: true});
	}

	throw new BlockedError('Another sso-setup run is starting for the same app.', {hint: 'Run again in a moment.'});
}

function lockHolder(file: string): number | undefined {
	try {
		const pid = Number.parseInt(readRegularFile(file, {maxBytes: 64, private: true, what: 'lock file'}), 10);
		return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
