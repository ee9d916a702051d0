/**
 * string-width, measured without string-width where that gives the same answer.
 *
 * string-width builds an Intl.Segmenter and Unicode-property regular expressions (RGI_Emoji, a
 * set of strings) when it is imported, and compiles them on their first use: tens of milliseconds
 * before Ink's first frame, for text that is nearly always ASCII and a few symbols (· → ❯ ─ …).
 * The build (table.mjs) asks the installed string-width how wide each character that stands alone
 * is; a string made only of those and printable ASCII is measured from that table. Anything else
 * (other characters, a surrogate pair, options) goes to string-width itself, loaded then.
 *
 * @param {number[]} runs flat [start, end, width, …], sorted by start
 * @param {(text: string) => string} stripAnsi the strip-ansi string-width itself uses
 * @param {() => (text: string, options?: object) => number} loadStringWidth the real one, on first need
 */
export function lazyStringWidth(runs, stripAnsi, loadStringWidth) {
	let real;
	const tableWidth = (code) => {
		let low = 0;
		let high = runs.length / 3 - 1;
		while (low <= high) {
			const middle = (low + high) >> 1;
			if (code < runs[middle * 3]) {
				high = middle - 1;
			} else if (code > runs[middle * 3 + 1]) {
				low = middle + 1;
			} else {
				return runs[middle * 3 + 2];
			}
		}

		return -1;
	};

	const fromTable = (text) => {
		let width = 0;
		for (let index = 0; index < text.length; index++) {
			const code = text.charCodeAt(index);
			if (code >= 0x20 && code <= 0x7e) {
				width++;
				continue;
			}

			const known = tableWidth(code);
			if (known < 0) {
				return -1;
			}

			width += known;
		}

		return width;
	};

	return function stringWidth(text, options) {
		if (typeof text === 'string' && options === undefined) {
			// Both string-width versions strip escape sequences first; without ESC or CSI, that is a no-op.
			const width = fromTable(text.includes('\u001B') || text.includes('\u009B') ? stripAnsi(text) : text);
			if (width >= 0) {
				return width;
			}
		}

		real ??= loadStringWidth();
		return real(text, options);
	};
}
