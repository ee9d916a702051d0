import {createHash} from 'node:crypto';
import {closeSync, constants, openSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';
import {BlockedError} from '../errors.js';
import {stateDirectory} from '../paths.js';
import {ensurePrivateDirectory, readRegularFile} from '../private-files.js';

/**
 * One run at a time per IdP + app (+ app URL): two apply runs at once would each register a
 * client. The lock file holds the pid; a lock whose process is gone is taken over. Released when
 * this process exits.
 */
export function lockRun(parts: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
	const directory = path.join(stateDirectory(env), 'locks');
	ensurePrivateDirectory(stateDirectory(env));
	ensurePrivateDirectory(directory);
	const file = path.join(directory, `${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 24)}.lock`);
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const descriptor = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
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
