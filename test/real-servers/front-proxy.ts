import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';

/**
 * A front for a real server on 127.0.0.1, for what the server cannot do itself in a test: serve a
 * test certificate (TLS ends here, the server sees X-Forwarded-Proto/Host as behind any reverse
 * proxy) and fail one chosen request with a server error (the fakes' failNext). Everything else is
 * passed through unchanged, bodies streamed both ways.
 */
export type FrontProxy = {
	url: string;
	/** The next request with this method whose path matches answers HTTP 500 without reaching the server. */
	failNext(match: {method: string; path: RegExp}): void;
	close(): Promise<void>;
};

export async function startFrontProxy(target: string, options: {tls?: {key: string; cert: string}} = {}): Promise<FrontProxy> {
	const upstream = new URL(target);
	const failures: Array<{method: string; path: RegExp}> = [];
	const handler: http.RequestListener = (request, response) => {
		const pathname = new URL(request.url ?? '/', 'http://front').pathname;
		const failure = failures.findIndex((match) => match.method === request.method && match.path.test(pathname));
		if (failure >= 0) {
			failures.splice(failure, 1);
			request.resume();
			response.writeHead(500, {'content-type': 'application/json'}).end('{"error":"injected failure"}');
			return;
		}

		const forwarded = http.request(
			{
				host: upstream.hostname,
				port: upstream.port,
				method: request.method,
				path: request.url,
				headers: {...request.headers, 'x-forwarded-proto': options.tls ? 'https' : 'http', 'x-forwarded-host': request.headers.host ?? '', 'x-forwarded-port': String((server.address() as AddressInfo).port)},
			},
			(answer) => {
				response.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(response);
			},
		);
		forwarded.on('error', () => {
			if (!response.headersSent) response.writeHead(502).end();
		});
		request.pipe(forwarded);
	};

	const server = options.tls ? https.createServer({key: options.tls.key, cert: options.tls.cert}, handler) : http.createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		failNext: (match) => failures.push(match),
		close: async () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
