import {openKeychain} from '../../source/secrets/keychain.js';

/**
 * Whether tests that need the OS keychain can run. In CI (SSO_SETUP_REQUIRE_KEYCHAIN=1, set by
 * .ci/run) a missing keychain is a failure; elsewhere those tests are skipped with a notice.
 */
export async function requireKeychain(): Promise<{available: boolean; reason?: string}> {
	const probe = await openKeychain();
	if (probe.ok) {
		return {available: true};
	}

	if (process.env['SSO_SETUP_REQUIRE_KEYCHAIN'] === '1') {
		throw new Error(`The OS keychain is required here but cannot be used: ${probe.reason}`);
	}

	console.warn(`NOTICE: keychain tests skipped (${probe.reason}). Run them under: dbus-run-session with an unlocked gnome-keyring (see .ci/run).`);
	return {available: false, reason: probe.reason};
}
