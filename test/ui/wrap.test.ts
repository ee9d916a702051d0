import {describe, expect, it} from 'vitest';
import {wrapToWidth} from '../../source/ui/layout/wrap.js';

/** The Review wraps values instead of cutting them (issue 11, item 10). */
describe('wrapToWidth', () => {
	it('keeps every character, wraps at spaces, and no line passes the width', () => {
		const text = 'OIDC scopes (comma-separated for Harbor): openid,profile,email,offline_access,groups,roles,phone,address';
		const lines = wrapToWidth(text, 40, '  ');
		expect(lines.every((line) => line.length <= 40)).toBe(true);
		expect(lines.join('').replaceAll(/\s+/g, '')).toBe(text.replaceAll(/\s+/g, ''));
		// A list without spaces breaks after a comma.
		expect(lines.slice(0, -1).some((line) => line.endsWith(','))).toBe(true);
	});

	it('a URL longer than the line breaks after a slash, continuation lines indented', () => {
		const lines = wrapToWidth('Redirect URI: https://registry.example.com/a/very/long/path/to/the/oidc/callback', 30, '  ');
		expect(lines.every((line) => line.length <= 30)).toBe(true);
		expect(lines.slice(1).every((line) => line.startsWith('  '))).toBe(true);
		expect(lines.join('').replaceAll(/\s+/g, '')).toBe('RedirectURI:https://registry.example.com/a/very/long/path/to/the/oidc/callback');
	});

	it('short text stays one line', () => {
		expect(wrapToWidth('Harbor URL: https://harbor.example.com', 80)).toEqual(['Harbor URL: https://harbor.example.com']);
	});
});

describe('wrapSegments', () => {
	it('keeps each piece\'s style across the breaks', async () => {
		const {wrapSegments} = await import('../../source/ui/layout/wrap.js');
		const lines = wrapSegments([{text: 'Redirect URI: ', dim: true}, {text: 'https://registry.example.com/c/oidc/callback', color: 'cyan'}], 30, '  ');
		expect(lines[0]?.[0]).toEqual({text: 'Redirect URI:', dim: true});
		expect(lines.flat().filter((segment) => segment.text.trim() !== '' && !segment.dim).every((segment) => segment.color === 'cyan')).toBe(true);
		const texts = lines.map((line) => line.map((segment) => segment.text).join(''));
		expect(texts.every((text) => text.length <= 30)).toBe(true);
		expect(texts.join('').replaceAll(/\s+/g, '')).toBe('RedirectURI:https://registry.example.com/c/oidc/callback');
	});
});
