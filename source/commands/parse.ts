import {parseArgs, type ParseArgsConfig} from 'node:util';
import {commandLine} from '../core/command-line.js';
import {UsageError} from '../core/errors.js';

/** The command line, read into a command, its options and positionals (no command runs here). */

export const commandNames = ['wizard', 'resume', 'sessions', 'checklist', 'apply', 'verify', 'rollback'] as const;
export type CommandName = (typeof commandNames)[number];

type Option = NonNullable<ParseArgsConfig['options']>[string];

const globalOptions = {
	help: {type: 'boolean', short: 'h'},
	version: {type: 'boolean', short: 'v'},
	flows: {type: 'string', multiple: true},
	'no-color': {type: 'boolean'},
} satisfies Record<string, Option>;

const pairOptions = {
	idp: {type: 'string'},
	app: {type: 'string'},
	set: {type: 'string', multiple: true},
	session: {type: 'string'},
} satisfies Record<string, Option>;

const commandOptions: Record<CommandName, Record<string, Option>> = {
	wizard: {},
	resume: {},
	sessions: {},
	checklist: {...pairOptions, format: {type: 'string'}, output: {type: 'string', short: 'o'}},
	apply: {...pairOptions, yes: {type: 'boolean', short: 'y'}, 'dry-run': {type: 'boolean', short: 'n'}, 'delete-users': {type: 'string'}, 'allow-plain-http-secret': {type: 'boolean'}},
	verify: {...pairOptions, json: {type: 'boolean'}, 'sign-in': {type: 'boolean'}, yes: {type: 'boolean', short: 'y'}},
	rollback: {yes: {type: 'boolean', short: 'y'}},
};

export type ParsedCommand = {
	command: CommandName;
	positionals: string[];
	options: Record<string, string | boolean | string[] | undefined>;
	flows: string[];
};

export function parseCommandLine(argv: readonly string[]): ParsedCommand | {help: CommandName | 'main'} | {version: true} {
	const first = argv.find((argument) => !argument.startsWith('-'));
	const command: CommandName = first && (commandNames as readonly string[]).includes(first) ? (first as CommandName) : 'wizard';
	if (first && command === 'wizard' && first !== 'wizard') {
		if (first === 'help') {
			const topic = argv[argv.indexOf(first) + 1];
			return {help: topic && (commandNames as readonly string[]).includes(topic) ? (topic as CommandName) : 'main'};
		}

		throw new UsageError(`Unknown command "${first}".`, {hint: `Commands: ${commandNames.filter((name) => name !== 'wizard').join(', ')}. See: ${commandLine('--help')}`});
	}

	let parsed;
	try {
		parsed = parseArgs({args: [...argv], options: {...globalOptions, ...commandOptions[command]}, allowPositionals: true, strict: true});
	} catch (error) {
		throw new UsageError(cleanParseError(error), {hint: `See: ${commandLine(`${command === 'wizard' ? '' : `${command} `}--help`)}`});
	}

	const {values} = parsed;
	if (values.help) {
		return {help: command === 'wizard' ? 'main' : command};
	}

	if (values.version) {
		return {version: true};
	}

	const positionals = parsed.positionals.slice(command === 'wizard' && first !== 'wizard' ? 0 : 1);
	const maxPositionals: Record<CommandName, number> = {wizard: 0, resume: 1, sessions: 2, checklist: 0, apply: 0, verify: 0, rollback: 1};
	if (positionals.length > maxPositionals[command]) {
		throw new UsageError(`Unexpected argument "${positionals[maxPositionals[command]]}".`, {hint: `See: ${commandLine(`${command === 'wizard' ? '' : `${command} `}--help`)}`});
	}

	return {command, positionals, options: values as ParsedCommand['options'], flows: (values.flows as string[] | undefined) ?? []};
}

function cleanParseError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return message.replace(/\. To specify a positional argument.*$/s, '.').replace(/^Unknown option '(.*?)'.*$/s, 'Unknown option $1.');
}
