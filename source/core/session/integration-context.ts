import {computeValues, type Pair} from '../flows/pair.js';
import {HttpClient} from '../http.js';
import type {Session} from './store.js';
import type {IntegrationContext} from '../../integrations/types.js';
import type {SessionSecrets} from '../../secrets/secrets.js';

/** Reads and changes the session that an automated step works on; every change is saved. */
export type SessionHandle = {
	current(): Session;
	update(change: (session: Session) => Session, presentSecret?: string): void;
};

/**
 * The IntegrationContext for one automated step, built from the saved session. Values are a
 * snapshot: build a new context after a step that changed them (registration sets client_id).
 */
export function buildContext(pair: Pair, handle: SessionHandle, secrets: SessionSecrets, progress: (message: string) => void = () => {}): IntegrationContext {
	const values = computeValues(pair, handle.current().answers);
	const caFile = values['ca_file'];
	return {
		values,
		secret: async (key) => secrets.get(key),
		async setSecret(key, value) {
			await secrets.set(key, value);
			handle.update((session) => ({...session, secrets: [...new Set([...session.secrets, key])]}), key);
		},
		async setValue(key, value) {
			handle.update((session) => ({...session, answers: {...session.answers, [key]: value}}));
		},
		artifacts: {
			get: (name) => structuredClone(handle.current().artifacts[name]),
			async set(name, value) {
				handle.update((session) => ({...session, artifacts: {...session.artifacts, [name]: structuredClone(value)}}));
			},
		},
		http: new HttpClient(caFile ? {caFile} : {}),
		progress,
	};
}
