import {describe, it} from 'vitest';
import {type KeychainProbe, openKeychain, type SecretStore} from '../../source/secrets/keychain.js';

let probe: Promise<KeychainProbe> | undefined;

/** Probes the real OS keychain once per test process (a write, a read and a delete). */
export async function probeKeychain(): Promise<KeychainProbe> {
	probe ??= openKeychain();
	return probe;
}

/** CI sets SSO_SETUP_REQUIRE_KEYCHAIN=1: there a missing keychain is a failure, not a skip. */
export function keychainRequired(env: NodeJS.ProcessEnv = process.env): boolean {
	return env['SSO_SETUP_REQUIRE_KEYCHAIN'] === '1';
}

/**
 * A describe block that runs against the real keychain. When the keychain cannot be reached its
 * tests are skipped with a notice on the console, or, when the keychain is required, replaced by
 * one failing test that says why.
 *
 * Call it at the top level of a test file with `await` (vitest collects ESM test files as modules).
 */
export async function describeWithKeychain(name: string, body: (store: () => SecretStore) => void): Promise<void> {
	const result = await probeKeychain();
	if (result.ok) {
		describe(name, () => {
			body(() => result.store);
		});
		return;
	}

	const reason = `the OS keychain is not available: ${result.reason}`;
	if (keychainRequired()) {
		describe(name, () => {
			it('needs the OS keychain (SSO_SETUP_REQUIRE_KEYCHAIN=1)', () => {
				throw new Error(`${reason}. Run the tests inside a D-Bus session with an unlocked gnome-keyring (see test/secrets/keychain.test.ts).`);
			});
		});
		return;
	}

	console.warn(`[keychain] Skipping "${name}": ${reason}. Set SSO_SETUP_REQUIRE_KEYCHAIN=1 to make this a failure.`);
	describe.skip(`${name} (skipped: ${reason})`, () => {
		body(() => {
			throw new Error(reason);
		});
	});
}

/**
 * For test files that gate a whole suite with `describe.runIf(available)`: the same rule as
 * describeWithKeychain (a failure when required, otherwise a skip with a notice).
 */
export async function requireKeychain(): Promise<{available: boolean; reason?: string}> {
	const result = await probeKeychain();
	if (result.ok) {
		return {available: true};
	}

	if (keychainRequired()) {
		throw new Error(`The OS keychain is required here (SSO_SETUP_REQUIRE_KEYCHAIN=1) but cannot be used: ${result.reason}`);
	}

	console.warn(`[keychain] Skipping keychain-dependent tests: ${result.reason}. Run them inside a D-Bus session with an unlocked gnome-keyring (see .ci/run).`);
	return {available: false, reason: result.reason};
}

/** Deletes the keychain entries of every session saved under `home` (test clean-up). */
export async function forgetKeychainEntries(home: string): Promise<void> {
	const result = await probeKeychain();
	if (!result.ok) {
		return;
	}

	const {listSessions} = await import('../../source/core/session/store.js');
	const {SessionSecrets} = await import('../../source/secrets/secrets.js');
	for (const session of listSessions({SSO_SETUP_HOME: home}).sessions) {
		await new SessionSecrets(result.store, session.id, {}).deleteAll();
	}
}
