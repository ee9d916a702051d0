import type http from 'node:http';
import net from 'node:net';
import type {AddressInfo} from 'node:net';
import {testPki} from '../../helpers/tls.js';
import {listen} from '../../servers/recording-server.js';

/**
 * Remotes that fail in one way each, on 127.0.0.1 (or nowhere): what a person meets when the URL
 * is wrong, the service is down, a proxy answers in its place or the certificate is not trusted.
 */

export const faults = ['refused', 'dns', 'hang', 'http-500', 'not-json', 'redirect-loop', 'tls-self-signed'] as const;
export type Fault = (typeof faults)[number];

/** The RemoteError reason HttpClient gives for each fault. */
export const expectedReason: Record<Fault, string> = {
	refused: 'refused',
	dns: 'dns',
	hang: 'timeout',
	'http-500': 'http-5xx',
	'not-json': 'not-json',
	'redirect-loop': 'redirect',
	'tls-self-signed': 'tls-self-signed',
};

export type FaultyServer = {
	fault: Fault;
	/** scheme://host[:port], no trailing slash. */
	url: string;
	/** What a RemoteError names: host and port. */
	host: string;
	/** Requests that reached the server (method and path). */
	requests: Array<{method: string; url: string}>;
	close(): Promise<void>;
};

/** A page a login proxy or a wrong virtual host serves: HTTP 200, but HTML. */
export const loginPage = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Please sign in</form></body></html>';
/** What the failing server says in its 500 answers, so tests can see that the detail comes through. */
export const failureDetail = 'injected database failure';

export async function startFaultyServer(fault: Fault): Promise<FaultyServer> {
	const requests: FaultyServer['requests'] = [];
	if (fault === 'dns') {
		const host = 'idp.sso-setup-faults.invalid';
		return {fault, url: `https://${host}`, host, requests, close: async () => {}};
	}

	if (fault === 'refused') {
		const port = await closedPort();
		return {fault, url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, requests, close: async () => {}};
	}

	const listener: http.RequestListener = (request, response) => {
		requests.push({method: request.method ?? 'GET', url: request.url ?? '/'});
		request.resume();
		request.on('end', () => {
			switch (fault) {
				case 'hang': {
					// Accepts the request and never answers.
					return;
				}

				case 'http-500': {
					response.writeHead(500, {'content-type': 'application/json'}).end(JSON.stringify({message: failureDetail}));
					return;
				}

				case 'not-json':
				case 'tls-self-signed': {
					response.writeHead(200, {'content-type': 'text/html'}).end(loginPage);
					return;
				}

				case 'redirect-loop': {
					// Back to the very same address, forever.
					response.writeHead(302, {location: request.url ?? '/'}).end();
					return;
				}
			}
		});
	};

	const server = await listen(listener, fault === 'tls-self-signed' ? testPki().selfSigned : undefined);
	return {fault, url: server.url, host: `127.0.0.1:${server.port}`, requests, close: server.close};
}

/** A port on 127.0.0.1 that nothing listens on: taken from the OS, then released. */
export async function closedPort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/**
 * Serves a discovery document whose endpoints all point at `target`: discovery succeeds, and the
 * token and authorize probes meet the fault.
 */
export async function startMetadataServer(target: string): Promise<{url: string; issuer: string; close(): Promise<void>}> {
	let issuer = '';
	const server = await listen((request, response) => {
		if (request.url === '/.well-known/openid-configuration') {
			response.writeHead(200, {'content-type': 'application/json'}).end(
				JSON.stringify({
					issuer,
					authorization_endpoint: `${target}/authorize`,
					token_endpoint: `${target}/token`,
					userinfo_endpoint: `${target}/userinfo`,
					jwks_uri: `${target}/jwks`,
					response_types_supported: ['code'],
					subject_types_supported: ['public'],
					id_token_signing_alg_values_supported: ['RS256'],
					scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
					token_endpoint_auth_methods_supported: ['client_secret_basic'],
				}),
			);
			return;
		}

		response.writeHead(404).end();
	});
	issuer = server.url;
	return {url: issuer, issuer, close: server.close};
}
