import writeFileAtomic from 'write-file-atomic';
import {UsageError} from '../core/errors.js';

/** Atomic, so an interrupted write never leaves half a checklist. */
export function writeChecklistFile(file: string, text: string): void {
	try {
		writeFileAtomic.sync(file, text, {mode: 0o644});
	} catch (error) {
		throw new UsageError(`Cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {hint: 'Choose a writable path.'});
	}
}

