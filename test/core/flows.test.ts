import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {isNode, parseDocument, visit} from 'yaml';
import {buildChecklist} from '../../source/checklist/build.js';
import {formatChecklist} from '../../source/checklist/format.js';
import {UsageError} from '../../source/core/errors.js';
import {isSecretKey} from '../../source/core/fields.js';
import {type Catalogue, loadCatalogue} from '../../source/core/flows/load.js';
import {builtinValues, getPair, type Pair} from '../../source/core/flows/pair.js';
import {shippedFlowsDirectory} from '../../source/core/paths.js';
import {referencedKeys} from '../../source/core/template.js';
import {knownAutomation} from '../../source/integrations/registry.js';
import type {Derived} from '../../source/core/flows/schema.js';

const dexFlows = fileURLToPath(new URL('../fixtures/flows/dex', import.meta.url));
const temporary = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-flows-'));
afterAll(() => {
	rmSync(temporary, {recursive: true, force: true});
});

let directoryCount = 0;
/** A fresh directory holding the given flow files. */
function flowDirectory(files: Record<string, string>): string {
	const directory = path.join(temporary, `flows-${++directoryCount}`);
	mkdirSync(directory);
	for (const [name, text] of Object.entries(files)) {
		writeFileSync(path.join(directory, name), text);
	}

	return directory;
}

function loadShipped(...extra: string[]): Catalogue {
	return loadCatalogue([shippedFlowsDirectory(), ...extra], knownAutomation);
}

function loadError(...extra: string[]): UsageError {
	try {
		loadShipped(...extra);
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return error as UsageError;
	}

	throw new Error('the flow files were accepted');
}

const idpIds = ['authentik', 'keycloak', 'oidc', 'pocket-id'];
const appIds = ['harbor', 'ovh-mpr', 'portainer'];

/** Values a flow may use without defining them: built-ins and the keys every IdP produces. */
function keysAvailable(pair: Pair): Set<string> {
	return new Set([
		...Object.keys(builtinValues(pair)),
		...pair.idp.fields.map((field) => field.key),
		...pair.app.fields.map((field) => field.key),
		...Object.keys(pair.idp.derived),
		...Object.keys(pair.app.derived),
		...Object.keys(pair.pair?.derived ?? {}),
	]);
}

type Reference = {key: string; guarded: readonly string[]};

/** Every {{key}} the pair's texts, derived values and defaults refer to; a block shown only when keys are set may use them. */
function keysReferenced(pair: Pair): Reference[] {
	const texts: Array<{text: string; guarded: readonly string[]}> = [];
	const plain = (text: string) => texts.push({text, guarded: []});
	const derived = (entry: Derived) => {
		for (const alternative of typeof entry === 'string' ? [{value: entry}] : entry) {
			texts.push({text: alternative.value, guarded: ('when' in alternative ? alternative.when?.set : undefined) ?? []});
		}
	};
	const blocks = (list: ReadonlyArray<{title: string; text: string; when?: {set?: string[]}}>) => {
		for (const block of list) {
			texts.push({text: `${block.title}\n${block.text}`, guarded: block.when?.set ?? []});
		}
	};

	for (const flow of [pair.idp, pair.app]) {
		Object.values(flow.derived).forEach(derived);
		blocks([...flow.steps, ...flow.warnings, ...flow.verification]);
		for (const field of flow.fields) {
			plain(`${field.default ?? ''} ${field.label}`);
		}
	}

	if (pair.pair) {
		Object.values(pair.pair.derived).forEach(derived);
		Object.values(pair.pair.defaults).forEach(plain);
		blocks([...pair.pair.idp_steps, ...pair.pair.app_steps, ...pair.pair.warnings, ...pair.pair.notes]);
	}

	return texts.flatMap(({text, guarded}) => referencedKeys(text).map((key) => ({key, guarded})));
}

describe('the shipped flow files', () => {
	it('all load, with every IdP, app and pair of the contract', () => {
		const catalogue = loadShipped();
		expect([...catalogue.idps.keys()].sort()).toEqual(idpIds);
		expect([...catalogue.apps.keys()].sort()).toEqual(appIds);
		expect([...catalogue.pairs.keys()].sort()).toEqual(['authentik+portainer', 'keycloak+ovh-mpr', 'pocket-id+harbor']);
		for (const [key, file] of catalogue.sources) {
			expect(file.startsWith(shippedFlowsDirectory()), key).toBe(true);
		}
	});

	it('have no comments, so a " #" in an unquoted value cannot cut the text short', () => {
		const files = readdirSync(shippedFlowsDirectory(), {recursive: true}).map(String).filter((name) => name.endsWith('.yaml'));
		expect(files.length).toBeGreaterThanOrEqual(10);
		for (const name of files) {
			const document = parseDocument(readFileSync(path.join(shippedFlowsDirectory(), name), 'utf8'));
			const comments: string[] = document.commentBefore || document.comment ? [String(document.commentBefore ?? document.comment)] : [];
			visit(document, (_key, node) => {
				if (isNode(node) && (node.comment || node.commentBefore)) {
					comments.push(String(node.comment ?? node.commentBefore));
				}
			});
			expect(comments, name).toEqual([]);
		}
	});

	it('name only automation modules that exist', () => {
		const catalogue = loadShipped();
		for (const idp of catalogue.idps.values()) {
			if (idp.automation) {
				expect(knownAutomation.idp).toContain(idp.automation);
			}
		}

		for (const app of catalogue.apps.values()) {
			expect(knownAutomation.app).toContain(app.automation);
		}

		expect(catalogue.idps.get('oidc')?.automation).toBeUndefined();
	});

	it('declare every secret-looking key as a secret field, and only those', () => {
		// A secret field whose key does not look secret would be accepted by --set and written to session files.
		const catalogue = loadShipped();
		for (const flow of [...catalogue.idps.values(), ...catalogue.apps.values()]) {
			for (const field of flow.fields) {
				expect(field.kind === 'secret', `${flow.id}: ${field.key}`).toBe(isSecretKey(field.key));
				if (field.kind === 'secret') {
					expect(field.default, `${flow.id}: ${field.key}`).toBeUndefined();
				}
			}
		}
	});

	it('refer only to values that exist, for every IdP × app pair', () => {
		const catalogue = loadShipped();
		// The generic provider has no fixed endpoint URLs: its steps tell the person to read them from discovery.
		const lookedUp = new Set(['authorize_url', 'token_url', 'userinfo_url', 'end_session_url']);
		for (const idp of idpIds) {
			for (const app of appIds) {
				const pair = getPair(catalogue, idp, app);
				const available = keysAvailable(pair);
				const missing = keysReferenced(pair)
					.filter(({key, guarded}) => !available.has(key) && !guarded.includes(key) && !(idp === 'oidc' && lookedUp.has(key)))
					.map(({key}) => key);
				expect(missing, `${idp} → ${app}`).toEqual([]);
			}
		}
	});

	it('tell the person where to find the endpoints when the generic provider is paired with Portainer', () => {
		const pair = getPair(loadShipped(), 'oidc', 'portainer');
		const text = formatChecklist(buildChecklist(pair, {issuer: 'https://login.example.com/', app_url: 'https://portainer.example.com'}), 'text');
		for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'end_session_endpoint']) {
			expect(text).toContain(name);
		}
	});
});

const brokenFiles = {
	invalidYaml: ['invalid.yaml', 'kind: idp\nid: broken\nfields: [unclosed\n'],
	wrongKind: ['wrong-kind.yaml', 'kind: widget\nid: widget\nname: Widget\n'],
	unknownFieldKind: [
		'gitea.yaml',
		[
			'kind: app',
			'id: gitea',
			'name: Gitea',
			'scopes: {separator: " ", default: [openid]}',
			'fields:',
			'  - {key: gitea_admin_user, label: Admin user, kind: text}',
			'  - {key: groups_claim, label: Groups claim, kind: text}',
			'  - {key: app_url, label: Gitea URL, kind: link}',
			'',
		].join('\n'),
	],
	badPatternAndSecretDefault: [
		'zitadel.yaml',
		[
			'kind: idp',
			'id: zitadel',
			'name: Zitadel',
			'fields:',
			'  - {key: org, label: Organisation, kind: text, pattern: "([a-z"}',
			'  - {key: zitadel_password, label: Password, kind: secret, default: hunter22}',
			'',
		].join('\n'),
	],
	unknownAutomation: ['dexter.yaml', 'kind: idp\nid: dexter\nname: Dexter\nautomation: dexter\n'],
	duplicateId: ['authentik-again.yaml', 'kind: idp\nid: authentik\nname: Another authentik\n'],
	pairUnknownApp: ['authentik-forgejo.yaml', 'kind: pair\nidp: authentik\napp: forgejo\n'],
} as const;

/** What each broken file must produce: "<file>: <where>: <problem>". */
const expectedProblems: Array<[keyof typeof brokenFiles, string, RegExp]> = [
	['invalidYaml', 'line 4, column 1', /^  \S+: line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
	['wrongKind', 'kind', /'idp' \| 'app' \| 'pair'/],
	['unknownFieldKind', 'fields[2] (app_url).kind', /"url"\|"text"\|"secret"\|"boolean"\|"choice"\|"scopes"/],
	['badPatternAndSecretDefault', 'fields[0] (org).pattern', /is not a valid regular expression/],
	['badPatternAndSecretDefault', 'fields[1] (zitadel_password).default', /a secret field cannot have a default/],
	['unknownAutomation', 'automation', /no idp automation named "dexter" exists \(known: authentik, keycloak, pocket-id\)/],
	['duplicateId', 'id', /idp authentik is already defined in .*flows\/idps\/authentik\.yaml/],
	['pairUnknownApp', 'app', /no app flow with id "forgejo"/],
];

function problemLine(message: string, file: string, where: string): string | undefined {
	return message.split('\n').find((line) => line.startsWith(`  ${file}: ${where}: `));
}

describe('broken flow files', () => {
	it.each(expectedProblems)('%s: names the file, %s and the problem', (name, where, problem) => {
		const [fileName, text] = brokenFiles[name];
		const directory = flowDirectory({[fileName]: text});
		const error = loadError(directory);
		const line = problemLine(error.message, path.join(directory, fileName), where);
		expect(line, error.message).toBeDefined();
		expect(line).toMatch(problem);
		expect(error.exitCode).toBe(2);
		expect(error.hint).toMatch(/Fix the files named above/);
	});

	it('are reported all at once, every problem of every file, without a stack trace', () => {
		const directory = flowDirectory(Object.fromEntries(Object.values(brokenFiles)));
		const error = loadError(directory);
		const lines = error.message.split('\n');
		expect(lines[0]).toBe('Flow files are not valid:');
		expect(lines).toHaveLength(1 + expectedProblems.length);
		for (const [name, where, problem] of expectedProblems) {
			const line = problemLine(error.message, path.join(directory, brokenFiles[name][0]), where);
			expect(line, `${name} in:\n${error.message}`).toMatch(problem);
		}

		expect(error.message).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
		expect(error.message).not.toMatch(/ZodError|YAMLParseError|\[object Object\]/);
	});

	it('report a --flows directory that does not exist', () => {
		const missing = path.join(temporary, 'no-such-directory');
		const error = loadError(missing);
		expect(error.message).toContain(`${missing}: --flows: cannot be read (ENOENT)`);
	});

	it('say "A flow file is" for a single problem', () => {
		const [fileName, text] = brokenFiles.unknownAutomation;
		expect(loadError(flowDirectory({[fileName]: text})).message).toMatch(/^A flow file is not valid:\n/);
	});
});

describe('an extra flow directory', () => {
	it('adds an IdP that appears in the catalogue next to the shipped ones', () => {
		const catalogue = loadShipped(dexFlows);
		expect([...catalogue.idps.keys()].sort()).toEqual([...idpIds, 'dex'].sort());
		expect(catalogue.idps.get('dex')?.automation).toBeUndefined();
		expect(catalogue.sources.get('idp:dex')).toBe(path.join(dexFlows, 'dex.yaml'));
	});

	it('produces a checklist for the new IdP with every app', () => {
		const catalogue = loadShipped(dexFlows);
		const harbor = buildChecklist(getPair(catalogue, 'dex', 'harbor'), {idp_url: 'https://dex.example.com/dex', app_url: 'https://harbor.example.com'});
		const text = formatChecklist(harbor, 'markdown');
		expect(text).toContain('# Connect Harbor to Dex');
		expect(text).toContain('## 1. In Dex');
		expect(text).toContain('redirectURIs [`https://harbor.example.com/c/oidc/callback`]');
		expect(text).toContain('id `harbor-sso`');
		expect(text).toContain('OIDC Endpoint: `https://dex.example.com/dex`');

		const portainer = formatChecklist(buildChecklist(getPair(catalogue, 'dex', 'portainer'), {idp_url: 'https://dex.example.com/dex', app_url: 'https://portainer.example.com'}), 'text');
		expect(portainer).toContain('Authorization URL: https://dex.example.com/dex/auth');
		expect(portainer).toContain('redirectURIs [https://portainer.example.com/]');
		expect(portainer).not.toContain('{{');
	});
});
