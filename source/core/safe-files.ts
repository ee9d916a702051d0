import {randomBytes} from 'node:crypto';
import {closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, type Stats, writeSync} from 'node:fs';
import path from 'node:path';
import {UsageError} from './errors.js';
import {printable} from './text.js';

/**
 * Reading and writing files that someone else may have planted: only regular files, under a size
 * cap, never blocking on a FIFO or a device, and (for state) only ones this user owns and nobody
 * else can write.
 */

export class UnsafeFileError extends Error {
	constructor(
		readonly file: string,
		readonly problem: string,
	) {
		super(`${file} ${problem}`);
		this.name = 'UnsafeFileError';
	}
}

const currentUid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined);

function kindOf(stats: Stats): string {
	if (stats.isSymbolicLink()) return 'a symbolic link';
	if (stats.isDirectory()) return 'a directory';
	if (stats.isFIFO()) return 'a named pipe (FIFO)';
	if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
	if (stats.isSocket()) return 'a socket';
	return 'not a regular file';
}

/** Why these stats make a file or directory untrustworthy as this user's state, or undefined. */
export function ownershipProblem(stats: Stats): string | undefined {
	const uid = currentUid();
	if (uid !== undefined && stats.uid !== uid) {
		return `belongs to another user (uid ${stats.uid})`;
	}

	if (process.platform !== 'win32' && (stats.mode & 0o022) !== 0) {
		return `can be written by ${(stats.mode & 0o002) === 0 ? 'its group' : 'other users'} (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`;
	}

	return undefined;
}

export type ReadOptions = {
	maxBytes: number;
	/** Refuse symbolic links (state files); flow files may be links to regular files. */
	noFollow?: boolean;
	/** Refuse files of another user or writable by group or others. */
	owned?: boolean;
};

/** Reads a regular file as UTF-8, or throws UnsafeFileError saying what it is instead. */
export function readRegularFile(file: string, options: ReadOptions): string {
	// O_NONBLOCK: opening a FIFO must not wait for a writer.
	const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
	let descriptor: number;
	try {
		descriptor = openSync(file, flags);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ELOOP' || code === 'EMLINK') {
			throw new UnsafeFileError(file, 'is a symbolic link');
		}

		throw error;
	}

	try {
		const stats = fstatSync(descriptor);
		if (!stats.isFile()) {
			throw new UnsafeFileError(file, `is ${kindOf(stats)}, not a regular file`);
		}

		const problem = options.owned ? ownershipProblem(stats) : undefined;
		if (problem) {
			throw new UnsafeFileError(file, problem);
		}

		if (stats.size > options.maxBytes) {
			throw new UnsafeFileError(file, `is too large (${formatBytes(stats.size)}; at most ${formatBytes(options.maxBytes)} is read)`);
		}

		const buffer = Buffer.alloc(options.maxBytes + 1);
		let length = 0;
		for (;;) {
			const read = readSync(descriptor, buffer, length, buffer.length - length, null);
			if (read === 0) break;
			length += read;
			if (length > options.maxBytes) {
				throw new UnsafeFileError(file, `is too large (more than ${formatBytes(options.maxBytes)})`);
			}
		}

		return buffer.subarray(0, length).toString('utf8');
	} finally {
		closeSync(descriptor);
	}
}

export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${bytes} bytes`;
}

/** Fails with a clear sentence unless `directory` is a directory this user owns and only it can write. */
export function assertPrivateDirectory(directory: string): void {
	let stats: Stats;
	try {
		stats = lstatSync(directory);
	} catch (error) {
		throw stateDirectoryError(directory, error);
	}

	const where = printable(directory);
	if (!stats.isDirectory()) {
		throw new UsageError(`The state directory ${where} is ${kindOf(stats)}, not a directory.`, {
			hint: stats.isSymbolicLink() ? `Replace the link with a real directory (mkdir -m 700), or point SSO_SETUP_HOME at one.` : `Move it away, or point SSO_SETUP_HOME at a directory.`,
		});
	}

	const problem = ownershipProblem(stats);
	if (problem) {
		throw new UsageError(`The state directory ${where} ${problem}; sso-setup does not trust sessions kept there.`, {
			hint: problem.startsWith('belongs') ? `Use a directory of your own: set SSO_SETUP_HOME, or remove ${where} so that sso-setup creates it.` : `Make it private with: chmod 700 ${where}`,
		});
	}
}

/** Creates the directory (0700) when missing, then checks it is private. */
export function ensurePrivateDirectory(directory: string): void {
	try {
		mkdirSync(directory, {recursive: true, mode: 0o700});
	} catch (error) {
		throw stateDirectoryError(directory, error);
	}

	assertPrivateDirectory(directory);
}

export function stateDirectoryError(directory: string, error: unknown): UsageError {
	const code = (error as NodeJS.ErrnoException).code ?? 'error';
	const where = printable(directory);
	if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
		return new UsageError(`The state directory ${where} cannot be written (${code}).`, {hint: 'Make it writable for you, or set SSO_SETUP_HOME to a directory you own.'});
	}

	if (code === 'ENOTDIR' || code === 'EEXIST') {
		return new UsageError(`The state directory ${where} cannot be created: a file is in the way (${code}).`, {hint: 'Move the file away, or set SSO_SETUP_HOME to a directory.'});
	}

	return new UsageError(`The state directory ${where} cannot be used (${code}).`, {hint: 'Set SSO_SETUP_HOME to a directory you own.'});
}

/**
 * Replaces `file` atomically: a temporary file with an unpredictable name in the same directory,
 * created exclusively (O_EXCL, never through a planted link) with `mode`, synced, then renamed.
 */
export function writeFileExclusive(file: string, text: string, mode = 0o600): void {
	const directory = path.dirname(file);
	const temporary = path.join(directory, `.${path.basename(file)}.${randomBytes(12).toString('hex')}.tmp`);
	const descriptor = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), mode);
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
