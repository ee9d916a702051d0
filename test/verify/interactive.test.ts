import {chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {dockerLogin, openInBrowser} from '../../source/verify/interactive.js';

/** The interactive extras run real commands: here, small stand-in scripts put first on PATH. */

const originalPath = process.env['PATH'];
let bin: string;
let log: string;

function script(name: string, body: string): void {
	const file = path.join(bin, name);
	writeFileSync(file, `#!/bin/sh\n${body}\n`);
	chmodSync(file, 0o755);
}

beforeEach(() => {
	bin = mkdtempSync(path.join(tmpdir(), 'sso-setup-bin-'));
	log = path.join(bin, 'calls.log');
	process.env['PATH'] = `${bin}${path.delimiter}${originalPath ?? ''}`;
});

afterEach(() => {
	process.env['PATH'] = originalPath;
});

const fakeDocker = `
if [ "$1" = "--version" ]; then echo "Docker version 27.3.1"; exit 0; fi
printf '%s\\n' "$*" >> "${'$'}{0%/*}/calls.log"
secret=$(cat)
printf 'stdin:%s\\n' "$secret" >> "${'$'}{0%/*}/calls.log"
if [ "$secret" = "Cli-Secret-123" ]; then echo "Login Succeeded"; exit 0; fi
echo "Error response from daemon: Get \\"https://$2/v2/\\": unauthorized: authentication required (password $secret)" >&2
exit 1`;

describe.runIf(process.platform !== 'win32')('interactive extras', () => {
	it('docker login gives the CLI secret on stdin, never as an argument, and reports success', async () => {
		script('docker', fakeDocker);
		const result = await dockerLogin({host: 'harbor.example.test', username: 'alice', cliSecret: 'Cli-Secret-123'});
		expect(result).toEqual({status: 'pass', seen: 'docker login harbor.example.test as alice: Login Succeeded.'});
		const calls = readFileSync(log, 'utf8').split('\n');
		expect(calls[0]).toBe('login harbor.example.test --username alice --password-stdin');
		expect(calls[1]).toBe('stdin:Cli-Secret-123');
	});

	it('docker login reports a refused secret without repeating it', async () => {
		script('docker', fakeDocker);
		const result = await dockerLogin({host: 'harbor.example.test', username: 'alice', cliSecret: 'Expired-Secret-9'});
		expect(result.status).toBe('fail');
		expect(result.seen).toContain('unauthorized: authentication required');
		expect(JSON.stringify(result)).not.toContain('Expired-Secret-9');
		expect(result.fix).toContain('offline_access');
	});

	it('docker login is skipped where docker is not installed', async () => {
		process.env['PATH'] = bin;
		const result = await dockerLogin({host: 'harbor.example.test', username: 'alice', cliSecret: 'Cli-Secret-123'});
		expect(result.status).toBe('skipped');
		expect(result.seen).toContain('not installed');
	});

	it('opens a URL with the platform opener', async () => {
		const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
		script(opener, `printf '%s\\n' "$@" >> "${'$'}{0%/*}/calls.log"`);
		const url = 'https://harbor.example.test/c/oidc/login?redirect_url=/harbor&x=1';
		expect(await openInBrowser(url)).toEqual({status: 'pass', seen: `Opened ${url} in the browser.`});
		expect(readFileSync(log, 'utf8')).toBe(`${url}\n`);
	});

	it('refuses what is not an http(s) URL, and says to open it by hand when no opener exists', async () => {
		script('xdg-open', `printf '%s\\n' "$@" >> "${'$'}{0%/*}/calls.log"`);
		expect((await openInBrowser('file:///etc/passwd')).status).toBe('fail');
		expect(existsSync(log)).toBe(false);
		process.env['PATH'] = mkdtempSync(path.join(tmpdir(), 'sso-setup-empty-'));
		const result = await openInBrowser('https://portainer.example.test/#!/internal-auth');
		expect(result).toMatchObject({status: 'fail', fix: 'Open https://portainer.example.test/#!/internal-auth yourself.'});
	});
});
