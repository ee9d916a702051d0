import type http from 'node:http';
import type https from 'node:https';
import {RemoteError, UsageError} from './errors.js';
import {networkError, statusError} from './http-errors.js';
import {credentialScrubber} from './http-scrub.js';
import {refusePlainCredential} from './plain-http.js';
import {readRegularFile, UnsafeFileError} from './private-files.js';
import type {HttpOptions, HttpRequest, HttpResponse} from './http-types.js';

/**
 * One small HTTP client for every remote call: a time limit on each request, TLS verified by
 * default (an extra CA file can be trusted, verification is never turned off silently), no cookies
 * kept (Harbor CSRF-checks requests that carry its `sid`), redirects never followed, and failures
 * turned into a RemoteError that names the host, the step and what to check (http-errors.ts), with
 * the request's credentials masked in any text quoted from the answer (http-scrub.ts).
 */

export type {HttpOptions, HttpRequest, HttpResponse} from './http-types.js';

export const defaultTimeoutMs = 15_000;

/**
 * Node's HTTP stack loads with the first request, not with the client: a command or a wizard
 * screen that makes none never pays for it, and plain HTTP (a lab on loopback) loads no TLS.
 */
let plainTransport: Promise<typeof http> | undefined;
let secureTransport: Promise<{https: typeof https; rootCertificates: readonly string[]}> | undefined;
async function transport(url: URL) {
	if (url.protocol !== 'https:') {
		plainTransport ??= import('node:http').then((loaded) => loaded.default);
		return {http: await plainTransport};
	}

	secureTransport ??= Promise.all([import('node:https'), import('node:tls')]).then(([{default: httpsModule}, {rootCertificates}]) => ({https: httpsModule, rootCertificates}));
	return secureTransport;
}

/**
 * What came back for a request: the answer, or why there is none, as Node said it. The request
 * that takes it explains a failure, so that an answer sent ahead by another copy of this module
 * (the launcher's, below) still fails with this copy's errors.
 */
type Transmission = {response: HttpResponse} | {failure: Error & {code?: string}} | {tooLarge: true};

/**
 * Answers on their way for requests sent ahead of time (`HttpClient.early`), by what makes two
 * requests the same. Process-wide, so that any client trusting the same CAs takes them: kept on
 * the global object, because the launcher's CommonJS file sends verify's first requests with its
 * own copy of this module before the ES module bundle loads.
 */
const earlyAnswersSymbol = Symbol.for('sso-setup.early-answers');
const earlyAnswers = ((globalThis as Record<symbol, unknown>)[earlyAnswersSymbol] ??= new Map()) as Map<string, EarlyAnswer>;

/**
 * An answer asked for ahead of time keeps the process alive only once a request takes it: a command
 * that stops before (a usage error found later) exits at once instead of waiting for it.
 */
type EarlyAnswer = {transmission: Promise<Transmission>; take(): void};
type Handle = {ref(): unknown; unref(): unknown};
type Background = {hold(handle: Handle): void};

export class HttpClient {
	/** The extra CA (read when the client is made, so that a bad file is said at once), trusted beside the system's. */
	private readonly extraCa: string | undefined;
	private readonly timeoutMs: number;
	private readonly userAgent: string;

	constructor(options: HttpOptions = {}) {
		this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
		this.userAgent = options.userAgent ?? 'sso-setup';
		this.extraCa = options.caFile ? readCaFile(options.caFile) : undefined;
	}

	async request(request: HttpRequest): Promise<HttpResponse> {
		const {url, body, headers} = this.prepare(request);
		const timeoutMs = request.timeoutMs ?? this.timeoutMs;
		const key = this.earlyKey(url, request, headers, body);
		const early = earlyAnswers.get(key);
		earlyAnswers.delete(key);
		early?.take();
		const transmission = await (early?.transmission ?? this.send(url, request, headers, body, timeoutMs));
		if ('failure' in transmission) {
			throw networkError(url, request.step, transmission.failure, timeoutMs);
		}

		if ('tooLarge' in transmission) {
			throw tooLarge(url, request.step);
		}

		const {response} = transmission;
		const expected = request.expect ?? 'ok';
		const accepted =
			expected === 'any' ||
			(expected === 'ok' ? response.status >= 200 && response.status < 300 : expected.includes(response.status));
		if (!accepted) {
			throw statusError(url, request.step, response, credentialScrubber(request, headers));
		}

		return response;
	}

	/**
	 * Sends a GET now whose answer the next request with the same method, URL, headers and trusted
	 * CAs takes (the user agent aside, which libraries set their own way): a command can start its
	 * first requests before it loads the code that reads their answers. An answer that no request
	 * takes is left unread; a failure reaches the request that takes it, and one refused before it
	 * is sent (a credential over plain HTTP) is left to the request itself. Resolves once the request
	 * is handed to Node.
	 */
	async early(request: HttpRequest & {method?: 'GET'}): Promise<void> {
		let prepared;
		try {
			prepared = this.prepare(request);
		} catch {
			// The request itself, made later, says what is wrong with it.
			return;
		}

		const {url, body, headers} = prepared;
		const key = this.earlyKey(url, request, headers, body);
		if (body !== undefined || earlyAnswers.has(key)) {
			return;
		}

		// Registered at once, so that a request made while Node's HTTP stack loads takes it too.
		const loaded = transport(url);
		const handles: Handle[] = [];
		let taken = false;
		const background: Background = {
			hold(handle) {
				if (!taken) handle.unref();
				handles.push(handle);
			},
		};
		earlyAnswers.set(key, {
			transmission: loaded.then(async () => this.send(url, request, headers, body, request.timeoutMs ?? this.timeoutMs, background)),
			take() {
				taken = true;
				for (const handle of handles) handle.ref();
			},
		});
		await loaded;
	}

	/** Requests JSON and returns the parsed body (validate it with a schema at the call site). */
	async json(request: HttpRequest): Promise<{status: number; body: unknown; response: HttpResponse}> {
		const response = await this.request(request);
		return {status: response.status, body: parseJsonBody(response, request.step), response};
	}

	/** A fetch-compatible function for libraries that take one (openid-client's customFetch). */
	fetchFor(step: string): (input: string | URL, init?: {method?: string; headers?: unknown; body?: unknown; redirect?: string; signal?: AbortSignal}) => Promise<Response> {
		return async (input, init = {}) => {
			const headers = normaliseHeaders(init.headers);
			const response = await this.request({
				method: (init.method ?? 'GET').toUpperCase() as HttpRequest['method'],
				url: String(input),
				step,
				headers,
				body: init.body === undefined || init.body === null ? undefined : String(init.body),
				expect: 'any',
			});
			return fetchResponse(response);
		};
	}

	private prepare(request: HttpRequest): {url: URL; body: string | undefined; headers: Record<string, string>} {
		const url = parseUrl(request.url, request.step);
		const {body, contentType} = encodeBody(request);
		const headers: Record<string, string> = {
			accept: 'application/json',
			'user-agent': this.userAgent,
			...(contentType ? {'content-type': contentType} : {}),
			...(body === undefined ? {} : {'content-length': String(Buffer.byteLength(body))}),
			...request.headers,
		};
		refusePlainCredential(url, request, headers);
		return {url, body, headers};
	}

	private earlyKey(url: URL, request: HttpRequest, headers: Record<string, string>, body: string | undefined): string {
		const sameHeaders = Object.entries(headers)
			.map(([name, value]) => [name.toLowerCase(), value])
			.filter(([name]) => name !== 'user-agent')
			// By code unit: localeCompare would load ICU's collation data (some 10 ms) for this.
			.sort(([a = ''], [b = '']) => (a < b ? -1 : a > b ? 1 : 0));
		return JSON.stringify([request.method ?? (body === undefined ? 'GET' : 'POST'), url.href, sameHeaders, body ?? null, this.extraCa ?? null]);
	}

	/** Sends the request; never rejects (see Transmission). */
	private async send(url: URL, request: HttpRequest, headers: Record<string, string>, body: string | undefined, timeoutMs: number, background?: Background): Promise<Transmission> {
		const loaded = await transport(url);
		const agentOptions: https.AgentOptions = 'rootCertificates' in loaded && this.extraCa !== undefined ? {ca: [...loaded.rootCertificates, this.extraCa]} : {};
		const stack = 'https' in loaded ? loaded.https : loaded.http;
		return new Promise<Transmission>((resolve) => {
			const outgoing = stack.request(
				url,
				{
					method: request.method ?? (body === undefined ? 'GET' : 'POST'),
					headers,
					...(url.protocol === 'https:' ? agentOptions : {}),
					agent: false,
				},
				(incoming) => {
					const chunks: Buffer[] = [];
					let received = 0;
					incoming.on('data', (chunk: Buffer) => {
						received += chunk.length;
						if (received > maxAnswerBytes) {
							clearTimeout(timer);
							resolve({tooLarge: true});
							outgoing.destroy();
							return;
						}

						chunks.push(chunk);
					});
					incoming.on('error', (failure) => {
						clearTimeout(timer);
						resolve({failure});
					});
					incoming.on('end', () => {
						clearTimeout(timer);
						resolve({
							response: {
								status: incoming.statusCode ?? 0,
								headers: flattenHeaders(incoming.headers),
								text: Buffer.concat(chunks).toString('utf8'),
								url: url.toString(),
							},
						});
					});
				},
			);
			const timer = setTimeout(() => {
				outgoing.destroy(Object.assign(new Error('timed out'), {code: 'SSO_SETUP_TIMEOUT'}));
			}, timeoutMs);
			if (background) {
				background.hold(timer);
				outgoing.on('socket', (socket) => background.hold(socket));
			}
			outgoing.on('error', (failure) => {
				clearTimeout(timer);
				resolve({failure});
			});
			if (body !== undefined) {
				outgoing.write(body);
			}

			outgoing.end();
		});
	}
}

/** An answer of this client as the fetch API's Response (what fetchFor gives libraries). */
export function fetchResponse(response: HttpResponse): Response {
	return new Response(response.status === 204 || response.status === 304 ? null : response.text, {
		status: response.status,
		headers: response.headers,
	});
}

/** Far above any answer of these APIs (authentik's largest lists are a few hundred KB). */
export const maxAnswerBytes = 8 * 1024 * 1024;

function tooLarge(url: URL, step: string): RemoteError {
	return new RemoteError({
		host: url.host,
		step,
		reason: 'too-large',
		message: `answer too large (more than ${maxAnswerBytes / 1024 / 1024} MB); sso-setup stopped reading it`,
		hint: `Check that ${url.host} is the right server: these APIs answer with far less.`,
	});
}

function readCaFile(caFile: string): string {
	let text: string;
	try {
		text = readRegularFile(caFile, {what: 'CA file'});
	} catch (error) {
		if (error instanceof UnsafeFileError) {
			throw new UsageError(`The CA file ${error.message}`, {hint: 'Give the path of a PEM file with the certificate authority that signed the server certificate.'});
		}

		throw new UsageError(`Cannot read the CA file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
			hint: 'Give the path of a PEM file with the certificate authority that signed the server certificate.',
		});
	}

	if (!text.includes('-----BEGIN CERTIFICATE-----')) {
		throw new UsageError(`The CA file ${caFile} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line).`, {
			hint: 'Give a PEM file; convert a DER one with: openssl x509 -inform der -in FILE -out ca.pem',
		});
	}

	return text;
}

function parseUrl(raw: string, step: string): URL {
	try {
		const url = new URL(raw);
		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			throw new Error('not http(s)');
		}

		return url;
	} catch {
		throw new UsageError(`${step}: "${raw}" is not an http(s) URL.`);
	}
}

function encodeBody(request: HttpRequest): {body?: string; contentType?: string} {
	if (request.json !== undefined) {
		return {body: JSON.stringify(request.json), contentType: 'application/json'};
	}

	if (request.form) {
		return {body: new URLSearchParams(request.form).toString(), contentType: 'application/x-www-form-urlencoded'};
	}

	return request.body === undefined ? {} : {body: request.body};
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) {
			// Set-Cookie values may hold ", " (Expires=Wed, 21 Oct …): one per line instead.
			flat[name] = Array.isArray(value) ? value.join(name === 'set-cookie' ? '\n' : ', ') : value;
		}
	}

	return flat;
}

function normaliseHeaders(headers: unknown): Record<string, string> {
	if (!headers) {
		return {};
	}

	if (headers instanceof Headers) {
		return Object.fromEntries(headers.entries());
	}

	if (Array.isArray(headers)) {
		return Object.fromEntries(headers as Array<[string, string]>);
	}

	return {...(headers as Record<string, string>)};
}

export function parseJsonBody(response: HttpResponse, step: string): unknown {
	if (response.text.trim() === '') {
		return null;
	}

	try {
		return JSON.parse(response.text) as unknown;
	} catch {
		const host = new URL(response.url).host;
		throw new RemoteError({
			host,
			step,
			reason: 'not-json',
			status: response.status,
			message: `the answer was not JSON (HTTP ${response.status}, starts with ${JSON.stringify(response.text.slice(0, 60))})`,
			hint: `Check that ${host} is the right server and that no proxy or login page sits in front of its API.`,
		});
	}
}
