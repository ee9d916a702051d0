import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';

/** Helpers the wizard offers after the automatic checks; they act on this machine, never on the IdP or the app. */

/** execa is loaded when an action runs: the wizard's first frame should not wait for it. */
async function loadExeca() {
	return (await import('execa')).execa;
}

export type InteractiveResult = {status: 'pass' | 'fail' | 'skipped'; seen: string; fix?: string};

function browserCommand(url: string): {command: string; args: string[]; windowsVerbatimArguments?: boolean} {
	switch (process.platform) {
		case 'darwin': {
			return {command: 'open', args: [url]};
		}

		case 'win32': {
			// `start` is a cmd built-in; its first quoted argument is a window title, and & must be escaped for cmd.
			return {command: 'cmd', args: ['/c', 'start', '""', url.replaceAll('&', '^&')], windowsVerbatimArguments: true};
		}

		default: {
			return {command: 'xdg-open', args: [url]};
		}
	}
}

export async function openInBrowser(url: string): Promise<InteractiveResult> {
	if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
		return {status: 'fail', seen: `"${url}" is not an http(s) address.`};
	}

	const {command, args, windowsVerbatimArguments} = browserCommand(url);
	const execa = await loadExeca();
	const result = await execa(command, args, {reject: false, stdio: 'ignore', timeout: 15_000, ...(windowsVerbatimArguments ? {windowsVerbatimArguments} : {})});
	if (!result.failed) {
		return {status: 'pass', seen: `Opened ${url} in the browser.`};
	}

	return {
		status: 'fail',
		seen: result.code === 'ENOENT' ? `No browser could be started (${command} is not installed).` : `${command} could not open the browser (exit code ${result.exitCode ?? 'none'}).`,
		fix: `Open ${url} yourself.`,
	};
}

/**
 * `docker login` with a Harbor CLI secret, given on stdin (never on the command line, where `ps`
 * shows it). Proves the secret works for the registry without printing it.
 */
export async function dockerLogin(login: {host: string; username: string; cliSecret: string}): Promise<InteractiveResult> {
	const execa = await loadExeca();
	const version = await execa('docker', ['--version'], {reject: false, timeout: 15_000});
	if (version.failed) {
		return {status: 'skipped', seen: version.code === 'ENOENT' ? 'docker is not installed here.' : 'docker does not answer here.', fix: `Run docker login ${login.host} where docker is installed.`};
	}

	// A throw-away docker config: the test login must not store the CLI secret in ~/.docker/config.json
	// nor replace a login the person already has for this registry.
	const config = await mkdtemp(path.join(tmpdir(), 'sso-setup-docker-'));
	const result = await execa('docker', ['login', login.host, '--username', login.username, '--password-stdin'], {input: login.cliSecret, env: {DOCKER_CONFIG: config}, reject: false, timeout: 60_000}).finally(async () => rm(config, {recursive: true, force: true}));
	const hide = (text: string) => (login.cliSecret ? text.replaceAll(login.cliSecret, '[secret]') : text);
	const lastLine = (text: string) => hide(text.trim().split('\n').at(-1) ?? '');
	if (!result.failed) {
		return {status: 'pass', seen: `docker login ${login.host} as ${login.username}: ${lastLine(String(result.stdout)) || 'succeeded'}.`};
	}

	return {
		status: 'fail',
		seen: `docker login ${login.host} as ${login.username} failed: ${lastLine(String(result.stderr)) || `exit code ${result.exitCode ?? 'none'}`}.`,
		fix: 'Copy the CLI secret again from Harbor (your name, top right → User Profile). If it worked before and stopped, the IdP gives Harbor no refresh token: add the offline_access scope.',
	};
}
