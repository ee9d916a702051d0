import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {inject} from 'vitest';
import {binary} from '../helpers/pty.js';
import {createRealm, type KeycloakRealm} from '../real-servers/keycloak.js';

/** The built binary, run as a script would (see test/cli/apply.test.ts). */
export async function ensureBinary(): Promise<void> {
	if (!existsSync(binary)) await execa('node', ['scripts/build.mjs']);
}

export type Cli = {
	home: string;
	run(args: string[], env?: Record<string, string>): Promise<{code: number; stdout: string; stderr: string; all: string}>;
	cleanUp(): Promise<void>;
};

export function cli(prefix = 'sso-setup-real-'): Cli {
	const home = mkdtempSync(path.join(tmpdir(), prefix));
	const run: Cli['run'] = async (args, env = {}) => {
		const result = await execa('node', [binary, ...args], {env: {SSO_SETUP_HOME: home, NO_COLOR: '1', ...env}, reject: false, stdin: 'ignore', timeout: 120_000});
		return {code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), all: `${String(result.stdout)}\n${String(result.stderr)}`};
	};

	return {
		home,
		run,
		async cleanUp() {
			const {listSessions} = await import('../../source/core/session/store.js');
			for (const session of listSessions({SSO_SETUP_HOME: home}).sessions) await run(['sessions', 'forget', session.id]);
			rmSync(home, {recursive: true, force: true});
		},
	};
}

/** The Keycloak the global setup started (undefined when it is not available). */
export function sharedKeycloak() {
	return inject('keycloak');
}

export async function freshRealm(prefix: string): Promise<KeycloakRealm> {
	const keycloak = sharedKeycloak();
	if (!keycloak) throw new Error('Keycloak was not started by the global setup (test/real-servers/global-setup.ts)');
	return createRealm(keycloak, prefix);
}

/** The check lines of `verify --json`. */
export type CheckResult = {id: string; status: string; seen?: string; fix?: string};

export function checks(stdout: string): CheckResult[] {
	const parsed = JSON.parse(stdout) as {checks?: CheckResult[]} | CheckResult[];
	return Array.isArray(parsed) ? parsed : (parsed.checks ?? []);
}
