import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import {testPki} from './tls.js';

/**
 * The two servers of issue 13, class 2, as it was found: a discovery document served over TLS
 * (verified against the test CA) that names a plain-HTTP token endpoint, and a plain-HTTP listener
 * there that records whether any credential arrived.
 */

export type PlainListener = {url: string; authorizations: string[]; bodies: string[]; close: () => Promise<void>};

async function listen(server: http.Server | https.Server, scheme: 'http' | 'https'): Promise<string> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: http.Server | https.Server): () => Promise<void> {
	return async () => {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	};
}

/** Records the Authorization header and the body of every request, and answers invalid_grant. */
export async function plainHttpListener(): Promise<PlainListener> {
	const authorizations: string[] = [];
	const bodies: string[] = [];
	const server = http.createServer((request, response) => {
		if (request.headers.authorization) authorizations.push(request.headers.authorization);
		let body = '';
		request.on('data', (chunk: Buffer) => (body += chunk.toString()));
		request.on('end', () => {
			bodies.push(body);
			response.writeHead(400, {'content-type': 'application/json'}).end('{"error":"invalid_grant"}');
		});
	});
	return {url: await listen(server, 'http'), authorizations, bodies, close: closer(server)};
}

export type TlsDiscovery = {issuer: string; close: () => Promise<void>};

/**
 * An https:// issuer on 127.0.0.1 whose discovery document names `endpoints` (each defaults to a
 * path of the issuer); its other paths answer {} (and /jwks an empty key set).
 */
export async function tlsDiscovery(endpoints: {token?: string; authorization?: string; userinfo?: string} = {}): Promise<TlsDiscovery> {
	let issuer = '';
	const server = https.createServer(testPki().server, (request, response) => {
		if (request.url === '/.well-known/openid-configuration') {
			const document = {
				issuer,
				authorization_endpoint: endpoints.authorization ?? `${issuer}authorize`,
				token_endpoint: endpoints.token ?? `${issuer}token`,
				jwks_uri: `${issuer}jwks`,
				userinfo_endpoint: endpoints.userinfo ?? `${issuer}userinfo`,
				response_types_supported: ['code'],
				subject_types_supported: ['public'],
				id_token_signing_alg_values_supported: ['RS256'],
				scopes_supported: ['openid', 'profile', 'email'],
			};
			response.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(document));
			return;
		}

		response.writeHead(200, {'content-type': 'application/json'}).end(request.url === '/jwks' ? '{"keys":[]}' : '{}');
	});
	issuer = `${await listen(server, 'https')}/`;
	return {issuer, close: closer(server)};
}
