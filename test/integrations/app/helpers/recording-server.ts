import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';

/**
 * The plumbing the fake app servers share: listen on 127.0.0.1 port 0 (HTTP, or HTTPS with the
 * given key and certificate), record every request, answer through a handler, and fail the next
 * matching request on demand.
 */

export type RecordedRequest = {method: string; path: string; headers: Record<string, string>; body: unknown};

export type IncomingCall = {
	method: string;
	/** Path and query, as sent. */
	path: string;
	pathname: string;
	query: URLSearchParams;
	headers: Record<string, string>;
	/** The exact bytes of the body ('' when none). */
	rawBody: string;
	/** The body parsed as JSON; undefined when empty; the raw text when it is not JSON. */
	body: unknown;
	/** The URL the client used, scheme and host included. */
	fullUrl: string;
	remoteAddress: string;
};

export type Reply = {status: number; json?: unknown; text?: string; headers?: Record<string, string>};

export type RecordingServerOptions = {
	tls?: {key: string; cert: string};
	handle: (call: IncomingCall) => Reply | Promise<Reply>;
	/** The body of an injected failure, in the product's error format. */
	failureBody: (status: number) => unknown;
};

export type RecordingServer = {
	url: string;
	requests: RecordedRequest[];
	/** The next request with this method and path (query ignored) gets this status instead. */
	failNext(method: string, path: string, status: number): void;
	close(): Promise<void>;
};

export async function startRecordingServer(options: RecordingServerOptions): Promise<RecordingServer> {
	const requests: RecordedRequest[] = [];
	const failures: Array<{method: string; path: string; status: number}> = [];

	const listener = (incoming: http.IncomingMessage, outgoing: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
		incoming.on('end', () => {
			void respond(incoming, outgoing, Buffer.concat(chunks).toString('utf8'));
		});
	};

	const respond = async (incoming: http.IncomingMessage, outgoing: http.ServerResponse, rawBody: string) => {
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(incoming.headers)) {
			if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
		}

		const path = incoming.url ?? '/';
		const scheme = options.tls ? 'https' : 'http';
		const parsedUrl = new URL(path, `${scheme}://${headers['host'] ?? '127.0.0.1'}`);
		const body = parseBody(rawBody);
		const method = incoming.method ?? 'GET';
		requests.push({method, path, headers, body});
		const call: IncomingCall = {
			method,
			path,
			pathname: parsedUrl.pathname,
			query: parsedUrl.searchParams,
			headers,
			rawBody,
			body,
			fullUrl: parsedUrl.toString(),
			remoteAddress: incoming.socket.remoteAddress ?? '',
		};

		let reply: Reply;
		const failure = failures.findIndex((entry) => entry.method === method && entry.path === call.pathname);
		if (failure === -1) {
			try {
				reply = await options.handle(call);
			} catch (error) {
				reply = {status: 500, json: options.failureBody(500), headers: {'x-fake-error': String(error).slice(0, 200)}};
			}
		} else {
			const [entry] = failures.splice(failure, 1);
			reply = {status: entry!.status, json: options.failureBody(entry!.status)};
		}

		const text = reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json);
		outgoing.writeHead(reply.status, {
			...(reply.json === undefined ? {} : {'content-type': 'application/json'}),
			...reply.headers,
		});
		outgoing.end(text);
	};

	const server = options.tls ? https.createServer({key: options.tls.key, cert: options.tls.cert}, listener) : http.createServer(listener);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		requests,
		failNext(method, path, status) {
			failures.push({method: method.toUpperCase(), path, status});
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

function parseBody(raw: string): unknown {
	if (raw === '') {
		return undefined;
	}

	try {
		return JSON.parse(raw) as unknown;
	} catch {
		return raw;
	}
}

/** GETs a discovery document the way an app server does (Harbor's ping and login), over HTTP(S). */
export function fetchJson(url: string, options: {verify: boolean; ca?: string}): Promise<{status: number; body: unknown}> {
	return new Promise((resolve, reject) => {
		const target = new URL(url);
		const transport = target.protocol === 'https:' ? https : http;
		const request = transport.get(target, {rejectUnauthorized: options.verify, ...(options.ca ? {ca: options.ca} : {}), timeout: 5000}, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				try {
					resolve({status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown});
				} catch (error) {
					reject(error instanceof Error ? error : new Error(String(error)));
				}
			});
		});
		request.on('timeout', () => request.destroy(new Error('timed out')));
		request.on('error', reject);
	});
}
