import type {HttpClient} from './http.js';

/**
 * The provider metadata as openid-client reads it, through our HTTP client; its errors are the
 * caller's to explain. Given the issuer, openid-client compares the issuer the document names with
 * it (normalised); given the discovery URL itself, it does not. Kept apart from discovery.ts so that
 * reading the URL or the schema does not load openid-client, and openid-client itself loads only
 * once the document's request is on its way.
 */
export async function fetchProviderMetadata(http: HttpClient, step: string, server: URL, clientId: string): Promise<unknown> {
	const fetchFor = http.fetchFor(step);
	await requestDocumentEarly(http, step, server);
	// openid-client's start is CPU-bound (see requestDocumentEarly): let what else is starting now
	// (the other checks of a verification) send its requests first.
	await new Promise((resolve) => setImmediate(resolve));
	const {allowInsecureRequests, customFetch, discovery} = await import('openid-client');
	// openid-client needs a client id to build a Configuration; only the server metadata is used.
	const configuration = await discovery(server, clientId, undefined, undefined, {
		[customFetch]: fetchFor,
		execute: server.protocol === 'http:' ? [allowInsecureRequests] : [],
	});
	return configuration.serverMetadata();
}

/** The headers openid-client asks for the document with (the user agent aside: ours says sso-setup, as every request does). */
const documentHeaders = {accept: 'application/json'};

/**
 * Sends the document's request before openid-client makes its own: openid-client and Node's fetch
 * classes (undici: some 10 to 20 ms of CPU on a small machine) then load while the answer is on its
 * way, instead of before the request leaves. openid-client's own request (GET, the same URL and
 * headers) takes this answer. A command may call it as soon as it knows the server.
 */
export async function requestDocumentEarly(http: HttpClient, step: string, server: URL): Promise<void> {
	if (server.protocol === 'http:' || server.protocol === 'https:') {
		await http.early({method: 'GET', url: documentUrl(server), step, headers: documentHeaders, expect: 'any'});
	}
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
