import type {z} from 'zod';
import {RemoteError} from '../../core/errors.js';
import {extractErrorDetail, parseAnswer, unexpectedAnswer} from '../../core/http-errors.js';
import {parseJsonBody, type HttpClient, type HttpRequest, type HttpResponse} from '../../core/http.js';

/**
 * JSON calls to the IdP admin APIs: the answer is validated with a zod schema at the boundary,
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
