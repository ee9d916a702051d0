import {readFileSync} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {describe, expect, it} from 'vitest';

/**
 * What loads before the wizard's first frame and before verify's first requests: the modules a
 * file imports statically (not type-only, not import()), transitively. Neither may reach zod or
 * openid-client: their schemas and their start-up come after (see docs/architecture.md).
 */

const root = path.resolve(import.meta.dirname, '../..');

function runtimeImports(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const tree = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
	const found: string[] = [];
	for (const node of tree.statements) {
		if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
			const clause = node.importClause;
			const bindings = clause?.namedBindings;
			const typeOnly = Boolean(clause?.isTypeOnly) || (clause !== undefined && !clause.name && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly));
			if (!typeOnly) found.push(node.moduleSpecifier.text);
		} else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
			found.push(node.moduleSpecifier.text);
		}
	}

	return found;
}

function resolveRelative(from: string, specifier: string): string | undefined {
	const target = path.resolve(path.dirname(from), specifier).replace(/\.js$/, '');
	for (const candidate of [`${target}.ts`, `${target}.tsx`]) {
		try {
			readFileSync(candidate);
			return candidate;
		} catch {}
	}

	return undefined;
}

/** The packages the static closure of `entries` imports, each with the chain that reaches it. */
function packagesReached(entries: string[]): Map<string, string[]> {
	const reached = new Map<string, string[]>();
	const seen = new Map<string, string[]>();
	const queue = entries.map((entry) => path.join(root, entry));
	for (const entry of queue) seen.set(entry, [path.relative(root, entry)]);
	while (queue.length > 0) {
		const file = queue.shift()!;
		const chain = seen.get(file)!;
		for (const specifier of runtimeImports(file)) {
			if (!specifier.startsWith('.')) {
				const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
				if (!reached.has(name)) reached.set(name, chain);
				continue;
			}

			const target = resolveRelative(file, specifier);
			if (target && !seen.has(target)) {
				seen.set(target, [...chain, path.relative(root, target)]);
				queue.push(target);
			}
		}
	}

	return reached;
}

const late = ['zod', 'openid-client'];
const reachedLate = (entries: string[]) => [...packagesReached(entries)].filter(([name]) => late.includes(name)).map(([name, chain]) => `${name} via ${chain.join(' → ')}`);

describe('what loads first', () => {
	it("the wizard's first frame loads no schema library and no openid-client", () => {
		expect(reachedLate(['source/cli.ts', 'source/commands/run.ts', 'source/commands/wizard.ts', 'source/ui/render.tsx'])).toEqual([]);
	});

	it("verify's first part (up to its first requests) loads no schema library and no openid-client", () => {
		expect(reachedLate(['source/cli.ts', 'source/commands/run.ts', 'source/commands/verify.ts'])).toEqual([]);
	});

	it("the launcher and the file it requires for verify's first requests load no schema library and no openid-client", () => {
		// launcher.ts requires bundle/verify-early.cjs by path, which no import names: both are entries.
		expect(reachedLate(['source/launcher.ts', 'source/commands/verify-early.ts'])).toEqual([]);
	});

	it('the check sees what it should: the checks that follow do load them', () => {
		expect(reachedLate(['source/commands/verify-checks.ts']).map((line) => line.split(' ')[0]).sort()).toEqual(['openid-client', 'zod']);
	});
});
