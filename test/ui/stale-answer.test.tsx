import {describe, expect, it} from 'vitest';
import {visibleFields} from '../../source/wizard/machine.js';
import {waitForText} from '../helpers/ink.js';
import {renderWizard, startNewSetup} from '../helpers/wizard-app.js';

/** Under load a second Enter can reach a field screen already left: it must not answer the next field. */
describe('an answer meant for a field already left', () => {
	it('is ignored; the field on screen keeps its own answer', async () => {
		const {controller, screen} = renderWizard();
		void controller.start();
		await startNewSetup(screen);
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
