import {describeError} from '../core/errors.js';
import {colorEnabled, createStyle} from '../core/style.js';
import {printableText} from '../core/text.js';
import {redactHandled} from '../secrets/redact.js';

/** Writes the error as one sentence and its hint to stderr; returns the exit code it stands for. */
export function reportError(error: unknown): number {
	const described = describeError(error);
	// Messages quote server answers and files: control characters escaped, line breaks and tabs kept.
	const message = printableText(redactHandled(described.message));
	const hint = described.hint === undefined ? undefined : printableText(redactHandled(described.hint));
	const {exitCode} = described;
	const style = createStyle(colorEnabled(process.stderr));
	process.stderr.write(`${style.red('✖')} ${message}\n${hint ? `  ${style.dim(hint)}\n` : ''}`);
	return exitCode;
}
