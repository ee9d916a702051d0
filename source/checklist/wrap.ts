/** The width to wrap terminal text to: the terminal's, else $COLUMNS, else none (files and pipes keep long lines). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): number | undefined {
	if (stream.isTTY && stream.columns > 0) {
		return stream.columns;
	}

	const columns = Number.parseInt(env['COLUMNS'] ?? '', 10);
	return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/**
 * Wraps one line at spaces to `width`, continuing under the text after its indent and list mark
 * ("- ", "1. "). Words are never split, so a URL longer than the width stays whole on its own line.
 */
export function wrapLine(line: string, width: number | undefined): string[] {
	if (width === undefined || line.length <= width) {
		return [line];
	}

	const lead = /^\s*(?:[-*!]\s+|\d+\.\s+)?/.exec(line)?.[0] ?? '';
	const hanging = ' '.repeat(lead.length);
	const words = line.slice(lead.length).split(/ +/).filter((word) => word !== '');
	const lines: string[] = [];
	let current = lead;
	for (const word of words) {
		const start = current === lead || current === hanging;
		if (!start && current.length + 1 + word.length > width) {
			lines.push(current);
			current = hanging + word;
		} else {
			current += start ? word : ` ${word}`;
		}
	}

	lines.push(current);
	return lines;
}
