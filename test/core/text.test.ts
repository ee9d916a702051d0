import {describe, expect, it} from 'vitest';
import {printable} from '../../source/core/text.js';

describe('printable', () => {
	it('escapes control characters and line separators, and leaves other text alone', () => {
		expect(printable('a\nb\u001B[31mc\u0085d\u2028e')).toBe(String.raw`a\u000ab\u001b[31mc\u0085d\u2028e`);
		expect(printable('clé: "harbor" ✓')).toBe('clé: "harbor" ✓');
	});
});
