import {parseCommandLine} from './commands/parse.js';
import {ExitCode} from './core/errors.js';
import {version} from './version.js';

/**
 * The entry point. It loads only the parser: `--version` prints from here, and everything else
 * (the help text, the commands, the error report) is imported when it is needed.
 */
export async function main(argv: readonly string[]): Promise<number> {
	const parsed = parseCommandLine(argv);
	if ('help' in parsed) {
		const {helpText} = await import('./commands/help.js');
		process.stdout.write(helpText(parsed.help));
		return ExitCode.ok;
	}

	if ('version' in parsed) {
		process.stdout.write(`${version}\n`);
		return ExitCode.ok;
	}

	const {runCommand} = await import('./commands/run.js');
	return runCommand(parsed);
}

/** Reports what escaped as one sentence (never a stack trace); returns the exit code. */
async function report(error: unknown): Promise<number> {
	const {reportError} = await import('./commands/report-error.js');
	return reportError(error);
}

// Run only as the program, not when imported by tests.
const invokedDirectly = import.meta.url === `file://${process.argv[1]}` || /(?:cli\.(?:m?js|ts)|sso-setup)$/.test(process.argv[1] ?? '');
if (invokedDirectly) {
	// Never a stack trace: anything that escapes is reported as a sentence (exit 1).
	const last = (error: unknown) => {
		void report(error).then(
			(code) => {
				process.exitCode = code;
				process.exit();
			},
			() => process.exit(1),
		);
	};
	process.on('uncaughtException', last);
	process.on('unhandledRejection', last);
	main(process.argv.slice(2)).then(
		(code) => {
			process.exitCode = code;
		},
		async (error: unknown) => {
			process.exitCode = await report(error);
		},
	);
}
