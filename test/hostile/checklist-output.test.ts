import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

// Issue 13, class 13: `checklist -o` writes through a temporary file only for regular files.
const isRoot = process.getuid?.() === 0;
const directory = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-hostile-output-'));
const checklist = (output: string) => ['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'app_url=https://harbor.example.com', '--set', 'idp_url=https://auth.example.com', '--set', 'slug=harbor', '-o', output];

beforeAll(ensureBuilt);
afterAll(() => {
	rmSync(directory, {recursive: true, force: true});
});

describe('checklist -o on something that is not a regular file (issue 13, class 13)', () => {
	it('-o /dev/stdout writes the checklist to standard output', async () => {
		const result = await cli(newHome('sso-setup-hostile-'), checklist('/dev/stdout'));
		expect(result.code, result.all).toBe(0);
		expect(result.stdout).toContain('# Connect Harbor to authentik');
	});

	it.runIf(isRoot)('-o on a character device writes to it and leaves it a device', async () => {
		const device = path.join(directory, 'null');
		execFileSync('mknod', [device, 'c', '1', '3']);
		const result = await cli(newHome('sso-setup-hostile-'), checklist(device));
		expect(result.code, result.all).toBe(0);
		expect(statSync(device).isCharacterDevice()).toBe(true);
	});

	it('a regular file is still replaced whole, and an unwritable path is named in the error', async () => {
		const file = path.join(directory, 'checklist.md');
		const written = await cli(newHome('sso-setup-hostile-'), checklist(file));
		expect(written.code, written.all).toBe(0);
		expect(readFileSync(file, 'utf8')).toContain('# Connect Harbor to authentik');
		const missing = path.join(directory, 'no-such-directory', 'checklist.md');
		const failed = await cli(newHome('sso-setup-hostile-'), checklist(missing));
		expect(failed.code).toBe(2);
		expect(failed.stderr).toContain(missing);
		expect(failed.stderr).not.toMatch(/\n\s+at |Unexpected error/);
	});
});
