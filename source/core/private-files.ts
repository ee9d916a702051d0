import {chmodSync, closeSync, constants, existsSync, fchmodSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, type Stats, writeSync} from 'node:fs';
import path from 'node:path';
import {UsageError} from './errors.js';
import {printable} from './text.js';
import {randomHex} from './random.js';

/**
 * Files and directories other local users must not be able to plant or redirect: the state
 * directory and its sessions. Every read opens without following a symlink and without blocking
 * (a FIFO would wait forever), then checks the opened file itself, so a swap between check and
 * read changes nothing.
 */

export const maxStateFileBytes = 1024 * 1024;

const ownUid = () => (typeof process.getuid === 'function' ? process.getuid() : undefined);

export class UnsafeFileError extends UsageError {
	constructor(
		readonly file: string,
		readonly problem: string,
		hint: string,
	) {
		super(`${printable(file)} ${problem}.`, {hint});
		this.name = 'UnsafeFileError';
	}
}

/** Creates the directory (0700) or checks the existing one: a real directory, ours, not writable by group or others. */
export function ensurePrivateDirectory(directory: string): void {
	try {
		makePrivateDirectories(directory);
	} catch (error) {
		throw directoryError(directory, error);
	}

	checkPrivateDirectory(directory);
}

/**
 * mkdir -p with every directory it creates set to 0700 whatever the umask (002 or 000 would open
 * it to others, 277 would leave it unwritable), one level at a time so each one can be entered.
 */
function makePrivateDirectories(directory: string): void {
	const missing: string[] = [];
	for (let level = path.resolve(directory); !existsSync(level); level = path.dirname(level)) {
		missing.unshift(level);
		if (path.dirname(level) === level) break;
	}

	for (const level of missing) {
		try {
			mkdirSync(level, {mode: 0o700});
		} catch (error) {
			// Made meanwhile by another run: checked like any existing directory.
			if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
			throw error;
		}

		chmodSync(level, 0o700);
	}
}

/** Checks an existing directory; a missing one is fine (nothing to trust yet). */
export function checkPrivateDirectory(directory: string): void {
	let stats: Stats;
	try {
		stats = lstatSync(directory);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return;
		}

		throw directoryError(directory, error);
	}

	const fix = `Use a directory of your own: chown "$(id -u)" ${directory} && chmod 700 ${directory}, or set SSO_SETUP_HOME to one.`;
	if (!stats.isDirectory()) {
		throw new UnsafeFileError(directory, stats.isSymbolicLink() ? 'is a symbolic link, not the state directory itself' : 'is not a directory', `Move it away, or set SSO_SETUP_HOME to a directory of your own.`);
	}

	const uid = ownUid();
	if (uid !== undefined && stats.uid !== uid) {
		throw new UnsafeFileError(directory, `belongs to another user (uid ${stats.uid}): its files could be planted`, fix);
	}

	if ((stats.mode & 0o022) !== 0) {
		throw new UnsafeFileError(directory, `is writable by ${(stats.mode & 0o002) === 0 ? 'its group' : 'other users'} (mode ${(stats.mode & 0o777).toString(8)}): its files could be planted`, fix);
	}
}

function directoryError(directory: string, error: unknown): UsageError {
	const code = (error as NodeJS.ErrnoException).code ?? 'error';
	const problem = code === 'EACCES' || code === 'EPERM' ? 'cannot be created or written (permission denied)' : code === 'ENOTDIR' || code === 'EEXIST' ? 'cannot be created: a file is in the way' : `cannot be used (${code})`;
	return new UnsafeFileError(directory, `— the sso-setup state directory — ${problem}`, 'Fix its permissions, or set SSO_SETUP_HOME to a directory you can write.');
}

export type ReadOptions = {maxBytes?: number; /** Refuse files of another user or writable by group or others. */ private?: boolean; what?: string};

/** Reads a regular file, never a symlink, FIFO or device, and never more than maxBytes. */
export function readRegularFile(file: string, options: ReadOptions = {}): string {
	const maxBytes = options.maxBytes ?? maxStateFileBytes;
	const what = options.what ?? 'file';
	let descriptor: number;
	try {
		descriptor = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ELOOP' || code === 'EMLINK') {
			throw new UnsafeFileError(file, `is a symbolic link; sso-setup reads only a regular ${what}`, 'Replace the link with the file itself, or remove it.');
		}

		throw error;
	}

	try {
		const stats = fstatSync(descriptor);
		if (!stats.isFile()) {
			throw new UnsafeFileError(file, `is not a regular file (a ${kindOf(stats)}); sso-setup reads only a regular ${what}`, 'Remove it or replace it with a regular file.');
		}

		if (options.private) {
			checkPrivateFile(file, stats);
		}

		if (stats.size > maxBytes) {
			throw new UnsafeFileError(file, `is too large (${stats.size} bytes; a ${what} is at most ${maxBytes})`, 'Check that it is the right file.');
		}

		// The size may grow under us: never read more than the cap plus one byte.
		const buffer = Buffer.alloc(maxBytes + 1);
		let length = 0;
		for (;;) {
			const read = readSync(descriptor, buffer, length, buffer.length - length, null);
			if (read === 0) break;
			length += read;
			if (length > maxBytes) {
				throw new UnsafeFileError(file, `is too large (a ${what} is at most ${maxBytes} bytes)`, 'Check that it is the right file.');
			}
		}

		return buffer.subarray(0, length).toString('utf8');
	} finally {
		closeSync(descriptor);
	}
}

function checkPrivateFile(file: string, stats: Stats): void {
	const uid = ownUid();
	if (uid !== undefined && stats.uid !== uid) {
		throw new UnsafeFileError(file, `belongs to another user (uid ${stats.uid}) and is not trusted`, 'Delete it if you did not put it there.');
	}

	if ((stats.mode & 0o022) !== 0) {
		throw new UnsafeFileError(file, `is writable by other users (mode ${(stats.mode & 0o777).toString(8)}) and is not trusted`, `Check its content, then: chmod 600 ${file}`);
	}
}

function kindOf(stats: Stats): string {
	if (stats.isDirectory()) return 'directory';
	if (stats.isFIFO()) return 'named pipe';
	if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
	if (stats.isSocket()) return 'socket';
	return 'special file';
}

/**
 * Replaces `file` atomically: a temporary file with an unpredictable name in the same directory,
 * created exclusively (O_EXCL, no symlink followed) with mode 0600, synced, then renamed over it.
 * rename replaces a symlink at the target rather than writing through it.
 */
export function writePrivateFileAtomic(file: string, text: string): void {
	const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomHex(12)}.tmp`);
	const descriptor = openPrivateFile(temporary);
	try {
		try {
			writeSync(descriptor, text);
			fsyncSync(descriptor);
		} finally {
			closeSync(descriptor);
		}

		renameSync(temporary, file);
	} catch (error) {
		rmSync(temporary, {force: true});
		throw error;
	}
}

/** Creates a new file (O_EXCL, no symlink followed), mode 0600 whatever the umask. */
export function openPrivateFile(file: string): number {
	const descriptor = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
	try {
		fchmodSync(descriptor, 0o600);
	} catch (error) {
		closeSync(descriptor);
		throw error;
	}

	return descriptor;
}
