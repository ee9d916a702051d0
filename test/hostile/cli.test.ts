import {execFileSync} from 'node:child_process';
import {copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

/** Hostile files and servers against the built binary. Each case must end (hard bound) with a sentence and exit 1 or 2. */

const bound = 20_000;
beforeAll(ensureBuilt, 120_000);

function expectSentence(result: {code: number; stderr: string; all: string}, code: number, message: RegExp): void {
	expect(result.code, result.all).toBe(code);
	expect(result.stderr).toMatch(message);
	expect(result.stderr).not.toMatch(/\n\s+at |Unexpected error|bad_alloc|heap out of memory/);
}

function flowsDirectory(): string {
	const directory = path.join(newHome('sso-setup-flows-'), 'flows');
	mkdirSync(directory);
	return directory;
}

const checklistArgs = (directory: string) => ['checklist', '--flows', directory, '--idp', 'authentik', '--app', 'harbor'];

describe('class 7: a hostile --flows directory', () => {
	it('a FIFO is reported, not waited on', async () => {
		const directory = flowsDirectory();
		execFileSync('mkfifo', [path.join(directory, 'x.yaml')]);
		expectSentence(await cli(newHome(), checklistArgs(directory)), 2, /x\.yaml: file: is not a regular file \(a named pipe\)/);
	}, bound);

	it('a symlink to /dev/zero is reported, not read', async () => {
		const directory = flowsDirectory();
		symlinkSync('/dev/zero', path.join(directory, 'zero.yaml'));
		expectSentence(await cli(newHome(), checklistArgs(directory)), 2, /zero\.yaml: file: is a symbolic link/);
	}, bound);

	it('a huge file is reported by its size', async () => {
		const directory = flowsDirectory();
		execFileSync('truncate', ['-s', '200M', path.join(directory, 'huge.yaml')]);
		expectSentence(await cli(newHome(), checklistArgs(directory)), 2, /huge\.yaml: file: is too large/);
	}, bound);

	it('a catastrophic pattern is refused when the flow loads', async () => {
		const directory = flowsDirectory();
		const dex = readFileSync('test/fixtures/flows/dex/dex.yaml', 'utf8').replace('    kind: text\n    default: "{{app}}-sso"', '    kind: text\n    pattern: "^(a+)+$"\n    default: "{{app}}-sso"');
		writeFileSync(path.join(directory, 'dex.yaml'), dex);
		const result = await cli(newHome(), ['checklist', '--flows', directory, '--idp', 'dex', '--app', 'harbor', '--set', `client_id=${'a'.repeat(40)}!`]);
		expectSentence(result, 2, /pattern: repeats a group that repeats or alternates inside \(\(a\+\)\+\)/);
	}, bound);

	it('a directory symlink loop is not followed', async () => {
		const directory = flowsDirectory();
		copyFileSync('test/fixtures/flows/dex/dex.yaml', path.join(directory, 'dex.yaml'));
		symlinkSync('.', path.join(directory, 'loop'));
		const result = await cli(newHome(), ['checklist', '--flows', directory, '--idp', 'dex', '--app', 'harbor']);
		expect(result.code, result.all).toBe(0);
	}, bound);
});

describe('class 6: special files in sessions/', () => {
	it('sessions and apply finish next to a FIFO and /dev/zero, naming them', async () => {
		const home = newHome();
		mkdirSync(path.join(home, 'sessions'), {mode: 0o700});
		execFileSync('mkfifo', [path.join(home, 'sessions', 'x.json')]);
		symlinkSync('/dev/zero', path.join(home, 'sessions', 'zero.json'));
		const listed = await cli(home, ['sessions']);
		expect(listed.code, listed.all).toBe(0);
		expect(listed.stderr).toMatch(/x\.json is not a regular file/);
		expect(listed.stderr).toMatch(/zero\.json is a symbolic link/);
		const applied = await cli(home, ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'app_url=https://127.0.0.1:9', '--set', 'issuer=https://127.0.0.1:9/']);
		expect([1, 2]).toContain(applied.code);
	}, bound);
});

describe('class 8: user-info in a URL', () => {
	it('ovh_endpoint=https://admin:pw@host/1.0 is refused with the value masked', async () => {
		const home = newHome();
		const result = await cli(home, ['apply', '--idp', 'oidc', '--app', 'ovh-mpr', '--set', 'ovh_endpoint=https://admin:pw-s3cret@eu.api.ovh.com/1.0']);
		expectSentence(result, 2, /must not contain a user name or password \(https:\/\/\*\*\*@eu\.api\.ovh\.com\/1\.0\)/);
		expect(result.all).not.toContain('pw-s3cret');
	}, bound);

	it('token_url with user-info is refused, masked', async () => {
		const result = await cli(newHome(), ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', 'token_url=https://u:pw-s3cret@idp.example.com/token']);
		expectSentence(result, 2, /\*\*\*@idp\.example\.com/);
		expect(result.all).not.toContain('pw-s3cret');
	}, bound);
});

describe('class 12: validation gaps', () => {
	it('port 0, a 300-character DNS label, a long slug, C1 controls and javascript: are refused', async () => {
		const base = ['checklist', '--idp', 'authentik', '--app', 'harbor'];
		expectSentence(await cli(newHome(), [...base, '--set', 'app_url=https://harbor.example.com:0']), 2, /port 0/);
		expectSentence(await cli(newHome(), [...base, '--set', `app_url=https://${'a'.repeat(70)}.example.com`]), 2, /longer than 63/);
		expectSentence(await cli(newHome(), [...base, '--set', `slug=${'a'.repeat(51)}`]), 2, /at most 50/);
		expectSentence(await cli(newHome(), [...base, '--set', 'slug=harbor\u009b2J']), 2, /control characters/);
		const script = await cli(newHome(), [...base, '--set', 'app_url=javascript:alert(1)']);
		expectSentence(script, 2, /must start with https:\/\/ or http:\/\//);
		expect(script.stderr).not.toContain('https://javascript');
	}, 60_000);

	it('a ca_file that is not PEM, or is a FIFO, is refused', async () => {
		const home = newHome();
		const notPem = path.join(home, 'ca.der');
		writeFileSync(notPem, 'not a certificate');
		const fifo = path.join(home, 'ca.fifo');
		execFileSync('mkfifo', [fifo]);
		const args = (file: string) => ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://127.0.0.1:9/', '--set', 'client_id=harbor', '--set', 'app_url=https://127.0.0.1:9', '--set', `ca_file=${file}`];
		expectSentence(await cli(home, args(notPem)), 2, /holds no PEM certificate/);
		expectSentence(await cli(home, args(fifo)), 2, /is not a regular file/);
	}, bound);
});
