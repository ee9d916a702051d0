import {ExitCode} from '../core/errors.js';
import {colorEnabled} from '../core/style.js';
import type {ParsedCommand} from './parse.js';

export async function runCommand(parsed: ParsedCommand): Promise<number> {
	switch (parsed.command) {
		case 'wizard':
		case 'resume': {
			if (parsed.options['no-color'] || !colorEnabled(process.stdout)) {
				// Ink and its dependencies read this before they are imported. (Only here: for the other
				// commands, opening stdout this early would come before verify's first requests.)
				process.env['FORCE_COLOR'] = '0';
			}

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

		case 'apply': {
			const {applyCommand} = await import('./apply.js');
			return applyCommand(parsed);
		}

		case 'verify': {
			const {verifyCommand} = await import('./verify.js');
			return verifyCommand(parsed);
		}

		case 'rollback': {
			const {rollbackCommand} = await import('./rollback.js');
			return rollbackCommand(parsed);
		}
	}

	return ExitCode.usage;
}
