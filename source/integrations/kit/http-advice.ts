import type {z} from 'zod';
import {RemoteError} from '../../core/errors.js';
import {extractErrorDetail, parseAnswer, unexpectedAnswer} from '../../core/http-errors.js';
import {HttpClient, parseJsonBody, type HttpRequest, type HttpResponse} from '../../core/http.js';
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
export {parseAnswer};

// ---------------------------------------------------------------- admin API calls

/**
 * JSON calls to the admin APIs (the IdPs use them): the answer is validated with a zod schema at the boundary,
 * 401/403 go to the integration's own `refuse` (which knows which credential or permission to
 * name), every other unexpected status is left to HttpClient's messages.
 */

export type ApiRequest<T> = Omit<HttpRequest, 'expect'> & {
	schema: z.ZodType<T>;
	/** Statuses that carry the wanted answer. Default: 200 and 201. */
	ok?: readonly number[];
	/** What this call needs on the IdP side, named when it is refused for lack of permission. */
	permission?: string;
};

/** Turns a 401/403 into an error that names the credential or the permission; undefined leaves the default. */
export type Refuse = (response: HttpResponse, request: Omit<HttpRequest, 'expect'> & {permission?: string}) => Error | undefined;

const authStatuses = [401, 403] as const;

export async function callJson<T>(http: HttpClient, request: ApiRequest<T>, refuse: Refuse): Promise<T> {
	const {response} = await send(http, request, request.ok ?? [200, 201], [], refuse);
	return parse(response, request);
}

/** Like callJson, but an answer with one of the `absent` statuses (default 404) gives undefined. */
export async function findJson<T>(http: HttpClient, request: ApiRequest<T> & {absent?: readonly number[]}, refuse: Refuse): Promise<T | undefined> {
	const absent = request.absent ?? [404];
	const {response} = await send(http, request, request.ok ?? [200], absent, refuse);
	return absent.includes(response.status) ? undefined : parse(response, request);
}

/** A call whose body does not matter (201 with a Location header, 204): returns the raw response. */
export async function callRaw(http: HttpClient, request: Omit<ApiRequest<unknown>, 'schema'> & {also?: readonly number[]}, refuse: Refuse): Promise<HttpResponse> {
	const {response} = await send(http, request, request.ok ?? [200, 201, 204], request.also ?? [], refuse);
	return response;
}

async function send(
	http: HttpClient,
	request: Omit<ApiRequest<unknown>, 'schema'>,
	ok: readonly number[],
	also: readonly number[],
	refuse: Refuse,
): Promise<{response: HttpResponse}> {
	const {method, url, step, headers, json, body, form, timeoutMs} = request;
	const response = await http.request({method, url, step, headers, json, body, form, timeoutMs, expect: [...ok, ...also, ...authStatuses.filter((status) => !ok.includes(status) && !also.includes(status))]});
	if ((authStatuses as readonly number[]).includes(response.status) && !ok.includes(response.status) && !also.includes(response.status)) {
		throw refuse(response, request) ?? authFailure(response, request.step);
	}

	return {response};
}

function parse<T>(response: HttpResponse, request: ApiRequest<T>): T {
	return parseAnswer(request.schema, parseJsonBody(response, request.step), {url: response.url, step: request.step, status: response.status});
}

export function unexpected(response: HttpResponse, step: string, message: string, hint?: string): RemoteError {
	return unexpectedAnswer({url: response.url, step, status: response.status}, message, hint);
}

function authFailure(response: HttpResponse, step: string): RemoteError {
	const host = new URL(response.url).host;
	const detail = extractErrorDetail(response.text);
	const suffix = detail ? `: ${detail}` : '';
	return response.status === 401
		? new RemoteError({host, step, status: 401, reason: 'http-401', message: `the credentials were refused (HTTP 401${suffix})`, hint: 'Check the administrator credential for this server.'})
		: new RemoteError({host, step, status: 403, reason: 'http-403', message: `permission denied (HTTP 403${suffix})`, hint: 'Use an administrator account.'});
}
