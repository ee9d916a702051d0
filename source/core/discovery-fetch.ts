import {allowInsecureRequests, customFetch, discovery} from 'openid-client';
import {fetchResponse, type HttpClient, type HttpResponse} from './http.js';

/**
 * The provider metadata as openid-client reads it, through our HTTP client; its errors are the
 * caller's to explain. Given the issuer, openid-client compares the issuer the document names with
 * it (normalised); given the discovery URL itself, it does not. Kept apart from discovery.ts so that
 * reading the URL or the schema does not load openid-client.
 */
export async function fetchProviderMetadata(http: HttpClient, step: string, server: URL, clientId: string): Promise<unknown> {
	const fetchFor = http.fetchFor(step);
	const early = requestEarly(http, step, server);
	// openid-client's start is CPU-bound (see requestEarly): let what else is starting now (the
	// other checks of a verification) send its requests first.
	await new Promise((resolve) => setImmediate(resolve));
	// openid-client needs a client id to build a Configuration; only the server metadata is used.
	const configuration = await discovery(server, clientId, undefined, undefined, {
		[customFetch]: async (input, init) => {
			const answer = early.take(String(input), init);
			return answer ? fetchResponse(await answer) : fetchFor(input, init);
		},
		execute: server.protocol === 'http:' ? [allowInsecureRequests] : [],
	});
	return configuration.serverMetadata();
}

/** The headers openid-client asks for the document with, but its user agent (ours says sso-setup, as every request does). */
const documentHeaders = {accept: 'application/json'};

/**
 * The document's request, sent before openid-client makes its own: openid-client first loads Node's
 * fetch classes (undici: some 10 to 20 ms of CPU on a small machine), which then happens while this
 * answer is on its way instead of before the request leaves. openid-client gets this answer when it
 * asks for the same URL, with GET and the same headers; anything else it asks goes out as usual.
 */
function requestEarly(http: HttpClient, step: string, server: URL): {take(url: string, init: {method?: string; headers?: unknown} | undefined): Promise<HttpResponse> | undefined} {
	if (server.protocol !== 'http:' && server.protocol !== 'https:') {
		return {take: () => undefined};
	}

	const url = documentUrl(server);
	let pending: Promise<HttpResponse> | undefined = http.request({method: 'GET', url, step, headers: documentHeaders, expect: 'any'});
	// Whoever takes it handles its failure; one openid-client never asks for is left unread.
	pending.catch(() => {});
	return {
		take(asked, init) {
			if (!pending || asked !== url || (init?.method ?? 'GET').toUpperCase() !== 'GET' || !sameHeaders(init?.headers)) {
				return undefined;
			}

			const taken = pending;
			pending = undefined;
			return taken;
		},
	};
}

/** Where openid-client looks for the document: the URL itself when it names one under /.well-known/, else the issuer's OpenID configuration. */
function documentUrl(server: URL): string {
	if (server.href.includes('/.well-known/')) {
		return server.href;
	}

	const url = new URL(server.href);
	url.pathname = `${url.pathname}/.well-known/openid-configuration`.replace('//', '/');
	return url.href;
}

function sameHeaders(headers: unknown): boolean {
	if (!headers || typeof headers !== 'object' || Object.getPrototypeOf(headers) !== Object.prototype) {
		return false;
	}

	const asked = Object.entries(headers as Record<string, unknown>)
		.map(([name, value]) => [name.toLowerCase(), value] as const)
		.filter(([name]) => name !== 'user-agent');
	const expected = Object.entries(documentHeaders);
	return asked.length === expected.length && expected.every(([name, value]) => asked.some(([askedName, askedValue]) => askedName === name && askedValue === value));
}
