import {allowInsecureRequests, customFetch, discovery} from 'openid-client';
import type {HttpClient} from './http.js';

/**
 * The provider metadata as openid-client reads it, through our HTTP client; its errors are the
 * caller's to explain. Given the issuer, openid-client compares the issuer the document names with
 * it (normalised); given the discovery URL itself, it does not. Kept apart from discovery.ts so that
 * reading the URL or the schema does not load openid-client.
 */
export async function fetchProviderMetadata(http: HttpClient, step: string, server: URL, clientId: string): Promise<unknown> {
	// openid-client needs a client id to build a Configuration; only the server metadata is used.
	const configuration = await discovery(server, clientId, undefined, undefined, {
		[customFetch]: http.fetchFor(step),
		execute: server.protocol === 'http:' ? [allowInsecureRequests] : [],
	});
	return configuration.serverMetadata();
}
