import {UsageError} from '../core/errors.js';
import {WizardController} from '../core/session/controller.js';
import {type AutomationStage, hasAdminCredential, hasAppCredential, type SessionView} from '../core/session/machine.js';
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
	const controller = new WizardController({catalogue, openKeychain, automationStages});
	const {runWizard} = await import('../ui/render.js');
	return runWizard(controller, {resume: parsed.command === 'resume', sessionId: parsed.positionals[0]});
}

/** Registration when an IdP admin credential was given, apply when the app's was, then verification. */
export function automationStages(view: SessionView): AutomationStage[] {
	const stages: AutomationStage[] = [];
	if (hasAdminCredential(view)) {
		stages.push('register');
	}

	if (hasAppCredential(view)) {
		stages.push('apply');
	}

	return stages.length > 0 ? [...stages, 'verify'] : stages;
}
