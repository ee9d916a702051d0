import {type Dirent, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {parseDocument} from 'yaml';
import type {z} from 'zod';
import {UsageError} from '../errors.js';
import {readRegularFile, UnsafeFileError} from '../private-files.js';
import {printable, printableStrings} from '../text.js';
import {type AppFlow, flowFileSchema, type IdpFlow, type PairFlow} from './schema.js';

export type Catalogue = {
	idps: Map<string, IdpFlow>;
	apps: Map<string, AppFlow>;
	/** Keyed by "<idp>+<app>". */
	pairs: Map<string, PairFlow>;
	/** Where each flow came from, for error messages. */
	sources: Map<string, string>;
};

export type FlowProblem = {file: string; where: string; problem: string};

/** The automation modules that exist in code; a flow naming another one is refused. */
export type KnownAutomation = {idp: readonly string[]; app: readonly string[]};

/**
 * Loads every flow file from the given directories, on top of `base` (the shipped flows) when given.
 * Reports every problem of every file at once, each naming the file, the field and the problem.
 */
export function loadCatalogue(directories: readonly string[], known: KnownAutomation, base?: Catalogue): Catalogue {
	const catalogue: Catalogue = {
		idps: new Map(base?.idps),
		apps: new Map(base?.apps),
		pairs: new Map(base?.pairs),
		sources: new Map(base?.sources),
	};
	const problems: FlowProblem[] = [];
	for (const directory of directories) {
		for (const file of listFlowFiles(directory, problems)) {
			const flow = readFlowFile(file, problems);
			if (!flow) {
				continue;
			}

			const key = flow.kind === 'pair' ? `pair:${flow.idp}+${flow.app}` : `${flow.kind}:${flow.id}`;
			const earlier = catalogue.sources.get(key);
			if (earlier) {
				problems.push({file, where: flow.kind === 'pair' ? 'idp/app' : 'id', problem: `${key.replace(':', ' ')} is already defined in ${earlier}`});
				continue;
			}

			if (flow.kind !== 'pair' && flow.automation && !known[flow.kind].includes(flow.automation)) {
				problems.push({file, where: 'automation', problem: `no ${flow.kind} automation named "${flow.automation}" exists (known: ${known[flow.kind].join(', ')}); remove the line to use the manual steps`});
				continue;
			}

			catalogue.sources.set(key, file);
			if (flow.kind === 'idp') {
				catalogue.idps.set(flow.id, flow);
			} else if (flow.kind === 'app') {
				catalogue.apps.set(flow.id, flow);
			} else {
				catalogue.pairs.set(`${flow.idp}+${flow.app}`, flow);
			}
		}
	}

	for (const [key, pair] of catalogue.pairs) {
		for (const [side, id] of [['idp', pair.idp], ['app', pair.app]] as const) {
			const exists = side === 'idp' ? catalogue.idps.has(id) : catalogue.apps.has(id);
			if (!exists) {
				problems.push({file: catalogue.sources.get(`pair:${key}`) ?? key, where: side, problem: `no ${side} flow with id "${id}"`});
			}
		}
	}

	if (problems.length > 0) {
		throw new UsageError(`${problems.length === 1 ? 'A flow file is' : 'Flow files are'} not valid:\n${problems.map((item) => `  ${printable(item.file)}: ${printable(item.where)}: ${printable(item.problem)}`).join('\n')}`, {
			hint: 'Fix the files named above (see flows/ in the sso-setup package for working examples).',
		});
	}

	return catalogue;
}

function listFlowFiles(directory: string, problems: FlowProblem[]): string[] {
	let entries: string[];
	try {
		if (!statSync(directory).isDirectory()) {
			problems.push({file: directory, where: '--flows', problem: 'is not a directory'});
			return [];
		}

		entries = walk(directory, '', problems);
	} catch (error) {
		problems.push({file: directory, where: '--flows', problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`});
		return [];
	}

	return entries
		.filter((entry) => /\.ya?ml$/i.test(entry))
		.sort()
		.map((entry) => path.join(directory, entry));
}

/** The YAML candidates below a directory. Symlinked directories are not followed (a loop would list a file many times). */
function walk(root: string, relative: string, problems: FlowProblem[], depth = 0): string[] {
	const found: string[] = [];
	const entries: Dirent[] = readdirSync(path.join(root, relative), {withFileTypes: true});
	for (const entry of entries) {
		const name = path.join(relative, entry.name);
		if (entry.isDirectory()) {
			if (depth < 8) {
				found.push(...walk(root, name, problems, depth + 1));
			}
		} else if (entry.isSymbolicLink() && !/\.ya?ml$/i.test(entry.name)) {
			continue;
		} else {
			found.push(name);
		}
	}

	return found;
}

/** Far above any real flow file, far below what makes the YAML parser run out of memory. */
const maxFlowFileBytes = 512 * 1024;

function readFlowFile(file: string, problems: FlowProblem[]): z.infer<typeof flowFileSchema> | undefined {
	let text: string;
	try {
		text = readRegularFile(file, {maxBytes: maxFlowFileBytes, what: 'flow file'});
	} catch (error) {
		if (error instanceof UnsafeFileError) {
			problems.push({file, where: 'file', problem: error.problem});
			return undefined;
		}

		problems.push({file, where: 'file', problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`});
		return undefined;
	}

	let document: unknown;
	try {
		// A warning (an unknown tag, …) is a problem too, never a Node warning on stderr (logLevel also covers toJS).
		const parsed = parseDocument(text, {logLevel: 'error'});
		const first = parsed.errors[0] ?? parsed.warnings[0];
		if (first) {
			const position = first.linePos?.[0];
			problems.push({file, where: position ? `line ${position.line}, column ${position.col}` : 'YAML', problem: (first.message.split('\n')[0] ?? 'not valid YAML').replace(/ at line \d+, column \d+:?$/, '')});
			return undefined;
		}

		document = parsed.toJS();
	} catch (error) {
		// From toJS: an alias without its anchor, too many aliases.
		problems.push({file, where: 'YAML', problem: error instanceof Error ? (error.message.split('\n')[0] ?? 'not valid YAML') : 'not valid YAML'});
		return undefined;
	}

	const result = flowFileSchema.safeParse(document);
	if (!result.success) {
		for (const issue of result.error.issues) {
			problems.push({file, where: formatPath(issue.path, document) || '(top level)', problem: issue.message});
		}

		return undefined;
	}

	// Titles, help and steps reach the terminal (the wizard's screens, the checklist): no escape sequences.
	return printableStrings(result.data);
}

/** fields[2].kind → fields[2] (app_url).kind, so a person finds the field by its key. */
function formatPath(issuePath: ReadonlyArray<PropertyKey>, document: unknown): string {
	let node: unknown = document;
	let text = '';
	for (const part of issuePath) {
		if (typeof part === 'number') {
			node = Array.isArray(node) ? node[part] : undefined;
			const key = node && typeof node === 'object' && 'key' in node ? (node as {key: unknown}).key : undefined;
			text += typeof key === 'string' ? `[${part}] (${key})` : `[${part}]`;
		} else {
			node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(part)] : undefined;
			text += text === '' ? String(part) : `.${String(part)}`;
		}
	}

	return text;
}
