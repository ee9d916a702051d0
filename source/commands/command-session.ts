import type {SessionHandle} from '../core/session/integration-context.js';
import {saveSession, type Session} from '../core/session/store.js';
import type {KeychainProbe} from '../secrets/keychain.js';
import type {SessionSecrets} from '../secrets/secrets.js';
import {openSecrets} from './secrets.js';

/**
 * The session a command works on and its secrets. `persist`: every change is saved (apply,
 * rollback); otherwise changes stay in memory (verify never writes). A keychain note goes to stderr.
 */
export async function commandSession(initial: Session, options: {persist: boolean; quiet?: boolean; keychain?: Promise<KeychainProbe>}): Promise<{handle: SessionHandle; secrets: SessionSecrets}> {
	let session = initial;
	const handle: SessionHandle = {
		current: () => session,
		update(change) {
			session = options.persist ? saveSession(change(session)) : change(session);
		},
	};
	const {secrets, note} = await openSecrets(session.id, options.keychain, options.persist);
	if (note && !options.quiet) {
		process.stderr.write(`${note}\n`);
	}

	return {handle, secrets};
}
