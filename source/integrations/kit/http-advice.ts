import {HttpClient} from '../../core/http.js';
import {RemoteError} from '../../core/errors.js';
import type {IntegrationContext} from '../types.js';

const memory = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Computes something once per run: the wizard passes the same context to preflight, plan, apply
 * and confirm, so a sign-in (Portainer bans more than 10 per second) or a clock offset is reused.
 * A failure is forgotten, so the next call tries again.
 */
export function oncePerRun<T>(context: IntegrationContext, name: string, make: () => Promise<T>): Promise<T> {
	let entries = memory.get(context);
	if (!entries) {
		entries = new Map();
		memory.set(context, entries);
	}

	const known = entries.get(name);
	if (known) {
		return known as Promise<T>;
	}

	const created = make();
	entries.set(name, created);
	created.catch(() => entries.delete(name));
	return created;
}

const clients = new WeakMap<object, Map<string, HttpClient>>();

/** The client for the app's own requests: one trusting `ca_file` when it is given. */
export function appHttp(context: IntegrationContext): HttpClient {
	const caFile = context.values['ca_file']?.trim();
	if (!caFile) {
		return context.http;
	}

	let entries = clients.get(context);
	if (!entries) {
		entries = new Map();
		clients.set(context, entries);
	}

	let client = entries.get(caFile);
	if (!client) {
		client = new HttpClient({caFile});
		entries.set(caFile, client);
	}

	return client;
}

/** What to tell the person for a given failure: by status (401, 403, …) or for any 5xx. */
export type StatusAdvice = Partial<Record<number | '5xx', {message?: string; hint: string}>>;

/**
 * Rewrites a RemoteError for a status the integration knows more about (which credential, where
 * to fix it). The step and host stay; anything else passes through unchanged.
 */
export async function withAdvice<T>(call: Promise<T>, advice: StatusAdvice): Promise<T> {
	try {
		return await call;
	} catch (error) {
		throw advise(error, advice);
	}
}

export function advise(error: unknown, advice: StatusAdvice): unknown {
	if (!(error instanceof RemoteError) || error.status === undefined) {
		return error;
	}

	const entry = advice[error.status] ?? (error.status >= 500 ? advice['5xx'] : undefined);
	if (!entry) {
		return error;
	}

	const prefix = `${error.step}: `;
	const suffix = ` (${error.host})`;
	const original = error.message.startsWith(prefix) && error.message.endsWith(suffix) ? error.message.slice(prefix.length, -suffix.length) : error.message;
	return new RemoteError(
		{host: error.host, step: error.step, reason: error.reason, status: error.status, message: entry.message ?? original, hint: entry.hint},
		error,
	);
}

/** The shape check of every answer (core/http-errors.ts), under the name the integrations use. */
export {parseAnswer} from '../../core/http-errors.js';
