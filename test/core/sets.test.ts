import {describe, expect, it} from 'vitest';
import {sameSet} from '../../source/core/sets.js';

describe('sameSet', () => {
	it('compares the items in any order', () => {
		expect(sameSet(['alice', 'bob'], ['bob', 'alice'])).toBe(true);
		expect(sameSet([], [])).toBe(true);
		expect(sameSet(['alice'], ['alice', 'bob'])).toBe(false);
		expect(sameSet(['alice', 'carol'], ['alice', 'bob'])).toBe(false);
	});
});
