import {describe, expect, it} from 'vitest';
import {splitScopes} from '../../source/core/scopes.js';

describe('splitScopes', () => {
	it('splits on commas and white space, dropping empty entries and duplicates', () => {
		expect(splitScopes(' openid, profile\temail,,openid ')).toEqual(['openid', 'profile', 'email']);
		expect(splitScopes('')).toEqual([]);
	});

	it('splits only on the separator it is given, as the app reads the list', () => {
		expect(splitScopes('openid, profile email', ',')).toEqual(['openid', 'profile email']);
		expect(splitScopes('openid,profile email', ' ')).toEqual(['openid,profile', 'email']);
	});

	it('splits on both when the separator is empty', () => {
		expect(splitScopes('openid,profile email', '')).toEqual(['openid', 'profile', 'email']);
	});
});
