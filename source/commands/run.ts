import {ExitCode, UsageError} from '../core/errors.js';
import type {ParsedCommand} from '../cli.js';

export async function runCommand(parsed: ParsedCommand): Promise<number> {
	switch (parsed.command) {
		case 'wizard':
		case 'resume': {
			const {wizardCommand} = await import('./wizard.js');
			return wizardCommand(parsed);
		}

		case 'sessions': {
			const {sessionsCommand} = await import('./sessions.js');
			return sessionsCommand(parsed);
		}

		case 'checklist': {
			const {checklistCommand} = await import('./checklist.js');
			return checklistCommand(parsed);
		}

		case 'apply':
		case 'verify':
		case 'rollback': {
			throw new UsageError(`${parsed.command} is not available in this build yet.`);
		}
	}

	return ExitCode.usage;
}
