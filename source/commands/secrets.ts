import {memoryStore, openKeychain} from '../secrets/keychain.js';
import {SessionSecrets} from '../secrets/secrets.js';

/**
 * Secrets for a non-interactive command: the keychain when it works, else this run's memory (the
 * environment still provides SSO_SETUP_<KEY>). Never a file. The note says what that means.
 */
export async function openSecrets(sessionId: string): Promise<{secrets: SessionSecrets; note?: string}> {
	const keychain = await openKeychain();
	if (keychain.ok) {
		return {secrets: new SessionSecrets(keychain.store, sessionId)};
	}

	return {
		secrets: new SessionSecrets(memoryStore(), sessionId),
		note: `! The OS keychain cannot be used (${keychain.reason}). Secrets come from SSO_SETUP_<KEY> variables and are kept in memory for this run only; a client secret created now is not saved.`,
	};
}
