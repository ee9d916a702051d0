import {readdirSync} from 'node:fs';
import {sessionsDirectory, stateDirectory} from '../paths.js';
import {checkPrivateDirectory} from '../private-files.js';

/**
 * What can be said of the saved sessions without reading one: the store (store.ts) reads and
 * checks them with a schema, and the wizard's welcome screen loads it only when there is a file.
 */

/** The state and sessions directories, when they exist, are the user's own and not writable by others. */
export function checkStateDirectories(env: NodeJS.ProcessEnv = process.env): void {
	checkPrivateDirectory(stateDirectory(env));
	checkPrivateDirectory(sessionsDirectory(env));
}

/** Whether the sessions directory holds any session file (checked as the store checks it first). */
export function hasSessionFiles(env: NodeJS.ProcessEnv = process.env): boolean {
	checkStateDirectories(env);
	try {
		return readdirSync(sessionsDirectory(env)).some((name) => name.endsWith('.json'));
	} catch {
		return false;
	}
}
