
import path from 'node:path';
import {buildChecklist} from '../checklist/build.js';
import {checklistFormats, type ChecklistFormat, formatChecklist} from '../checklist/format.js';
import {ExitCode, UsageError} from '../core/errors.js';
import {writeOutputFile} from '../core/output-file.js';
import {printable} from '../core/text.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, resolvePairInput} from './inputs.js';

export async function checklistCommand(parsed: ParsedCommand): Promise<number> {
	const format = (parsed.options['format'] as string | undefined) ?? 'markdown';
	if (!(checklistFormats as readonly string[]).includes(format)) {
		throw new UsageError(`Unknown format "${format}".`, {hint: `Use one of: ${checklistFormats.join(', ')}.`});
	}

	const catalogue = loadFlows(parsed.flows);
	const {pair, answers, session} = resolvePairInput(parsed, catalogue);
	const text = formatChecklist(buildChecklist(pair, answers, new Set(session?.secrets ?? [])), format as ChecklistFormat);
	const output = parsed.options['output'] as string | undefined;
	if (output) {
		writeChecklistFile(output, text);
		process.stderr.write(`Checklist written to ${printable(path.resolve(output))}\n`);
	} else {
		process.stdout.write(text);
	}

	return ExitCode.ok;
}

export function writeChecklistFile(file: string, text: string): void {
	writeOutputFile(file, text, 'the checklist');
}
