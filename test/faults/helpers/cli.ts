import {existsSync, mkdtempSync, readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {execa, type ResultPromise} from 'execa';
import {expect} from 'vitest';
import {listSessions, loadSession, type Session} from '../../../source/core/session/store.js';
import {binary} from '../../helpers/pty.js';

/** The built binary run as a script runs it: no terminal, its own state directory, secrets in the environment. */

export type CliResult = {code: number; signal: string | undefined; stdout: string; stderr: string; all: string};

export function newHome(prefix = 'sso-setup-faults-'): string {
	return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function ensureBuilt(): Promise<void> {
	if (!existsSync(binary)) {
		await execa('node', ['scripts/build.mjs']);
	}
}

/** Starts the binary; the caller may kill it. */
export function startCli(home: string, args: readonly string[], env: Record<string, string> = {}): ResultPromise<{reject: false; stdin: 'ignore'}> {
	return execa('node', [binary, ...args], {env: {SSO_SETUP_HOME: home, NO_COLOR: '1', ...env}, reject: false, stdin: 'ignore'});
}

export async function cli(home: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
	return settle(startCli(home, args, env));
}

export async function settle(running: ReturnType<typeof startCli>): Promise<CliResult> {
	const result = await running;
	const stdout = String(result.stdout);
	const stderr = String(result.stderr);
	return {code: result.exitCode ?? -1, signal: result.signal ?? undefined, stdout, stderr, all: `${stdout}\n${stderr}`};
}

/**
 * What a failed command must print: "✖ <step>: <what happened> (<host>)", then an indented hint,
 * nothing else on stderr (no stack trace), and exit 1.
 */
export function expectOneSentenceFailure(result: CliResult, expected: {step: string; host: string}): void {
	expect(result.code, result.all).toBe(1);
	expect(result.stderr).not.toMatch(/\n\s+at |\bat .+\.(?:m?js|ts):\d+:\d+|Unexpected error|Error:/);
	const lines = result.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('! '));
	expect(lines, result.stderr).toHaveLength(2);
	expect(lines[0]!.startsWith(`✖ ${expected.step}`), lines[0]).toBe(true);
	expect(lines[0]).toContain(`(${expected.host})`);
	expect(lines[1]!.startsWith('  '), lines[1]).toBe(true);
	expect(lines[1]!.trim().length).toBeGreaterThan(10);
}

/**
 * The state directory holds only complete, valid session files (the atomic writes left no temp
 * file behind), and returns them.
 */
export function tidySessions(home: string): Session[] {
	const directory = path.join(home, 'sessions');
	if (!existsSync(directory)) {
		return [];
	}

	const entries = readdirSync(directory);
	for (const entry of entries) {
		expect(entry, `unexpected file in ${directory}`).toMatch(/^[a-z0-9][a-z0-9-]{2,80}\.json$/);
	}

	const sessions = entries.map((entry) => loadSession(entry.replace(/\.json$/, ''), {SSO_SETUP_HOME: home}));
	expect(listSessions({SSO_SETUP_HOME: home}).problems).toEqual([]);
	return sessions;
}

/** Forgets every session of the state directory, keychain entries included. */
export async function forgetAll(home: string): Promise<void> {
	for (const session of listSessions({SSO_SETUP_HOME: home}).sessions) {
		await cli(home, ['sessions', 'forget', session.id]);
	}
}

/** The backup holds Harbor's settings as they were before the first run, not what sso-setup wrote. */
export function expectOriginalBackup(session: Session, original: Record<string, unknown>): void {
	const backup = session.artifacts['app-backup'] as {app: string; settings: Record<string, unknown>};
	expect(backup.app).toBe('harbor');
	expect(Object.keys(backup.settings).length).toBeGreaterThan(5);
	for (const [key, value] of Object.entries(backup.settings)) {
		expect(value, key).toEqual(original[key]);
	}
}

/** Every setting is back as it was, except the client secret, which Harbor never shows (and rollback says so). */
export function expectRestored(harbor: {config: Record<string, unknown>}, original: Record<string, unknown>): void {
	for (const [key, value] of Object.entries(original)) {
		if (key !== 'oidc_client_secret') {
			expect(harbor.config[key], key).toEqual(value);
		}
	}
}
