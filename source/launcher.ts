import {pathToFileURL} from 'node:url';
import path from 'node:path';
import {helpText} from './commands/help.js';
import {type ParsedCommand, parseCommandLine} from './commands/parse.js';
import {reportError} from './commands/report-error.js';
import {version} from './version.js';

/**
 * The program as installed (bundle/cli.cjs, CommonJS): Node starts a CommonJS file without its ES
 * module loader, so `--version`, `--help` and a mistyped command line are answered as fast as a
 * bare `node -e` line. Anything else imports the ES module bundle (bundle/cli.mjs), which parses
 * the same command line again with the same parser and runs it; verify's first requests leave
 * before that import.
 */
function launch(argv: readonly string[]): void {
	let parsed;
	try {
		parsed = parseCommandLine(argv);
	} catch (error) {
		process.exitCode = reportError(error);
		return;
	}

	if ('help' in parsed) {
		process.stdout.write(helpText(parsed.help));
		return;
	}

	if ('version' in parsed) {
		process.stdout.write(`${version}\n`);
		return;
	}

	const entry = pathToFileURL(path.join(__dirname, 'cli.mjs')).href;
	sendFirstRequestsEarly(parsed)
		.then(async () => import(entry))
		.then(
			(program: typeof import('./cli.js')) => program.run(argv),
			(error: unknown) => {
				process.exitCode = reportError(error);
			},
		);
}

/**
 * verify's first requests leave from here, before the ES module loader starts (see
 * commands/verify-early.ts). Best effort: without them, verify sends them itself.
 */
async function sendFirstRequestsEarly(parsed: ParsedCommand): Promise<void> {
	if (parsed.command !== 'verify') {
		return;
	}

	try {
		// A file of its own, built beside this one: the other commands never parse it.
		const early = require(path.join(__dirname, 'verify-early.cjs')) as typeof import('./commands/verify-early.js');
		await early.sendVerifyFirstRequestsEarly(parsed);
	} catch {
		// verify sends them.
	}
}

launch(process.argv.slice(2));
