import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {describe, expect, it} from 'vitest';

/**
 * The arrows docs/architecture.md allows, checked on every import in source/ (static, re-exports
 * and dynamic import()). A type-only import carries no code and is allowed where the rules say so.
 */

const root = path.resolve(import.meta.dirname, '../..');
const source = path.join(root, 'source');

type Edge = {from: string; to: string; typeOnly: boolean};

function sourceFiles(directory: string): string[] {
	return readdirSync(directory, {withFileTypes: true}).flatMap((entry) => {
		const full = path.join(directory, entry.name);
		return entry.isDirectory() ? sourceFiles(full) : /\.tsx?$/.test(entry.name) ? [full] : [];
	});
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
	const clause = node.importClause;
	if (!clause) {
		return false;
	}

	if (clause.isTypeOnly) {
		return true;
	}

	const bindings = clause.namedBindings;
	return !clause.name && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** Every relative import of a file, as repository paths of .ts/.tsx files. */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): Edge[] {
	const tree = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
	const found: Array<{specifier: string; typeOnly: boolean}> = [];
	const visit = (node: ts.Node) => {
		if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
			found.push({specifier: node.moduleSpecifier.text, typeOnly: isTypeOnlyImport(node)});
		} else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
			found.push({specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly});
		} else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
			const [argument] = node.arguments;
			if (argument && ts.isStringLiteralLike(argument)) {
				found.push({specifier: argument.text, typeOnly: false});
			}
		}

		ts.forEachChild(node, visit);
	};

	visit(tree);
	const from = path.relative(root, file);
	return found
		.filter(({specifier}) => specifier.startsWith('.'))
		.map(({specifier, typeOnly}) => {
			const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '');
			const to = [`${target}.ts`, `${target}.tsx`].find((candidate) => {
				try {
					readFileSync(candidate);
					return true;
				} catch {
					return false;
				}
			});
			return {from, to: path.relative(root, to ?? target), typeOnly};
		});
}

type Part = 'ui' | 'wizard' | 'wizard-command' | 'commands' | 'core' | 'verify' | 'sign-in' | 'secrets' | 'registry' | 'interface' | 'kit' | 'integration' | 'other';

function partOf(file: string): Part {
	const inside = file.replace(/^source\//, '');
	if (inside.startsWith('ui/')) return 'ui';
	if (inside.startsWith('wizard/')) return 'wizard';
	if (inside === 'commands/wizard.ts') return 'wizard-command';
	if (inside.startsWith('commands/') || inside === 'cli.ts') return 'commands';
	if (inside.startsWith('core/')) return 'core';
	if (inside.startsWith('verify/')) return 'verify';
	if (inside.startsWith('sign-in/')) return 'sign-in';
	if (inside.startsWith('secrets/')) return 'secrets';
	if (inside === 'integrations/registry.ts' || inside === 'integrations/first-requests.ts') return 'registry';
	if (inside === 'integrations/types.ts') return 'interface';
	if (inside.startsWith('integrations/kit/')) return 'kit';
	if (inside.startsWith('integrations/')) return 'integration';
	return 'other';
}

/** "integrations/app/harbor" for any file of that integration's folder. */
function integrationFolder(file: string): string | undefined {
	return /^source\/integrations\/(?:app|idp)\/[^/]+/.exec(file)?.[0];
}

/** The broken rules, one sentence each, naming the file and the import. */
export function layeringViolations(edges: readonly Edge[]): string[] {
	const problems: string[] = [];
	for (const {from, to, typeOnly} of edges) {
		const source = partOf(from);
		const target = partOf(to);
		const broken = (rule: string) => problems.push(`${from} imports ${to}: ${rule}`);
		if (target === 'ui' && !['ui', 'wizard', 'wizard-command'].includes(source)) {
			broken('the UI is imported only by the wizard and its command');
		}

		if (source === 'core' && !typeOnly && ['ui', 'wizard', 'wizard-command', 'verify', 'registry', 'interface', 'kit', 'integration'].includes(target)) {
			broken('core imports no UI, wizard, verify or integration module (types aside)');
		}

		if (source === 'core' && typeOnly && ['ui', 'wizard', 'wizard-command', 'verify', 'sign-in'].includes(target)) {
			broken('core imports no UI, wizard, verify or sign-in module, not even its types');
		}

		if (source === 'core' && !typeOnly && target === 'sign-in') {
			broken('core imports no UI, wizard, verify or sign-in module, not even its types');
		}

		if (source === 'sign-in' && !['sign-in', 'core', 'registry', 'interface', 'secrets'].includes(target)) {
			broken('the sign-in proof imports only core, secrets, the registry and the integrations\' interface');
		}

		if (target === 'sign-in' && !['sign-in', 'commands', 'wizard', 'wizard-command', 'ui'].includes(source)) {
			broken('the sign-in proof is used by the commands and the wizard (and its screens) only');
		}

		const fromSide = /^source\/integrations\/(app|idp)\//.exec(from)?.[1];
		const toSide = /^source\/integrations\/(app|idp)\//.exec(to)?.[1];
		if (fromSide && toSide && fromSide !== toSide) {
			broken('IdP and app modules never import each other');
		}

		if (integrationFolder(from) && integrationFolder(to) && integrationFolder(from) !== integrationFolder(to) && fromSide === toSide) {
			broken('an integration imports no other integration: share code through integrations/kit/');
		}

		if (source === 'kit' && target === 'integration') {
			broken('the kit serves the integrations and imports none of them');
		}

		if (!to.startsWith('source/integrations/') || from.startsWith('source/integrations/')) {
			continue;
		}

		if (target !== 'registry' && target !== 'interface') {
			broken('outside integrations/, modules reach integrations only through the registry (integrations/registry.ts, integrations/first-requests.ts) and the interface (integrations/types.ts)');
		}
	}

	return problems;
}

describe('layering (docs/architecture.md)', () => {
	const edges = sourceFiles(source).flatMap((file) => importsOf(file));

	it('reads the imports of every source file, dynamic ones included', () => {
		expect(edges.length).toBeGreaterThan(100);
		expect(edges).toContainEqual({from: 'source/cli.ts', to: 'source/commands/run.ts', typeOnly: false});
		expect(edges).toContainEqual({from: 'source/integrations/registry.ts', to: 'source/integrations/app/harbor/index.ts', typeOnly: false});
	});

	it('breaks none of the allowed arrows', () => {
		expect(layeringViolations(edges)).toEqual([]);
	});

	it('names the file and the rule for each kind of wrong arrow', () => {
		const edge = (from: string, to: string, typeOnly = false): Edge => ({from, to, typeOnly});
		const wrong = layeringViolations([
			edge('source/core/paths.ts', 'source/ui/App.tsx'),
			edge('source/core/paths.ts', 'source/verify/run.ts', true),
			edge('source/core/paths.ts', 'source/integrations/app/harbor/index.ts'),
			edge('source/checklist/build.ts', 'source/ui/App.tsx'),
			edge('source/integrations/idp/authentik/index.ts', 'source/integrations/app/harbor/harbor-api.ts'),
			edge('source/integrations/app/ovh-mpr/index.ts', 'source/integrations/app/harbor/harbor-api.ts'),
			edge('source/integrations/kit/values.ts', 'source/integrations/app/harbor/index.ts'),
			edge('source/verify/run.ts', 'source/integrations/app/harbor/harbor-checks.ts'),
			edge('source/wizard/controller.ts', 'source/integrations/kit/discover.ts'),
			edge('source/sign-in/run.ts', 'source/verify/run.ts'),
			edge('source/verify/run.ts', 'source/sign-in/run.ts'),
		]);
		expect(wrong).toEqual([
			'source/core/paths.ts imports source/ui/App.tsx: the UI is imported only by the wizard and its command',
			'source/core/paths.ts imports source/ui/App.tsx: core imports no UI, wizard, verify or integration module (types aside)',
			'source/core/paths.ts imports source/verify/run.ts: core imports no UI, wizard, verify or sign-in module, not even its types',
			'source/core/paths.ts imports source/integrations/app/harbor/index.ts: core imports no UI, wizard, verify or integration module (types aside)',
			'source/core/paths.ts imports source/integrations/app/harbor/index.ts: outside integrations/, modules reach integrations only through the registry (integrations/registry.ts, integrations/first-requests.ts) and the interface (integrations/types.ts)',
			'source/checklist/build.ts imports source/ui/App.tsx: the UI is imported only by the wizard and its command',
			'source/integrations/idp/authentik/index.ts imports source/integrations/app/harbor/harbor-api.ts: IdP and app modules never import each other',
			'source/integrations/app/ovh-mpr/index.ts imports source/integrations/app/harbor/harbor-api.ts: an integration imports no other integration: share code through integrations/kit/',
			'source/integrations/kit/values.ts imports source/integrations/app/harbor/index.ts: the kit serves the integrations and imports none of them',
			'source/verify/run.ts imports source/integrations/app/harbor/harbor-checks.ts: outside integrations/, modules reach integrations only through the registry (integrations/registry.ts, integrations/first-requests.ts) and the interface (integrations/types.ts)',
			'source/wizard/controller.ts imports source/integrations/kit/discover.ts: outside integrations/, modules reach integrations only through the registry (integrations/registry.ts, integrations/first-requests.ts) and the interface (integrations/types.ts)',
			"source/sign-in/run.ts imports source/verify/run.ts: the sign-in proof imports only core, secrets, the registry and the integrations' interface",
			'source/verify/run.ts imports source/sign-in/run.ts: the sign-in proof is used by the commands and the wizard (and its screens) only',
		]);
	});

	it('finds a dynamic import and tells a type-only import apart', () => {
		const file = path.join(source, 'core', 'example.ts');
		expect(importsOf(file, "import type {A} from '../verify/types.js';\nimport {type B} from './http.js';\nexport {c} from './text.js';\nconst ui = await import('../ui/App.js');\n")).toEqual([
			{from: 'source/core/example.ts', to: 'source/verify/types.ts', typeOnly: true},
			{from: 'source/core/example.ts', to: 'source/core/http.ts', typeOnly: true},
			{from: 'source/core/example.ts', to: 'source/core/text.ts', typeOnly: false},
			{from: 'source/core/example.ts', to: 'source/ui/App.tsx', typeOnly: false},
		]);
	});
});
