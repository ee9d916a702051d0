import {UsageError} from '../core/errors.js';
import {WizardController} from '../core/session/controller.js';
import {openKeychain} from '../secrets/keychain.js';
import type {ParsedCommand} from '../cli.js';
import {loadFlows} from './inputs.js';

export async function wizardCommand(parsed: ParsedCommand): Promise<number> {
	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		throw new UsageError(`The wizard needs an interactive terminal, but ${process.stdin.isTTY ? 'standard output' : 'standard input'} is not one.`, {
			hint: 'In scripts, use "sso-setup checklist --idp I --app A --set key=value …" for the manual steps or "sso-setup apply … --yes" to apply them. See: sso-setup --help',
		});
	}

	const catalogue = loadFlows(parsed.flows);
	const controller = new WizardController({catalogue, openKeychain});
	const {runWizard} = await import('../ui/render.js');
	return runWizard(controller, {resume: parsed.command === 'resume', sessionId: parsed.positionals[0]});
}
