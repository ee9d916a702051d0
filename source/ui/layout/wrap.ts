/**
 * Lines for a terminal of `width` columns, so a screen can count its height before Ink draws it:
 * words wrap at spaces; a word wider than the line (a long URL, a scope list without spaces) breaks
 * after a "," or "/" that fits, else at the width. Continuation lines get `indent`.
 */
export function wrapToWidth(text: string, width: number, indent = ''): string[] {
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		lines.push(...wrapParagraph(paragraph, Math.max(width, indent.length + 10), indent));
	}

	return lines;
}

function wrapParagraph(paragraph: string, width: number, indent: string): string[] {
	if (paragraph.length <= width) {
		return [paragraph];
	}

	const lead = /^\s*/.exec(paragraph)?.[0] ?? '';
	const hanging = lead.length > 0 ? lead : indent;
	const lines: string[] = [];
	let current = lead;
	let fresh = true;
	for (let word of paragraph.slice(lead.length).split(/ +/).filter((item) => item !== '')) {
		for (;;) {
			const room = width - current.length - (fresh ? 0 : 1);
			if (word.length <= room) {
				current += fresh ? word : ` ${word}`;
				fresh = false;
				break;
			}

			if (!fresh && word.length <= width - hanging.length) {
				lines.push(current);
				current = hanging;
				fresh = true;
				continue;
			}

			// Wider than a whole line: cut it, after a separator when one fits.
			const space = fresh ? room : room - 1;
			if (space < 8 && !fresh) {
				lines.push(current);
				current = hanging;
				fresh = true;
				continue;
			}

			const slice = word.slice(0, space);
			const cut = Math.max(slice.lastIndexOf(','), slice.lastIndexOf('/')) + 1;
			const at = cut > space / 2 ? cut : space;
			current += (fresh ? '' : ' ') + word.slice(0, at);
			lines.push(current);
			current = hanging;
			fresh = true;
			word = word.slice(at);
		}
	}

	lines.push(current);
	return lines;
}
