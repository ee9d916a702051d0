import {existsSync, statSync, writeFileSync, writeSync} from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import {UsageError} from './errors.js';
import {printable} from './text.js';

/**
 * Writes a user-chosen output file (`-o FILE`). A regular file (or a new one) is replaced
 * atomically, so an interrupted write never leaves half of it; anything else (a device such as
 * /dev/null, /dev/stdout, a pipe) is written straight: replacing it with a regular file would
 * destroy it.
 */
export function writeOutputFile(file: string, text: string, what = 'the output'): void {
	try {
		const descriptor = standardDescriptor(file);
		if (descriptor !== undefined) {
			writeSync(descriptor, text);
		} else if (isSpecialFile(file)) {
			writeFileSync(file, text);
		} else {
			writeFileAtomic.sync(file, text, {mode: 0o644});
		}
	} catch (error) {
		throw new UsageError(`Cannot write ${what} to ${printable(path.resolve(file))}: ${failureReason(file, error)}.`, {
			hint: 'Choose a file in a folder that exists and that you can write to (-o FILE), or leave -o out to print it.',
		});
	}
}

function failureReason(file: string, error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	const directory = path.dirname(path.resolve(file));
	if (code === 'ENOENT' && !existsSync(directory)) return `the folder ${printable(directory)} does not exist`;
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'EISDIR') return 'it is a folder';
	return code ?? String(error);
}

function isSpecialFile(file: string): boolean {
	try {
		return !statSync(file).isFile();
	} catch {
		return false;
	}
}

/** /dev/stdout and friends name a descriptor this process already has; reopening a socket fails (ENXIO). */
function standardDescriptor(file: string): number | undefined {
	const match = /^\/(?:dev\/(stdout|stderr|fd\/(\d+))|proc\/self\/fd\/(\d+))$/.exec(path.resolve(file));
	if (!match) {
		return undefined;
	}

	return match[1] === 'stdout' ? 1 : match[1] === 'stderr' ? 2 : Number(match[2] ?? match[3]);
}
