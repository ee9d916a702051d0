import {pathToFileURL} from 'node:url';
import path from 'node:path';
import {helpText} from './commands/help.js';
import {parseCommandLine} from './commands/parse.js';
import {reportError} from './commands/report-error.js';
import {version} from './version.js';

/**
 * The program as installed (bundle/cli.cjs, CommonJS): Node starts a CommonJS file without its ES
 * module loader, so `--version`, `--help` and a mistyped command line are answered as fast as a
 * bare `node -e` line. Anything else imports the ES module bundle (bundle/cli.mjs), which parses
 * the same command line again with the same parser and runs it.
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
	import(entry).then(
		(program: typeof import('./cli.js')) => program.run(argv),
		(error: unknown) => {
			process.exitCode = reportError(error);
		},
	);
}

launch(process.argv.slice(2));
