/** Colour for plain (non-Ink) output. Off with NO_COLOR, --no-color, TERM=dumb, or when not a TTY. */
export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): boolean {
	if (argv.includes('--no-color') || (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') || env['TERM'] === 'dumb') {
		return false;
	}

	if (env['FORCE_COLOR'] !== undefined) {
		return env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
	}

	return Boolean(stream.isTTY);
}

export type Style = {
	bold(text: string): string;
	dim(text: string): string;
	red(text: string): string;
	green(text: string): string;
	yellow(text: string): string;
	cyan(text: string): string;
};

export function createStyle(enabled: boolean): Style {
	const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001B[${open}m${text}\u001B[${close}m` : text);
	return {
		bold: wrap(1, 22),
		dim: wrap(2, 22),
		red: wrap(31, 39),
		green: wrap(32, 39),
		yellow: wrap(33, 39),
		cyan: wrap(36, 39),
	};
}
