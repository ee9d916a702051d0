/**
 * Intl.Segmenter for graphemes, without ICU where that gives the same segments.
 *
 * The first Intl.Segmenter of a process loads ICU's break-iterator data (about 10 ms on a small
 * machine), and Ink's dependencies build theirs when they are imported. A string made only of ASCII
 * (but CR, which joins a following LF) and characters that stand alone (table.mjs) breaks between
 * every two code points (UAX #29: GB4, GB5, GB999), so its segments are its UTF-16 units; such a
 * string is segmented here. Any other string, and any other granularity, goes to Intl.Segmenter,
 * built on first need.
 *
 * @param {number[]} runs flat [start, end, …] of the code points that stand alone, sorted
 */
export function lazySegmenterClass(runs) {
	const standsAlone = (code) => {
		let low = 0;
		let high = runs.length / 2 - 1;
		while (low <= high) {
			const middle = (low + high) >> 1;
			if (code < runs[middle * 2]) {
				high = middle - 1;
			} else if (code > runs[middle * 2 + 1]) {
				low = middle + 1;
			} else {
				return true;
			}
		}

		return false;
	};

	const simple = (text) => {
		for (let index = 0; index < text.length; index++) {
			const code = text.charCodeAt(index);
			if (code < 0x80 ? code === 0x0d : !standsAlone(code)) return false;
		}

		return true;
	};

	/** What Intl.Segmenter's segment() returns for such a string: one segment per UTF-16 unit. */
	class OneByOne {
		#input;

		constructor(input) {
			this.#input = input;
		}

		containing(position) {
			const index = Math.trunc(Number(position)) || 0;
			return index >= 0 && index < this.#input.length ? {segment: this.#input[index], index, input: this.#input} : undefined;
		}

		*[Symbol.iterator]() {
			for (let index = 0; index < this.#input.length; index++) {
				yield {segment: this.#input[index], index, input: this.#input};
			}
		}
	}

	return class LazySegmenter {
		#locales;
		#options;
		#intl;

		constructor(locales, options) {
			this.#locales = locales;
			this.#options = options;
			// Only graphemes are segmented here; anything else is Intl's from the start (its errors included).
			if ((options?.granularity ?? 'grapheme') !== 'grapheme') this.#real();
		}

		segment(input) {
			const text = String(input);
			const granularity = this.#options?.granularity ?? 'grapheme';
			return granularity === 'grapheme' && simple(text) ? new OneByOne(text) : this.#real().segment(text);
		}

		resolvedOptions() {
			return this.#real().resolvedOptions();
		}

		#real() {
			this.#intl ??= new Intl.Segmenter(this.#locales, this.#options);
			return this.#intl;
		}
	};
}
