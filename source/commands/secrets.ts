import {type KeychainProbe, memoryStore, openKeychain, storeOnceOpened} from '../secrets/keychain.js';
import {SessionSecrets} from '../secrets/secrets.js';

/**
 * Secrets for a non-interactive command: the keychain when it works, else this run's memory (the
 * environment still provides SSO_SETUP_<KEY>). Never a file. The note says what that means.
 */
export async function openSecrets(sessionId: string, probe: Promise<KeychainProbe> = openKeychain(), writes = true): Promise<{secrets: SessionSecrets; note?: string}> {
	const keychain = await probe;
	if (keychain.ok) {
		return {secrets: new SessionSecrets(keychain.store, sessionId)};
	}

	return {secrets: new SessionSecrets(memoryStore(), sessionId), note: keychainNote(keychain.reason, writes)};
}

/**
 * The same secrets, the keychain asked only when one is needed: values from SSO_SETUP_<KEY> are
 * read at once, and the keychain is probed on the first read the environment cannot answer (or at
 * once when `now`). `noted` settles once what `openSecrets` would say has been written (at once
 * while no probe ran).
 */
export function openSecretsOnDemand(sessionId: string, options: {say: (note: string) => void; writes?: boolean; now?: boolean}): {secrets: SessionSecrets; noted(): Promise<void>} {
	const {say, writes = true} = options;
	let said: Promise<void> = Promise.resolve();
	const probe = () => {
		const opened = openKeychain();
		// Registered before the store's own reaction: the note comes before the value it delays.
		said = opened.then((keychain) => {
			if (!keychain.ok) say(keychainNote(keychain.reason, writes));
		});
		return opened;
	};

	return {secrets: new SessionSecrets(storeOnceOpened(options.now ? probe() : probe), sessionId), noted: async () => said};
}

function keychainNote(reason: string, writes: boolean): string {
	// Only a command that writes can create a client secret (apply registering one); verify creates nothing.
	return `! The OS keychain cannot be used (${reason}). Secrets come from SSO_SETUP_<KEY> variables${writes ? ' and are kept in memory for this run only; a client secret created now is not saved' : ''}.`;
}
