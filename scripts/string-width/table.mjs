// Build step: which characters string-width measures one by one, and how wide each is, taken from
// the installed string-width itself. See lazy-width.js for how the bundle uses the table.
import {pathToFileURL} from 'node:url';

/**
 * The code points looked at: Latin, Greek, Cyrillic, punctuation, symbols, arrows, box drawing,
 * dingbats, CJK punctuation, kana and fullwidth forms: what a terminal interface shows. All in
 * the Basic Multilingual Plane, so that one UTF-16 unit is one code point. (Other text is measured
 * by string-width itself.)
 */
export const candidateRanges = [
	[0xa0, 0x52f],
	[0x2000, 0x2bff],
	[0x3000, 0x30ff],
	[0xff01, 0xff60],
];

// A letter, number, punctuation, symbol or space: no control, format, mark, separator of lines or
// paragraphs, surrogate, private-use or unassigned code point.
const plainCategory = /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}]$/u;
// Characters that join their neighbours by rules a single neighbour does not show: Hangul
// syllables and jamo (L V T), flags (pairs of regional indicators).
const joinsOddly = /^[\p{Script=Hangul}\p{Regional_Indicator}]$/u;
const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});
const count = (text) => [...graphemes.segment(text)].length;

/**
 * A character that stands alone: with a letter on each side, or doubled, it is its own grapheme
 * cluster (so it is neither an extending mark, a spacing mark nor a prepended one). A string made
 * of such characters and printable ASCII breaks between every two code points (UAX #29, GB999),
 * so its width is the sum of theirs.
 */
export function standsAlone(character) {
	return plainCategory.test(character) && !joinsOddly.test(character) && count(`a${character}a`) === 3 && count(`${character}${character}`) === 2;
}

/** [start, end] runs, sorted, of the code points that stand alone. */
export function standingAloneRuns() {
	const runs = [];
	for (const [first, last] of candidateRanges) {
		for (let code = first; code <= last; code++) {
			if (!standsAlone(String.fromCodePoint(code))) continue;
			const run = runs.at(-1);
			if (run && run[1] === code - 1) {
				run[1] = code;
			} else {
				runs.push([code, code]);
			}
		}
	}

	return runs;
}

/**
 * [start, end, width] runs, sorted, of the code points that stand alone, with the width the given
 * string-width gives each (its default options).
 */
export function widthRuns(stringWidth) {
	const runs = [];
	for (const [first, last] of candidateRanges) {
		for (let code = first; code <= last; code++) {
			const character = String.fromCodePoint(code);
			if (!standsAlone(character)) continue;
			const width = stringWidth(character);
			if (stringWidth(`a${character}a`) !== width + 2) {
				throw new Error(`string-width: U+${code.toString(16)} does not add up next to letters; the table cannot stand for it.`);
			}

			const run = runs.at(-1);
			if (run && run[1] === code - 1 && run[2] === width) {
				run[1] = code;
			} else {
				runs.push([code, code, width]);
			}
		}
	}

	return runs;
}

/** The runs of the string-width module at this path (its own copy, as its importers get it). */
export async function widthRunsOf(modulePath) {
	const {default: stringWidth} = await import(pathToFileURL(modulePath).href);
	return widthRuns(stringWidth);
}
