import {HttpClient, type HttpOptions} from '../../source/core/http.js';
import type {IntegrationContext} from '../../source/integrations/types.js';

/** An integration context kept in memory, for tests of one integration without sessions or keychain. */
export function memoryContext(
	values: Record<string, string>,
	secrets: Record<string, string> = {},
	httpOptions: HttpOptions = {timeoutMs: 5000},
): IntegrationContext & {values: Record<string, string>; secrets: Record<string, string>; store: Map<string, unknown>; messages: string[]} {
	const store = new Map<string, unknown>();
	const messages: string[] = [];
	const context = {
		values,
		secrets,
		store,
		messages,
		async secret(key: string) {
			return secrets[key];
		},
		async setSecret(key: string, value: string) {
			secrets[key] = value;
		},
		async setValue(key: string, value: string) {
			values[key] = value;
		},
		artifacts: {
			get: (name: string) => structuredClone(store.get(name)),
			async set(name: string, value: unknown) {
				store.set(name, structuredClone(value));
			},
		},
		http: new HttpClient(httpOptions),
		progress(message: string) {
			messages.push(message);
		},
	};
	return context;
}

/** A new run of the same session: fresh memory (no cached sign-in), the same saved artifacts. */
export function resumedContext(previous: ReturnType<typeof memoryContext>): ReturnType<typeof memoryContext> {
	const next = memoryContext({...previous.values}, {...previous.secrets});
	for (const [name, value] of previous.store) {
		next.store.set(name, structuredClone(value));
	}

	return next;
}
