import type {SessionHandle} from '../core/session/integration-context.js';
import {commandLine} from '../core/command-line.js';
import {describeError, UsageError} from '../core/errors.js';
import type {Field} from '../core/flows/schema.js';
import {WizardController} from '../wizard/controller.js';
import {type AutomationStage, hasAdminCredential, hasAppCredential, type SessionView} from '../wizard/machine.js';
import {loadAppIntegration, loadIdpIntegration, loadPairIntegrations} from '../integrations/registry.js';
import type {FieldOption} from '../integrations/types.js';
import {openKeychain} from '../secrets/keychain.js';
import type {SessionSecrets} from '../secrets/secrets.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows} from './inputs.js';

export async function wizardCommand(parsed: ParsedCommand): Promise<number> {
	if (!process.stdin.isTTY || !process.stdout.isTTY) {
		throw new UsageError(`The wizard needs an interactive terminal, but ${process.stdin.isTTY ? 'standard output' : 'standard input'} is not one.`, {
			hint: `In scripts, use "${commandLine('checklist --idp I --app A --set key=value …')}" for the manual steps or "${commandLine('apply … --yes')}" to apply them. See: ${commandLine('--help')}`,
		});
	}

	// Ink takes longest to load: it starts first, and the flows are read meanwhile. What the steps
	// after the welcome screen need loads when they start.
	const ui = import('../ui/render.js');
	const catalogue = await loadFlows(parsed.flows);
	const {runWizard} = await ui;
	// The keychain check (a native module, then D-Bus) starts once the first frame is out: the welcome
	// screen needs no keychain, and the screens after it wait for the answer. runWizard renders that
	// frame before it returns to the event loop.
	const keychain = new Promise<void>((resolve) => setImmediate(resolve)).then(openKeychain);
	const controller = new WizardController({catalogue, openKeychain: async () => keychain, automationStages, fieldOptions, enrichAnswers, loadIdpIntegration, loadAppIntegration, finishSignInCleanup});
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

/** Lists from the app's automation (OVH projects and registries), read with the answers so far. */
export async function fieldOptions(view: SessionView, field: Field, secrets: SessionSecrets): Promise<FieldOption[] | undefined> {
	const app = view.pair.app.automation ? await loadAppIntegration(view.pair.app.automation) : undefined;
	if (!app?.options || !field.options_from) {
		return undefined;
	}

	const session = view.session;
	const readOnly = {current: () => session, update: () => {}};
	const {buildContext} = await import('../core/session/integration-context.js');
	return app.options(field.options_from, buildContext(view.pair, readOnly, secrets));
}

/** Values the IdP adds before registration (a generic provider's endpoints), so the checklist shows real URLs. */
export async function enrichAnswers(view: SessionView, secrets: SessionSecrets): Promise<{answers?: Record<string, string>; notice?: string}> {
	const {idp} = await loadPairIntegrations(view.pair);
	if (!idp?.enrichAnswers) {
		return {};
	}

	const session = view.session;
	const {buildContext} = await import('../core/session/integration-context.js');
	const context = buildContext(view.pair, {current: () => session, update: () => {}}, secrets);
	try {
		const answers = await idp.enrichAnswers(context);
		return answers ? {answers} : {};
	} catch (error) {
		return {notice: `The discovery document could not be read (${describeError(error).message}); endpoints stay placeholders.`};
	}
}

/** A resumed session's pending sign-in clean-up, finished before anything else; what it did, in one notice. */
export async function finishSignInCleanup(view: SessionView, handle: SessionHandle, secrets: SessionSecrets): Promise<string | undefined> {
	const [{buildContext}, {finishPendingCleanup}, {cleanupLines}] = await Promise.all([import('../core/session/integration-context.js'), import('../sign-in/cleanup.js'), import('../sign-in/format.js')]);
	const finished = await finishPendingCleanup(buildContext(view.pair, handle, secrets), await loadPairIntegrations(view.pair));
	if (!finished) {
		return undefined;
	}

	const lines = cleanupLines(finished.report, {color: false, retry: commandLine(`verify --session ${view.session.id}`)});
	return `Sign-in clean-up left by an earlier run: ${lines.map((line) => line.trim()).join(' ')}`;
}
