import {realpathSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
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

/** Runs the command line as the program: exit code set, anything that escapes reported as a sentence. */
export function run(argv: readonly string[]): void {
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
	main(argv).then(
		(code) => {
			process.exitCode = code;
		},
		async (error: unknown) => {
			process.exitCode = await report(error);
		},
	);
}

/** Whether this module is the file Node was started with (`node bundle/cli.mjs`), not one imported by the launcher or by tests. */
function startedAsProgram(): boolean {
	try {
		return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
	} catch {
		return false;
	}
}

if (startedAsProgram()) {
	run(process.argv.slice(2));
}
