import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';

/**
 * The plumbing every fake server shares: listen on 127.0.0.1 port 0 (HTTP, or HTTPS with the given
 * key and certificate), record every request, answer through a handler, and on demand fail the
 * next matching request or run a hook before it is handled.
 */

export type Tls = {key: string; cert: string};

/** What the app fakes record: the path with its query, each header as one string. */
export type RecordedRequest = {method: string; path: string; headers: Record<string, string>; body: unknown};

/** What the IdP fakes record and handle: the path without the query, which comes parsed, and Node's headers. */
export type IdpRequest = {method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: unknown};

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

/** The requests a rule applies to: this method (any when absent) and this path, query left out, or a pattern it matches. */
export type RequestRule = {method?: string; path: string | RegExp};
export type FailRule = RequestRule & {status?: number};
/** Runs before the matching request is handled (which waits for a returned promise). */
export type HookRule = RequestRule & {run: (request: IdpRequest) => void | Promise<void>};

export type RecordingServerOptions = {
	tls?: Tls;
	handle: (call: IncomingCall) => Reply | Promise<Reply>;
	/** The body of an injected failure, in the product's error format. */
	failureBody: (status: number) => unknown;
};

export type RecordingServer = {
	url: string;
	requests: RecordedRequest[];
	/** The next request with this method and path (query ignored) gets this status instead. */
	failNext(method: string, path: string, status: number): void;
	/**
	 * Runs `run` when the next request with this method and path (query ignored) arrives, before it is
	 * handled (e.g. to kill the client right then). A Reply it returns is sent instead of the answer.
	 */
	beforeNext(method: string, path: string, run: (call: IncomingCall) => Reply | void | Promise<Reply | void>): void;
	close(): Promise<void>;
};

export type IdpServerOptions = {
	tls?: Tls;
	handle: (request: IdpRequest) => Reply | Promise<Reply>;
	failureBody: (status: number) => unknown;
	/** The JSON answered with 400 to a body that is neither a form nor JSON (such a request is not recorded). */
	malformedBody: unknown;
};

export type IdpServer = {
	url: string;
	requests: IdpRequest[];
	/** The next request matching the rule gets a 5xx (503 unless said) instead of an answer. */
	failNext(rule: FailRule): void;
	/** Runs `run` when the next matching request arrives, before it is handled (e.g. to kill the client then). */
	beforeNext(rule: HookRule): void;
	close(): Promise<void>;
};

export type Listening = {url: string; port: number; close(): Promise<void>};

/** Serves `listener` on 127.0.0.1 at a port the system picks, over HTTPS when given a key and certificate. */
export async function listen(listener: http.RequestListener, tls?: Tls): Promise<Listening> {
	const server = tls ? https.createServer({key: tls.key, cert: tls.cert}, listener) : http.createServer(listener);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		port,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/** A fake app server: bodies that are not JSON are kept as text, requests recorded as RecordedRequest. */
export async function startRecordingServer(options: RecordingServerOptions): Promise<RecordingServer> {
	const server = await serve({
		...options,
		strictBodies: false,
		record: (call) => ({method: call.method, path: call.path, headers: call.headers, body: call.body}),
	});
	return {
		url: server.url,
		requests: server.requests,
		failNext(method, path, status) {
			server.failNext({method: method.toUpperCase(), path, status});
		},
		beforeNext(method, path, run) {
			server.beforeNext({method: method.toUpperCase(), path}, run);
		},
		close: server.close,
	};
}

/**
 * A fake IdP server: form posts read as objects, other bodies as JSON (refused when they are not),
 * requests recorded and handled as IdpRequest.
 */
export async function startIdpServer(options: IdpServerOptions): Promise<IdpServer> {
	const server = await serve({
		...options,
		strictBodies: true,
		record: (call, incoming) => ({method: call.method, path: call.pathname, query: call.query, headers: incoming.headers, body: call.body}),
		handle: (_call, request) => options.handle(request),
	});
	return {
		url: server.url,
		requests: server.requests,
		failNext: server.failNext,
		beforeNext(rule) {
			// Unlike an app fake's hook, what `run` returns is never sent as the answer.
			server.beforeNext(rule, async (_call, request) => {
				await rule.run(request);
			});
		},
		close: server.close,
	};
}

/** A reply as the IdP fakes write it: JSON unless another content type is named (the body then is text); 204 without a body. */
export function respond(status: number, body: unknown, contentType = 'application/json'): Reply {
	if (status === 204) {
		return {status};
	}

	return typeof body === 'string' ? {status, text: body, headers: {'content-type': contentType}} : {status, json: body, headers: {'content-type': contentType}};
}

export function redirect(location: string): Reply {
	return {status: 302, headers: {location}};
}

/** The client of a token request: from HTTP Basic auth when sent, else from the form. */
export function clientCredentials(headers: http.IncomingHttpHeaders, form: Record<string, string>): {clientId?: string; clientSecret?: string} {
	const header = headers['authorization'];
	if (header?.startsWith('Basic ')) {
		const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		return {clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1))};
	}

	return {clientId: form['client_id'], clientSecret: form['client_secret']};
}

type Plumbing<Recorded> = {
	tls?: Tls;
	failureBody: (status: number) => unknown;
	/** Bodies read as the IdPs read them (see startIdpServer), one that is not JSON refused with 400 and malformedBody. */
	strictBodies: boolean;
	malformedBody?: unknown;
	record: (call: IncomingCall, incoming: http.IncomingMessage) => Recorded;
	handle: (call: IncomingCall, recorded: Recorded) => Reply | Promise<Reply>;
};

type HookEntry<Recorded> = RequestRule & {run: (call: IncomingCall, recorded: Recorded) => Reply | void | Promise<Reply | void>};

async function serve<Recorded>(plumbing: Plumbing<Recorded>) {
	const requests: Recorded[] = [];
	const failures: FailRule[] = [];
	const hooks: Array<HookEntry<Recorded>> = [];

	const answer = async (call: IncomingCall, recorded: Recorded): Promise<Reply> => {
		const failure = takeMatching(failures, call);
		if (failure) {
			const status = failure.status ?? 503;
			return {status, json: plumbing.failureBody(status)};
		}

		try {
			const hook = takeMatching(hooks, call);
			if (hook) {
				const replaced = await hook.run(call, recorded);
				if (replaced) return replaced;
			}

			return await plumbing.handle(call, recorded);
		} catch (error) {
			return {status: 500, json: plumbing.failureBody(500), headers: {'x-fake-error': String(error).slice(0, 200)}};
		}
	};

	const listener = (incoming: http.IncomingMessage, outgoing: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
		incoming.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(incoming.headers)) {
				if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
			}

			let body: unknown;
			try {
				body = readBody(rawBody, headers['content-type'] ?? '', plumbing.strictBodies);
			} catch {
				send(outgoing, {status: 400, json: plumbing.malformedBody});
				return;
			}

			const path = incoming.url ?? '/';
			const parsedUrl = new URL(path, `${plumbing.tls ? 'https' : 'http'}://${headers['host'] ?? '127.0.0.1'}`);
			const call: IncomingCall = {
				method: incoming.method ?? 'GET',
				path,
				pathname: parsedUrl.pathname,
				query: parsedUrl.searchParams,
				headers,
				rawBody,
				body,
				fullUrl: parsedUrl.toString(),
				remoteAddress: incoming.socket.remoteAddress ?? '',
			};
			const recorded = plumbing.record(call, incoming);
			requests.push(recorded);
			void answer(call, recorded).then((reply) => send(outgoing, reply));
		});
	};

	const server = await listen(listener, plumbing.tls);
	return {
		url: server.url,
		requests,
		failNext(rule: FailRule) {
			failures.push(rule);
		},
		beforeNext(rule: RequestRule, run: HookEntry<Recorded>['run']) {
			hooks.push({method: rule.method, path: rule.path, run});
		},
		close: server.close,
	};
}

function takeMatching<Rule extends RequestRule>(rules: Rule[], call: IncomingCall): Rule | undefined {
	const index = rules.findIndex((rule) => (!rule.method || rule.method === call.method) && (typeof rule.path === 'string' ? rule.path === call.pathname : rule.path.test(call.pathname)));
	return index < 0 ? undefined : rules.splice(index, 1)[0];
}

function readBody(raw: string, contentType: string, strict: boolean): unknown {
	if (raw === '') {
		return undefined;
	}

	if (strict && contentType.includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(raw));
	}

	try {
		return JSON.parse(raw) as unknown;
	} catch (error) {
		if (strict) throw error;
		return raw;
	}
}

function send(outgoing: http.ServerResponse, reply: Reply): void {
	const text = reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json);
	outgoing.writeHead(reply.status, {
		...(reply.json === undefined ? {} : {'content-type': 'application/json'}),
		...reply.headers,
	});
	outgoing.end(text);
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
