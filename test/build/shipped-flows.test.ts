import {execFile} from 'node:child_process';
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {afterAll, describe, expect, it} from 'vitest';

/** The build validates the shipped flows: a broken one stops it with the loader's own message. */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const copies: string[] = [];
afterAll(() => {
	for (const copy of copies) rmSync(copy, {recursive: true, force: true});
});

function copyOfTheProject(): string {
	const copy = mkdtempSync(path.join(tmpdir(), 'sso-setup-build-test-'));
	copies.push(copy);
	for (const entry of ['source', 'scripts', 'flows', 'package.json', 'tsconfig.json']) {
		cpSync(path.join(root, entry), path.join(copy, entry), {recursive: true});
	}

	symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
	return copy;
}

async function build(directory: string): Promise<{code: number; stderr: string}> {
	try {
		const {stderr} = await run(process.execPath, ['scripts/build.mjs'], {cwd: directory, timeout: 120_000});
		return {code: 0, stderr};
	} catch (error) {
		const failure = error as {code?: number; stderr?: string};
		return {code: failure.code ?? -1, stderr: failure.stderr ?? ''};
	}
}

describe('the build', () => {
	it('fails on a broken shipped flow, naming the file and the field', async () => {
		const copy = copyOfTheProject();
		const harbor = path.join(copy, 'flows', 'apps', 'harbor.yaml');
		writeFileSync(harbor, readFileSync(harbor, 'utf8').replace(/kind: url/, 'kind: address'));
		const result = await build(copy);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('the shipped flows are not valid');
		expect(result.stderr).toMatch(/flows\/apps\/harbor\.yaml: fields\[\d+\] \(\w+\)\.kind: /);
	});

	it('embeds the shipped flows, so a run reads no flow file', async () => {
		const copy = copyOfTheProject();
		expect((await build(copy)).code).toBe(0);
		rmSync(path.join(copy, 'flows', 'apps', 'harbor.yaml'));
		const {stdout} = await run(process.execPath, [path.join(copy, 'bundle', 'cli.cjs'), 'checklist', '--idp', 'oidc', '--app', 'harbor', '--format', 'text'], {timeout: 60_000});
		expect(stdout).toContain('Harbor');
	});
});
