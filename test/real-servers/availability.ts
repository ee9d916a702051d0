import {describe, it} from 'vitest';
import {installers, installOne, isInstalled, missingTools, serverDir, type Installer} from '../../scripts/test-servers/install.mjs';

/**
 * Whether a real server (Keycloak, Dex, Portainer, Pocket ID, …) can be had: its tools are on PATH
 * and it is installed in the cache (scripts/test-servers/install.mjs). CI sets
 * SSO_SETUP_REQUIRE_REAL_SERVERS=1: there a missing server is a failure, not a skip.
 */

export type Availability = {available: true; id: string; dir: string; installer: Installer} | {available: false; id: string; reason: string; install: string};

export function realServersRequired(env: NodeJS.ProcessEnv = process.env): boolean {
	return env['SSO_SETUP_REQUIRE_REAL_SERVERS'] === '1';
}

const toolPackages: Record<string, string> = {go: 'Go (1.25 or newer)', java: 'a Java runtime (17 or newer)', mvn: 'Maven', unzip: 'unzip'};

/** Without installing anything: is the server in the cache, and if not, why not. */
export async function serverAvailability(id: string): Promise<Availability> {
	const installer = (await installers()).get(id);
	if (!installer) {
		return {available: false, id, reason: `no installer scripts/test-servers/${id}.mjs`, install: 'restore that file'};
	}

	if (isInstalled(installer)) {
		const missingToRun = missingTools(installer.runtimeTools ?? []);
		if (missingToRun.length > 0) {
			return {available: false, id, reason: `${missingToRun.join(', ')} not on PATH (needed to run it)`, install: `install ${missingToRun.map((tool) => toolPackages[tool] ?? tool).join(' and ')}`};
		}

		return {available: true, id, dir: serverDir(installer), installer};
	}

	const missing = missingTools(installer.tools ?? []);
	if (missing.length > 0) {
		return {available: false, id, reason: `${missing.join(', ')} not on PATH`, install: `install ${missing.map((tool) => toolPackages[tool] ?? tool).join(' and ')}, then run node scripts/test-servers/install.mjs ${id}`};
	}

	return {available: false, id, reason: `not installed in ${serverDir(installer)}`, install: `run node scripts/test-servers/install.mjs ${id}`};
}

/**
 * Installs the server when its tools are present but the cache is empty (so a newcomer's first
 * `npm cit` builds it, printing each step), then tells whether it can be had.
 */
export async function ensureServer(id: string, log: (line: string) => void = (line) => console.log(line)): Promise<Availability> {
	const first = await serverAvailability(id);
	if (first.available || first.reason.includes('not on PATH') || first.reason.startsWith('no installer')) {
		return first;
	}

	const installer = (await installers()).get(id)!;
	try {
		const {dir} = await installOne(installer, {log});
		return {available: true, id, dir, installer};
	} catch (error) {
		return {available: false, id, reason: `its install failed: ${error instanceof Error ? error.message : String(error)}`, install: `fix that, then run node scripts/test-servers/install.mjs ${id}`};
	}
}

/** The visible notice for a skipped real server (global-setup.ts prints it once per run). */
export function skipNotice(missing: Availability & {available: false}): string {
	return `[real servers] Skipping the tests against real ${missing.id}: ${missing.reason}. To run them, ${missing.install}. Set SSO_SETUP_REQUIRE_REAL_SERVERS=1 to make this a failure.`;
}

/**
 * A describe block for tests that need the given real servers. When one cannot be had, its tests
 * are skipped with one notice, or, with SSO_SETUP_REQUIRE_REAL_SERVERS=1, replaced by one failing
 * test that says why. Call it at the top level of a test file with `await`.
 */
export async function describeWithRealServers(name: string, ids: string[], body: (servers: Record<string, Availability & {available: true}>) => void): Promise<void> {
	const skippedOnPurpose = process.env['SSO_SETUP_SKIP_REAL_SERVERS'] === '1';
	const results = skippedOnPurpose
		? ids.map((id): Availability => ({available: false, id, reason: 'SSO_SETUP_SKIP_REAL_SERVERS=1', install: 'unset SSO_SETUP_SKIP_REAL_SERVERS'}))
		: await Promise.all(ids.map((id) => serverAvailability(id)));
	const missing = results.filter((result): result is Availability & {available: false} => !result.available);
	if (missing.length === 0) {
		describe(name, () => {
			body(Object.fromEntries(results.map((result) => [result.id, result as Availability & {available: true}])));
		});
		return;
	}

	if (realServersRequired() && !skippedOnPurpose) {
		describe(name, () => {
			it(`needs the real ${missing.map((m) => m.id).join(', ')} (SSO_SETUP_REQUIRE_REAL_SERVERS=1)`, () => {
				throw new Error(missing.map((m) => `${m.id}: ${m.reason}; ${m.install}`).join('\n'));
			});
		});
		return;
	}

	// The visible notice is printed once per run by the global setup (global-setup.ts).
	describe.skip(`${name} (skipped: real ${missing.map((m) => m.id).join(', ')} not available)`, () => {
		body({});
	});
}
