import {describeError, ExitCode} from './core/errors.js';
import {colorEnabled, createStyle} from './core/style.js';
import {helpText} from './commands/help.js';
import {parseCommandLine} from './commands/parse.js';
import {printable} from './core/text.js';
import {redactHandled} from './secrets/redact.js';
import {version} from './version.js';

export async function main(argv: readonly string[]): Promise<number> {
	const parsed = parseCommandLine(argv);
	if ('help' in parsed) {
		process.stdout.write(helpText(parsed.help));
		return ExitCode.ok;
	}

	if ('version' in parsed) {
		process.stdout.write(`${version}\n`);
		return ExitCode.ok;
	}

	if (parsed.options['no-color'] || !colorEnabled(process.stdout)) {
		// Ink and its dependencies read this before they are imported.
		process.env['FORCE_COLOR'] = '0';
	}

	const {runCommand} = await import('./commands/run.js');
	return runCommand(parsed);
}

function lineByLine(text: string): string {
	return text.split('\n').map((line) => printable(line)).join('\n');
}

export function reportError(error: unknown): number {
	const described = describeError(error);
	// Messages quote server answers and files: each line made printable, the line breaks kept.
	const message = lineByLine(redactHandled(described.message));
	const hint = described.hint === undefined ? undefined : lineByLine(redactHandled(described.hint));
	const {exitCode} = described;
	const style = createStyle(colorEnabled(process.stderr));
	process.stderr.write(`${style.red('✖')} ${message}\n${hint ? `  ${style.dim(hint)}\n` : ''}`);
	return exitCode;
}

// Run only as the program, not when imported by tests.
const invokedDirectly = import.meta.url === `file://${process.argv[1]}` || /(?:cli\.(?:m?js|ts)|sso-setup)$/.test(process.argv[1] ?? '');
if (invokedDirectly) {
	// Never a stack trace: anything that escapes is reported as a sentence (exit 1).
	const last = (error: unknown) => {
		process.exitCode = reportError(error);
		process.exit();
	};
	process.on('uncaughtException', last);
	process.on('unhandledRejection', last);
	main(process.argv.slice(2)).then(
		(code) => {
			process.exitCode = code;
		},
		(error: unknown) => {
			process.exitCode = reportError(error);
		},
	);
}
