import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {loadFlows} from '../../source/commands/inputs.js';
import {WizardController} from '../../source/wizard/controller.js';
import {visibleFields} from '../../source/wizard/machine.js';
import {memoryStore} from '../../source/secrets/keychain.js';
import {App} from '../../source/ui/App.js';
import {keys, press, waitForText} from '../helpers/ink.js';

const shippedFlows = await loadFlows([]);

/** Under load a second Enter can reach a field screen already left: it must not answer the next field. */
describe('an answer meant for a field already left', () => {
	it('is ignored; the field on screen keeps its own answer', async () => {
		const controller = new WizardController({
			catalogue: shippedFlows,
			env: {SSO_SETUP_HOME: mkdtempSync(path.join(tmpdir(), 'sso-setup-stale-'))},
			openKeychain: async () => ({ok: true, store: memoryStore()}),
		});
		const screen = render(<App controller={controller} />);
		void controller.start();
		await waitForText(screen, 'Start a new setup');
		await press(screen, keys.enter);
		await waitForText(screen, 'Which identity provider?');
		await press(screen, keys.enter);
		await waitForText(screen, 'Which app?');
		await press(screen, keys.enter);
		await waitForText(screen, 'question 1 of');
		const before = controller.state.screen;
		expect(before).toMatchObject({name: 'fields', index: 0});

		// The previous screen's value, sent for another field: nothing is answered, nothing moves.
		expect(await controller.submitField('true', {}, 'auto_create_users')).toBeUndefined();
		expect(controller.state.screen).toEqual(before);
		expect(Object.keys(controller.state.view?.session.answers ?? {})).not.toContain('app_url');

		// The same answer for the field on screen is taken.
		const field = before.name === 'fields' && controller.state.view ? visibleFields(controller.state.view)[before.index] : undefined;
		expect(field).toBeDefined();
		await controller.submitField('https://app.example.com', {}, field!.key);
		expect(controller.state.screen).toMatchObject({name: 'fields', index: 1});
		screen.unmount();
	});
});
