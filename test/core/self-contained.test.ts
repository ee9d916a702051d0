import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

/** The repository stands alone: no code, test, script or CI file reaches outside it. */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Names of the shared folder laid beside checkouts on the project's machines. */
const sharedFolder = /\.\.\/shared\b|['"]shared['"]\s*,\s*['"](contracts|reference|tools|design\.md)['"]/;
const relativeLiteral = /['"`]((?:\.\.\/)+[^'"`\s]*)['"`]/g;
const parentSegments = /((?:['"]\.\.['"]\s*,\s*)+)/g;

/** Every place in a file that names a path above the repository's root. */
function escapes(file: string, text: string): string[] {
	const directory = path.dirname(path.join(root, file));
	const found: string[] = [];
	if (sharedFolder.test(text)) found.push(`${file}: names the shared folder beside the checkout`);
	for (const match of text.matchAll(relativeLiteral)) {
		const target = path.resolve(directory, match[1]!);
		if (path.relative(root, target).startsWith('..')) found.push(`${file}: ${match[1]}`);
	}
	for (const match of text.matchAll(parentSegments)) {
		const ups = match[1]!.split(',').filter(part => part.includes('..')).length;
		if (path.relative(root, path.resolve(directory, ...Array.from({length: ups}, () => '..'))).startsWith('..')) {
			found.push(`${file}: ${ups} × '..'`);
		}
	}
	return found;
}

function trackedCodeFiles(): string[] {
	const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {cwd: root, encoding: 'utf8'});
	return listed
		.split('\n')
		.filter(file => /^(source|test|scripts|bench|\.ci|flows)\//.test(file) || /^[^/]+\.(ts|mjs|json)$/.test(file))
		.filter(file => !file.startsWith('test/contracts/') && file !== 'test/core/self-contained.test.ts')
		.filter(file => /\.(ts|tsx|mjs|js|json|ya?ml|sh)$|^\.ci\//.test(file));
}

describe('the repository is self-contained', () => {
	it('names no path outside the checkout', () => {
		const files = trackedCodeFiles();
		expect(files.length).toBeGreaterThan(50);
		const offenders = files.flatMap(file => {
			return escapes(file, readFileSync(path.join(root, file), 'utf8'));
		});
		expect(offenders).toEqual([]);
	});
});
