import {describe, expect, it} from 'vitest';
import {atLeast, formatVersion, parseVersion} from '../../source/core/versions.js';

describe('parseVersion', () => {
	it('reads the release numbers and ignores suffixes', () => {
		expect(parseVersion('v2.13.1-8e5c2f1a')).toEqual([2, 13, 1]);
		expect(parseVersion(' 2024.10.3 ')).toEqual([2024, 10, 3]);
		expect(parseVersion('26.0')).toEqual([26, 0, 0]);
	});

	it('gives undefined when there is no version', () => {
		expect(parseVersion(undefined)).toBeUndefined();
		expect(parseVersion(null)).toBeUndefined();
		expect(parseVersion('')).toBeUndefined();
		expect(parseVersion('dev')).toBeUndefined();
	});
});

describe('atLeast', () => {
	it('compares numerically, part by part', () => {
		expect(atLeast([2, 10, 0], [2, 9, 5])).toBe(true);
		expect(atLeast([2, 13, 0], [2, 13, 0])).toBe(true);
		expect(atLeast([2, 12, 9], [2, 13, 0])).toBe(false);
		expect(atLeast([2024, 8, 5], [2024, 10, 0])).toBe(false);
		expect(formatVersion([2, 13, 1])).toBe('2.13.1');
	});
});
