import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {loadFlows} from '../../source/commands/inputs.js';
import {memoryStore, type SecretStore} from '../../source/secrets/keychain.js';
import {App} from '../../source/ui/App.js';
import {type WizardDependencies, WizardController} from '../../source/wizard/controller.js';
import {keys, press, waitForText} from './ink.js';

/** The whole Ink app of the wizard, as the UI tests drive it (test/ui/). */

export const shippedFlows = await loadFlows([]);

export type WizardApp = {controller: WizardController; screen: ReturnType<typeof render>; env: Record<string, string>; home: string; store: SecretStore};

/**
 * The shipped flows, a fresh home, and a keychain kept in memory (or none, with `keychain: false`),
 * rendered but not started: each test starts the controller as its case needs.
 */
export function renderWizard(options: Omit<Partial<WizardDependencies>, 'catalogue' | 'openKeychain' | 'env'> & {keychain?: boolean; home?: string; env?: Record<string, string>} = {}): WizardApp {
	const {keychain, home: given, env: extra, ...dependencies} = options;
	const home = given ?? mkdtempSync(path.join(tmpdir(), 'sso-setup-ui-'));
	const env = {SSO_SETUP_HOME: home, ...extra};
	const store = memoryStore();
	const controller = new WizardController({
		catalogue: shippedFlows,
		env,
		openKeychain: async () => (keychain === false ? {ok: false, reason: 'no D-Bus session is running'} : {ok: true, store}),
		...dependencies,
	});
	const screen = render(<App controller={controller} />);
	return {controller, screen, env, home, store};
}

/** From the welcome screen to the first field: a new setup, the IdP and the app picked by how far down their lists they are. */
export async function startNewSetup(screen: WizardApp['screen'], picks: {idp?: number; app?: number} = {}): Promise<void> {
	const down = (count = 0) => Array.from({length: count}, () => keys.down);
	await waitForText(screen, 'Start a new setup');
	await press(screen, keys.enter);
	await waitForText(screen, 'Which identity provider?');
	await press(screen, ...down(picks.idp), keys.enter);
	await waitForText(screen, 'Which app?');
	await press(screen, ...down(picks.app), keys.enter);
}
