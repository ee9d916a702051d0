import type {TestProject} from 'vitest/node';
import {installers} from '../../scripts/test-servers/install.mjs';
import {ensureServer, realServersRequired, serverAvailability, skipNotice, type Availability} from './availability.js';
import {startKeycloak} from './keycloak.js';

/**
 * Once per `vitest run`: installs the real servers whose tools are present but whose cache is empty
 * (printing each step), prints ONE notice naming those that will be skipped, and starts Keycloak,
 * shared with the tests through provide/inject (each test makes its own realm). Keycloak is stopped
 * in the teardown, which vitest runs after failures too.
 *
 * When the run names test files and none of them is under test/real/, nothing is installed or started.
 */

declare module 'vitest' {
	export interface ProvidedContext {
		/** Empty when Keycloak is not available (the tests then skip or fail, see availability.ts). */
		keycloak: {url: string; adminUser: string; adminPassword: string} | undefined;
	}
}

function runsRealTests(): boolean {
	const run = process.argv.indexOf('run');
	const filters = process.argv.slice(run + 1).filter((argument) => !argument.startsWith('-'));
	return filters.length === 0 || filters.some((filter) => filter.includes('real'));
}

export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
	project.provide('keycloak', undefined);
	if (process.env['SSO_SETUP_SKIP_REAL_SERVERS'] === '1' || !runsRealTests()) {
		if (process.env['SSO_SETUP_SKIP_REAL_SERVERS'] === '1') console.warn('[real servers] SSO_SETUP_SKIP_REAL_SERVERS=1: the tests against real servers are skipped.');
		return undefined;
	}

	const log = (line: string) => console.log(line);
	const results: Availability[] = [];
	// Every server with an installer in scripts/test-servers/ (Keycloak, Dex, Pocket ID, the go-oidc check, …).
	for (const id of (await installers()).keys()) {
		results.push(realServersRequired() ? await ensureServer(id, log) : await ensureServer(id, log).catch(() => serverAvailability(id)));
	}

	const missing = results.filter((result): result is Availability & {available: false} => !result.available);
	if (missing.length > 0) {
		console.warn(missing.map((m) => skipNotice(m)).join('\n'));
	}

	const keycloak = results.find((result) => result.id === 'keycloak');
	if (!keycloak?.available) return undefined;
	const server = await startKeycloak(keycloak.dir, {log});
	project.provide('keycloak', {url: server.url, adminUser: server.adminUser, adminPassword: server.adminPassword});
	return async () => {
		await server.stop();
	};
}
