import {writeOutputFile} from '../core/output-file.js';

/** Atomic for a regular file, so an interrupted write never leaves half a checklist; devices are written straight. */
export function writeChecklistFile(file: string, text: string): void {
	writeOutputFile(file, text, 'the checklist');
}
