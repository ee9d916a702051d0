import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {lazySegmenterClass} from '../../scripts/string-width/lazy-segmenter.js';
import {lazyStringWidth} from '../../scripts/string-width/lazy-width.js';
import {candidateRanges, standingAloneRuns, widthRunsOf} from '../../scripts/string-width/table.mjs';

/**
 * The bundle measures text with a table of string-width's own answers (scripts/string-width/) and
 * loads string-width only for text the table cannot measure, and segments simple text without ICU:
 * every answer must be string-width's, every segment Intl.Segmenter's.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
type StringWidth = (text: string, options?: object) => number;

/** Every installed copy of string-width (Ink's and wrap-ansi's differ), as the build finds them. */
function installedCopies(): string[] {
	const nodeModules = path.join(root, 'node_modules');
	const packages = readdirSync(nodeModules).flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(nodeModules, name)).map((scoped) => path.join(nodeModules, name, scoped)) : [path.join(nodeModules, name)]));
	return [path.join(nodeModules, 'string-width'), ...packages.map((folder) => path.join(folder, 'node_modules', 'string-width'))].filter((folder) => existsSync(path.join(folder, 'index.js'))).map((folder) => path.join(folder, 'index.js'));
}

async function pair(modulePath: string): Promise<{real: StringWidth; lazy: StringWidth; loads: () => number}> {
	const {default: real} = (await import(pathToFileURL(modulePath).href)) as {default: StringWidth};
	const stripAnsiPath = path.join(path.dirname(modulePath), 'node_modules', 'strip-ansi', 'index.js');
	const {default: stripAnsi} = (await import(pathToFileURL(existsSync(stripAnsiPath) ? stripAnsiPath : path.join(root, 'node_modules', 'strip-ansi', 'index.js')).href)) as {default: (text: string) => string};
	let loaded = 0;
	const runs = (await widthRunsOf(modulePath)).flat();
	const lazy = lazyStringWidth(runs, stripAnsi, () => {
		loaded++;
		return real;
	});
	return {real, lazy, loads: () => loaded};
}

const copies = installedCopies();

/** Pieces of text that stand alone, that join, that are controls or escapes, or that need ICU. */
const pieces = [
	'a', ' ', '~', '·', '→', '❯', '─', '╭', '…', '✔', '✖', '⚠', '©', '™', 'é', 'Ж', 'ω', '【', 'ア', 'Ａ', '中',
	'\u0301', '\u200d', '\ufe0f', '\u200b', '\u00ad', '\t', '\n', '\r', '\u0007', '\u001b', '\u009b',
	'\u001b[31m', '\u001b[39m', '\u001b]8;;https://example.com\u0007', '\u001b[1;2', '👍', '🏽', '🇫', '🇷', '1\u20e3',
	'\u1100', '\u1161', '\u11a8', '가', '\u0e33', '\ud800', '\udc00', '\u0600', '\r\n',
];

describe('string-width without string-width (the bundle\'s lazy-width)', () => {
	it('finds the copies Ink uses', () => {
		expect(copies.length).toBeGreaterThanOrEqual(2);
	});

	it.each(copies.map((copy) => [path.relative(root, copy)]))('%s: every candidate character, alone and between letters', async (copy) => {
		const {real, lazy} = await pair(path.join(root, copy));
		const wrong: string[] = [];
		for (const [first, last] of candidateRanges) {
			for (let code = first; code <= last; code++) {
				const character = String.fromCodePoint(code);
				for (const text of [character, `a${character}b`, `${character}${character}`]) {
					if (lazy(text) !== real(text)) wrong.push(`U+${code.toString(16)} in ${JSON.stringify(text)}: ${lazy(text)} ≠ ${real(text)}`);
				}
			}
		}

		expect(wrong.slice(0, 10)).toEqual([]);
	});

	it.each(copies.map((copy) => [path.relative(root, copy)]))('%s: any mix of table characters, escapes, marks, emoji, controls and options', async (copy) => {
		const {real, lazy} = await pair(path.join(root, copy));
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...pieces), {maxLength: 12}), fc.constantFrom(undefined, {}, {ambiguousIsNarrow: false}, {countAnsiEscapeCodes: true}), (parts, options) => {
				const text = parts.join('');
				expect(lazy(text, options)).toBe(real(text, options));
			}),
			{numRuns: 3000},
		);
	});

	it('loads string-width only for text the table cannot measure', async () => {
		const {lazy, loads} = await pair(copies[0]!);
		lazy('Enter: choose · Ctrl+C: quit');
		lazy('\u001b[36m╭─ sso-setup ─╮\u001b[39m ❯ Start');
		expect(loads()).toBe(0);
		lazy('👍');
		lazy('e\u0301');
		expect(loads()).toBe(1);
	});
});

describe('Intl.Segmenter without ICU for simple text (the bundle\'s lazy-segmenter)', () => {
	const LazySegmenter = lazySegmenterClass(standingAloneRuns().flat());
	const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
	const same = (text: string) => {
		const lazy = new LazySegmenter(undefined, {granularity: 'grapheme'}).segment(text);
		const real = graphemes.segment(text);
		expect([...lazy]).toEqual([...real]);
		for (const position of [-1, 0, 1, text.length - 1, text.length, Number.NaN, 0.7, ...Array.from(text, (_, index) => index)]) {
			expect(lazy.containing(position)).toEqual(real.containing(position));
		}
	};

	it('gives every candidate character the segments ICU gives it, alone and between other text', () => {
		for (const [first, last] of candidateRanges) {
			for (let code = first; code <= last; code++) {
				const character = String.fromCodePoint(code);
				for (const text of [character, `a${character}b`, `\u001b[1m${character}${character}\r\n`]) same(text);
			}
		}
	});

	it('gives any mix of simple characters, controls, escapes, marks and emoji the segments ICU gives it', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...pieces), {maxLength: 12}), (parts) => same(parts.join(''))),
			{numRuns: 3000},
		);
	});

	it('leaves other granularities, and their errors, to Intl.Segmenter', () => {
		const words = new LazySegmenter('en', {granularity: 'word'});
		expect([...words.segment('two words')].map((part) => part.segment)).toEqual(['two', ' ', 'words']);
		expect(() => new LazySegmenter('en', {granularity: 'letters' as 'word'})).toThrow(RangeError);
		expect(new LazySegmenter().resolvedOptions().granularity).toBe('grapheme');
	});
});
