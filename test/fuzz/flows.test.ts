import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, describe, expect, it, vi} from 'vitest';
import {parse, stringify} from 'yaml';
import {UsageError} from '../../source/core/errors.js';
import {loadCatalogue} from '../../source/core/flows/load.js';
import {shippedFlowsDirectory} from '../../source/core/paths.js';
import {knownAutomation} from '../../source/integrations/registry.js';
import {anyText, nastyCharacter} from './arbitraries.js';

/**
 * Flow files written by hand (--flows DIR): whatever they hold, the loader either loads them or
 * throws one UsageError listing every problem, one line each, each naming its file.
 */

const shipped = shippedFlowsDirectory();
const shippedDocuments = ['idps', 'apps', 'pairs'].flatMap((kind) =>
	readdirSync(path.join(shipped, kind))
		.filter((name) => name.endsWith('.yaml'))
		.map((name) => parse(readFileSync(path.join(shipped, kind, name), 'utf8')) as unknown),
);

const root = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-fuzz-flows-'));
afterAll(() => {
	rmSync(root, {recursive: true, force: true});
});

/** Replaces, removes or adds one member somewhere in a document, following the choices down. */
function mutate(document: unknown, choices: readonly number[], operation: 'replace' | 'remove' | 'add', value: unknown, key: string): unknown {
	const copy = structuredClone(document);
	let parent: unknown;
	let member: string | number | undefined;
	let node = copy;
	for (const choice of choices) {
		const children = Array.isArray(node) ? node.map((_item, index) => index) : node && typeof node === 'object' ? Object.keys(node) : [];
		if (children.length === 0) {
			break;
		}

		parent = node;
		member = children[choice % children.length]!;
		node = (node as Record<string | number, unknown>)[member];
	}

	if (parent === undefined || member === undefined) {
		return operation === 'replace' ? value : copy;
	}

	const container = parent as Record<string | number, unknown>;
	if (operation === 'replace') {
		container[member] = value;
	} else if (operation === 'remove') {
		if (Array.isArray(container)) {
			container.splice(Number(member), 1);
		} else {
			delete container[member];
		}
	} else if (Array.isArray(node)) {
		node.push(value);
	} else if (node && typeof node === 'object') {
		(node as Record<string, unknown>)[key] = value;
	} else {
		container[member] = {[key]: value};
	}

	return copy;
}

const scalar = fc.oneof(anyText(12), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('url', 'secret', 'choice', 'keep', 'idp', 'app', 'pair', 'harbor', 'oidc', '{{app_url}}', '{{nope', '(', '^[a-z]+$', 'kind'));
const value = fc.oneof({weight: 3, arbitrary: scalar}, {weight: 1, arbitrary: fc.jsonValue({maxDepth: 2})}, {weight: 1, arbitrary: fc.array(scalar, {maxLength: 3})});
const memberName = fc.oneof(fc.constantFrom('key', 'kind', 'id', 'when', 'choices', 'pattern', 'automation', 'fields', 'derived', 'extra', 'acknowledge'), anyText(8));

/** A shipped flow with one change: the closest thing to a person editing a copy. */
const mutatedFlow = fc
	.tuple(fc.constantFrom(...shippedDocuments), fc.array(fc.nat(), {maxLength: 5}), fc.constantFrom('replace', 'remove', 'add') as fc.Arbitrary<'replace' | 'remove' | 'add'>, value, memberName)
	.map(([document, choices, operation, replacement, key]) => stringify(mutate(document, choices, operation, replacement, key)));

const yamlToken = fc.constantFrom(
	'kind: idp\n',
	'kind: app\n',
	'kind: pair\n',
	'id: x\n',
	'name: N\n',
	'fields:\n',
	'  - key: a\n',
	'    kind: url\n',
	'    label: A\n',
	'&a ',
	'*a',
	'*b ',
	'!!binary ',
	'!!set ',
	'!tag ',
	'---\n',
	'...\n',
	'%YAML 1.1\n',
	'? ',
	': ',
	'- ',
	'{',
	'}',
	'[',
	']',
	'"',
	"'",
	'|\n',
	'>\n',
	'\t',
	'#c\n',
	'<<: *a\n',
	'\n',
	'  ',
	'x: &a [*a]\n',
);
/** YAML-looking text: tokens and junk in any order. */
const yamlish = fc.array(fc.oneof({weight: 4, arbitrary: yamlToken}, {weight: 1, arbitrary: nastyCharacter}, {weight: 1, arbitrary: anyText(6)}), {maxLength: 30}).map((parts) => parts.join(''));

const document = fc.oneof(
	{weight: 3, arbitrary: mutatedFlow},
	{weight: 2, arbitrary: yamlish},
	{weight: 1, arbitrary: fc.jsonValue({maxDepth: 3}).map((item) => stringify(item))},
	{weight: 1, arbitrary: fc.jsonValue({maxDepth: 3}).map((item) => JSON.stringify(item))},
	{weight: 1, arbitrary: anyText(60)},
);

const fileName = fc.constantFrom('a.yaml', 'b.yml', 'C.YAML', 'sub/d.yaml', 'e f.yaml');

let count = 0;
function writeFlows(files: ReadonlyArray<readonly [string, string]>): {directory: string; written: string[]} {
	const directory = path.join(root, `flows-${++count}`);
	mkdirSync(directory);
	const written: string[] = [];
	for (const [name, text] of files) {
		const file = path.join(directory, name);
		mkdirSync(path.dirname(file), {recursive: true});
		writeFileSync(file, text);
		written.push(file);
	}

	return {directory, written};
}

function load(directories: string[]): UsageError | undefined {
	try {
		loadCatalogue(directories, knownAutomation);
		return undefined;
	} catch (error) {
		if (!(error instanceof UsageError)) {
			throw error;
		}

		return error;
	}
}

function expectProblemLinesNameTheirFile(error: UsageError, files: readonly string[]): void {
	const [heading, ...lines] = error.message.split('\n');
	expect(heading).toMatch(/^(A flow file is|Flow files are) not valid:$/);
	expect(lines.length).toBeGreaterThan(0);
	expect(error.hint).toContain('Fix the files named above');
	for (const line of lines) {
		expect(
			files.some((file) => line.startsWith(`  ${file}: `)),
			`this line does not name one of the files:\n${JSON.stringify(line)}`,
		).toBe(true);
		// Nothing from the file reaches the terminal as a control character (new lines, escapes).
		// eslint-disable-next-line no-control-regex
		expect(line).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
		// The files exist and are readable: a problem is about their content, said specifically.
		expect(line).not.toMatch(/cannot be read|\(error\)/);
	}
}

describe('flow loader', () => {
	it('loads or refuses with one UsageError whose every line names its file, whatever the files hold', () => {
		// YAML warnings (unknown tags) are problems of the file, not Node process warnings on stderr.
		const warnings = vi.spyOn(process, 'emitWarning');
		fc.assert(
			fc.property(fc.uniqueArray(fc.tuple(fileName, document), {minLength: 1, maxLength: 3, selector: ([name]) => name.toLowerCase()}), (files) => {
				const {directory, written} = writeFlows(files);
				const error = load([directory]);
				if (error) {
					expectProblemLinesNameTheirFile(error, written);
				}
			}),
			{numRuns: 500},
		);
		expect(warnings.mock.calls.map((call) => String(call[0]))).toEqual([]);
		warnings.mockRestore();
	});

	it('does the same next to the shipped flows, as --flows DIR does', () => {
		const shippedFiles = ['idps', 'apps', 'pairs'].flatMap((kind) => readdirSync(path.join(shipped, kind)).map((name) => path.join(shipped, kind, name)));
		fc.assert(
			fc.property(fc.tuple(fileName, fc.oneof(mutatedFlow, document)), ([name, text]) => {
				const {directory, written} = writeFlows([[name, text]]);
				const error = load([shipped, directory]);
				if (error) {
					// A duplicate names the new file, and the shipped one only inside the problem text.
					expectProblemLinesNameTheirFile(error, [...written, ...shippedFiles]);
					expect(error.message.split('\n').slice(1).every((line) => line.startsWith(`  ${directory}`))).toBe(true);
				}
			}),
			{numRuns: 150},
		);
	});

	it('refuses bytes that are not UTF-8 text or not YAML with a sentence, not a stack trace', () => {
		fc.assert(
			fc.property(fc.uint8Array({maxLength: 60}), (bytes) => {
				const {directory} = writeFlows([]);
				const file = path.join(directory, 'bytes.yaml');
				writeFileSync(file, bytes);
				const error = load([directory]);
				if (error) {
					expectProblemLinesNameTheirFile(error, [file]);
					expect(error.message).not.toMatch(/\n\s+at /);
				}
			}),
			{numRuns: 300},
		);
	});
});
