/**
 * Lines for a terminal of `width` columns, so a screen can count its height before Ink draws it:
 * words wrap at spaces; a word wider than the line (a long URL, a scope list without spaces) breaks
 * after a "," or "/" that fits, else at the width. Continuation lines get `indent` (or the
 * paragraph's own leading spaces).
 */

/** `spinner`: the piece (one character) is drawn as the spinner. */
export type Style = {dim?: boolean; color?: string; bold?: boolean; spinner?: boolean};
export type Segment = Style & {text: string};
/** One terminal line in styled pieces. */
export type Line = Segment[];

export function wrapToWidth(text: string, width: number, indent = ''): string[] {
	return wrapSegments([{text}], width, indent).map((line) => line.map((segment) => segment.text).join(''));
}

/** Styled text wrapped like wrapToWidth; each paragraph (split at "\n") starts a new line. */
export function wrapSegments(segments: readonly Segment[], width: number, indent = ''): Line[] {
	const paragraphs: Segment[][] = [[]];
	for (const segment of segments) {
		segment.text.split('\n').forEach((part, index) => {
			if (index > 0) paragraphs.push([]);
			if (part !== '') paragraphs.at(-1)!.push({...segment, text: part});
		});
	}

	return paragraphs.flatMap((paragraph) => wrapParagraph(paragraph, Math.max(width, indent.length + 10), indent));
}

type Word = {text: string; style: Style};

function wrapParagraph(paragraph: Segment[], width: number, indent: string): Line[] {
	const plain = paragraph.map((segment) => segment.text).join('');
	const lead = /^ */.exec(plain)?.[0] ?? '';
	const hanging = lead.length > 0 ? lead : indent;
	const words: Word[] = [];
	let skipped = 0;
	for (const segment of paragraph) {
		let text = segment.text;
		if (skipped < lead.length) {
			const drop = Math.min(lead.length - skipped, text.length - text.trimStart().length);
			text = text.slice(drop);
			skipped += drop;
		}

		const {text: _text, ...style} = segment;
		// A word may run across segments ("Label: " dim, then the value): glue pieces not split by a space.
		for (const [index, piece] of text.split(' ').entries()) {
			if (index > 0) words.push({text: '', style});
			if (piece !== '') {
				const last = words.at(-1);
				if (last && last.text !== '' && index === 0) {
					words.push({text: piece, style, glued: true} as Word);
				} else {
					words.push({text: piece, style});
				}
			}
		}
	}

	const lines: Line[] = [];
	let current: Line = lead ? [{text: lead}] : [];
	let length = lead.length;
	let fresh = true;
	let pendingSpace = false;
	const push = () => {
		lines.push(current);
		current = hanging ? [{text: hanging}] : [];
		length = hanging.length;
		fresh = true;
		pendingSpace = false;
	};

	const append = (text: string, style: Style) => {
		const last = current.at(-1);
		if (last && sameStyle(last, style)) {
			last.text += text;
		} else {
			current.push({...style, text});
		}

		length += text.length;
	};

	for (const word of words) {
		if (word.text === '') {
			pendingSpace = !fresh;
			continue;
		}

		let text = word.text;
		const glued = (word as Word & {glued?: boolean}).glued === true;
		for (;;) {
			const space = pendingSpace && !glued ? 1 : 0;
			if (length + space + text.length <= width) {
				if (space) append(' ', word.style);
				append(text, word.style);
				fresh = false;
				pendingSpace = false;
				break;
			}

			if (!fresh && text.length <= width - hanging.length && !glued) {
				push();
				continue;
			}

			const room = width - length - space;
			if (room < 8 && !fresh) {
				push();
				continue;
			}

			// Wider than a whole line: cut it, after a separator when one fits.
			const slice = text.slice(0, room);
			const cut = Math.max(slice.lastIndexOf(','), slice.lastIndexOf('/')) + 1;
			const at = cut > room / 2 ? cut : room;
			if (space) append(' ', word.style);
			append(text.slice(0, at), word.style);
			push();
			text = text.slice(at);
			if (text === '') break;
		}
	}

	if (!fresh || lines.length === 0) {
		lines.push(current);
	}

	return lines.map((line) => line.filter((segment) => segment.text !== ''));
}

function sameStyle(a: Style, b: Style): boolean {
	return a.dim === b.dim && a.color === b.color && a.bold === b.bold && !a.spinner && !b.spinner;
}
