import {describeError} from '../core/errors.js';
import {colorEnabled, createStyle} from '../core/style.js';
import {printable} from '../core/text.js';
import {redactHandled} from '../secrets/redact.js';

function lineByLine(text: string): string {
	return text.split('\n').map((line) => printable(line)).join('\n');
}

/** Writes the error as one sentence and its hint to stderr; returns the exit code it stands for. */
export function reportError(error: unknown): number {
	const described = describeError(error);
	// Messages quote server answers and files: each line made printable, the line breaks kept.
	const message = lineByLine(redactHandled(described.message));
	const hint = described.hint === undefined ? undefined : lineByLine(redactHandled(described.hint));
	const {exitCode} = described;
	const style = createStyle(colorEnabled(process.stderr));
	process.stderr.write(`${style.red('✖')} ${message}\n${hint ? `  ${style.dim(hint)}\n` : ''}`);
	return exitCode;
}
