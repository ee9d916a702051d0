import {describe, expect, it} from 'vitest';
import {applyTyped} from '../../source/ui/components/TextField.js';

/** Keys that reach Ink in one chunk (a loaded machine, SSH, paste) are applied one by one. */
describe('applyTyped', () => {
	it('applies every backspace of a chunk', () => {
		expect(applyTyped('harbor.example.com', 18, '\u007F'.repeat(30))).toEqual({text: '', cursor: 0, submitted: false});
	});

	it('keeps the order of letters and backspaces', () => {
		expect(applyTyped('ab', 2, 'c\u007Fde\u007F')).toEqual({text: 'abd', cursor: 3, submitted: false});
	});

	it('inserts at the cursor and ends at Enter', () => {
		expect(applyTyped('ad', 1, 'bc\rxyz')).toEqual({text: 'abcd', cursor: 3, submitted: true});
	});

	it('drops other control characters', () => {
		expect(applyTyped('', 0, 'a\u0007b\u001Fc')).toEqual({text: 'abc', cursor: 3, submitted: false});
	});
});
