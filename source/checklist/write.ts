import {existsSync} from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import {UsageError} from '../core/errors.js';

/** Atomic, so an interrupted write never leaves half a checklist. */
export function writeChecklistFile(file: string, text: string): void {
	try {
		writeFileAtomic.sync(file, text, {mode: 0o644});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const directory = path.dirname(path.resolve(file));
		const reason = code === 'ENOENT' && !existsSync(directory) ? `the folder ${directory} does not exist` : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(error));
		throw new UsageError(`Cannot write the checklist to ${path.resolve(file)}: ${reason}.`, {hint: 'Choose a file in a folder that exists and that you can write to (-o FILE), or leave -o out to print the checklist.'});
	}
}
