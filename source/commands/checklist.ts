
import path from 'node:path';
import {buildChecklist} from '../checklist/build.js';
import {checklistFormats, type ChecklistFormat, formatChecklist} from '../checklist/format.js';
import {writeChecklistFile} from '../checklist/write.js';
import {ExitCode, UsageError} from '../core/errors.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, resolvePairInput} from './inputs.js';

export async function checklistCommand(parsed: ParsedCommand): Promise<number> {
	const format = (parsed.options['format'] as string | undefined) ?? 'markdown';
	if (!(checklistFormats as readonly string[]).includes(format)) {
		throw new UsageError(`Unknown format "${format}".`, {hint: `Use one of: ${checklistFormats.join(', ')}.`});
	}

	const catalogue = await loadFlows(parsed.flows);
	const {pair, answers, session} = resolvePairInput(parsed, catalogue);
	const text = formatChecklist(buildChecklist(pair, answers, new Set(session?.secrets ?? [])), format as ChecklistFormat);
	const output = parsed.options['output'] as string | undefined;
	if (output) {
		writeChecklistFile(output, text);
		process.stderr.write(`Checklist written to ${path.resolve(output)}\n`);
	} else {
		process.stdout.write(text);
	}

	return ExitCode.ok;
}
