import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import {redact} from '../secrets/redact.js';
import {RemoteError, UsageError} from './errors.js';

/**
 * One small HTTP client for every remote call: a time limit on each request, TLS verified by
 * default (an extra CA file can be trusted, verification is never turned off silently), no cookies
 * kept (Harbor CSRF-checks requests that carry its `sid`), redirects never followed, and failures
 * turned into a RemoteError that names the host, the step and what to check.
 */

export type HttpRequest = {
	method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	/** What we were doing, for error messages: "harbor: read configuration". */
	step: string;
	headers?: Record<string, string>;
	/** A JSON body (serialised here), or raw text, or a form (x-www-form-urlencoded). */
	json?: unknown;
	body?: string;
	form?: Record<string, string>;
	timeoutMs?: number;
	/** Statuses that are answers, not failures. Default: 200–299. */
	expect?: readonly number[] | 'any';
};

export type HttpResponse = {
	status: number;
	headers: Record<string, string>;
	text: string;
	url: string;
};

export type HttpOptions = {
	/** PEM file with extra CA certificates to trust, on top of the system ones. */
	caFile?: string;
	timeoutMs?: number;
	userAgent?: string;
};

export const defaultTimeoutMs = 15_000;

export class HttpClient {
	private readonly agentOptions: https.AgentOptions;
	private readonly timeoutMs: number;
	private readonly userAgent: string;

	constructor(options: HttpOptions = {}) {
		this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
		this.userAgent = options.userAgent ?? 'sso-setup';
		this.agentOptions = {};
		if (options.caFile) {
			this.agentOptions.ca = [...tls.rootCertificates, readCaFile(options.caFile)];
		}
	}

	async request(request: HttpRequest): Promise<HttpResponse> {
		const url = parseUrl(request.url, request.step);
		const {body, contentType} = encodeBody(request);
		const headers: Record<string, string> = {
			accept: 'application/json',
			'user-agent': this.userAgent,
			...(contentType ? {'content-type': contentType} : {}),
			...(body === undefined ? {} : {'content-length': String(Buffer.byteLength(body))}),
			...request.headers,
		};
		const timeoutMs = request.timeoutMs ?? this.timeoutMs;
		const response = await this.send(url, request, headers, body, timeoutMs);
		const expected = request.expect ?? 'ok';
		const accepted =
			expected === 'any' ||
			(expected === 'ok' ? response.status >= 200 && response.status < 300 : expected.includes(response.status));
		if (!accepted) {
			throw statusError(url, request.step, response, sentCredentials(request, headers));
		}

		return response;
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
			return new Response(response.status === 204 || response.status === 304 ? null : response.text, {
				status: response.status,
				headers: response.headers,
			});
		};
	}

	private send(url: URL, request: HttpRequest, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpResponse> {
		const transport = url.protocol === 'https:' ? https : http;
		return new Promise<HttpResponse>((resolve, reject) => {
			const outgoing = transport.request(
				url,
				{
					method: request.method ?? (body === undefined ? 'GET' : 'POST'),
					headers,
					...(url.protocol === 'https:' ? this.agentOptions : {}),
					agent: false,
				},
				(incoming) => {
					const chunks: Buffer[] = [];
					incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
					incoming.on('error', (error) => reject(networkError(url, request.step, error, timeoutMs)));
					incoming.on('end', () => {
						clearTimeout(timer);
						resolve({
							status: incoming.statusCode ?? 0,
							headers: flattenHeaders(incoming.headers),
							text: Buffer.concat(chunks).toString('utf8'),
							url: url.toString(),
						});
					});
				},
			);
			const timer = setTimeout(() => {
				outgoing.destroy(Object.assign(new Error('timed out'), {code: 'SSO_SETUP_TIMEOUT'}));
			}, timeoutMs);
			outgoing.on('error', (error) => {
				clearTimeout(timer);
				reject(networkError(url, request.step, error, timeoutMs));
			});
			if (body !== undefined) {
				outgoing.write(body);
			}

			outgoing.end();
		});
	}
}

function readCaFile(caFile: string): string {
	try {
		return readFileSync(caFile, 'utf8');
	} catch (error) {
		throw new UsageError(`Cannot read the CA file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
			hint: 'Give the path of a PEM file with the certificate authority that signed the server certificate.',
		});
	}
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
			flat[name] = Array.isArray(value) ? value.join(', ') : value;
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

const tlsReasons: Record<string, {reason: string; message: string; hint: string}> = {
	DEPTH_ZERO_SELF_SIGNED_CERT: {
		reason: 'tls-self-signed',
		message: 'the server certificate is self-signed',
		hint: 'Trust it explicitly: point NODE_EXTRA_CA_CERTS (or the CA file field) at the PEM certificate.',
	},
	SELF_SIGNED_CERT_IN_CHAIN: {
		reason: 'tls-unknown-ca',
		message: 'the server certificate was signed by a certificate authority that is not trusted here',
		hint: 'Point NODE_EXTRA_CA_CERTS (or the CA file field) at the PEM file of your private CA.',
	},
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
		reason: 'tls-unknown-ca',
		message: 'the server certificate was signed by a certificate authority that is not trusted here',
		hint: 'Point NODE_EXTRA_CA_CERTS (or the CA file field) at the PEM file of your private CA, or serve the full chain.',
	},
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
		reason: 'tls-unknown-ca',
		message: 'the server certificate was signed by a certificate authority that is not trusted here',
		hint: 'Point NODE_EXTRA_CA_CERTS (or the CA file field) at the PEM file of your private CA.',
	},
	CERT_HAS_EXPIRED: {
		reason: 'tls-expired',
		message: 'the server certificate has expired',
		hint: 'Renew the certificate on the server; trusting an expired certificate is not offered.',
	},
	ERR_TLS_CERT_ALTNAME_INVALID: {
		reason: 'tls-wrong-host',
		message: 'the server certificate is for another host name',
		hint: 'Use the host name the certificate was issued for, or reissue the certificate with this name.',
	},
};

function networkError(url: URL, step: string, error: Error & {code?: string}, timeoutMs: number): RemoteError {
	const host = url.host;
	const code = error.code ?? '';
	const tlsReason = tlsReasons[code];
	if (tlsReason) {
		return new RemoteError({host, step, ...tlsReason}, error);
	}

	switch (code) {
		case 'SSO_SETUP_TIMEOUT': {
			return new RemoteError(
				{host, step, reason: 'timeout', message: `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`, hint: `Check that ${host} is up and that no firewall drops the connection.`},
				error,
			);
		}

		case 'ECONNREFUSED': {
			return new RemoteError(
				{host, step, reason: 'refused', message: 'the connection was refused', hint: `Check the URL and the port, and that the service on ${host} is running.`},
				error,
			);
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return new RemoteError(
				{host, step, reason: 'dns', message: 'the host name could not be resolved', hint: `Check the spelling of ${url.hostname} and your DNS.`},
				error,
			);
		}

		case 'ECONNRESET':
		case 'EPIPE': {
			return new RemoteError(
				{host, step, reason: 'reset', message: 'the connection was closed before an answer came', hint: `Check that ${url.protocol === 'https:' ? 'https' : 'http'} is right for ${host} and that no proxy cuts the connection.`},
				error,
			);
		}

		default: {
			const isTls = code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT');
			return new RemoteError(
				{
					host,
					step,
					reason: isTls ? 'tls' : 'network',
					message: isTls ? `TLS failed (${code})` : `the request failed (${code || error.message})`,
					hint: isTls ? 'Check the certificate of the server, or trust its CA with NODE_EXTRA_CA_CERTS.' : `Check that ${host} is reachable from this machine.`,
				},
				error,
			);
		}
	}
}

const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-ovh-consumer']);
const credentialField = /secret|password|passwd|token|api[-_]?key|consumer[-_]?key/i;

/**
 * What a request sent that must never be quoted back in an error, should the server echo it: the
 * values of credential headers (a Basic header decoded too) and of body fields named like secrets.
 */
function sentCredentials(request: HttpRequest, headers: Record<string, string>): string[] {
	const values: string[] = [];
	for (const [name, value] of Object.entries(headers)) {
		if (!credentialHeaders.has(name.toLowerCase())) {
			continue;
		}

		const [scheme, token = ''] = value.split(/\s+/, 2);
		values.push(value, token);
		if (scheme?.toLowerCase() === 'basic') {
			const decoded = Buffer.from(token, 'base64').toString('utf8');
			const password = decoded.slice(decoded.indexOf(':') + 1);
			values.push(decoded, password, decodeFormValue(password));
		}
	}

	const collect = (data: unknown, named: boolean): void => {
		if (typeof data === 'string' && named) {
			values.push(data);
		} else if (Array.isArray(data)) {
			for (const item of data) collect(item, named);
		} else if (data && typeof data === 'object') {
			for (const [key, value] of Object.entries(data)) collect(value, named || credentialField.test(key));
		}
	};

	collect(request.form, false);
	collect(request.json, false);
	if (request.body !== undefined) {
		try {
			collect(JSON.parse(request.body), false);
		} catch {
			collect(Object.fromEntries(new URLSearchParams(request.body)), false);
		}
	}

	// Also as they travel in a query or a form, should the server quote the raw request.
	return values.flatMap((value) => [value, encodeURIComponent(value), new URLSearchParams({v: value}).toString().slice(2)]);
}

function decodeFormValue(value: string): string {
	try {
		return decodeURIComponent(value.replaceAll('+', ' '));
	} catch {
		return value;
	}
}

function statusError(url: URL, step: string, response: HttpResponse, hidden: readonly string[] = []): RemoteError {
	const host = url.host;
	const said = extractErrorDetail(response.text);
	const detail = said === undefined ? undefined : redact(said, hidden);
	const suffix = detail ? `: ${detail}` : '';
	const status = response.status;
	if (status === 401) {
		return new RemoteError({host, step, status, reason: 'http-401', message: `the credentials were refused (HTTP 401${suffix})`, hint: 'Check the user name and password, token or API key for this server.'});
	}

	if (status === 403) {
		return new RemoteError({host, step, status, reason: 'http-403', message: `permission denied (HTTP 403${suffix})`, hint: 'The account is known but is not allowed to do this: use an administrator account.'});
	}

	if (status === 404) {
		return new RemoteError({host, step, status, reason: 'http-404', message: `not found (HTTP 404${suffix})`, hint: `Check the URL (${url.origin}) and the server version.`});
	}

	if (status >= 300 && status < 400) {
		const location = redirectTarget(url, response.headers['location']);
		const where = location === undefined ? 'another address' : location === url.toString() ? `the same address again (a redirect loop: ${location})` : location;
		return new RemoteError({host, step, status, reason: 'redirect', message: `the server redirected to ${where} (HTTP ${status})`, hint: 'Use the final URL of the service (check http vs https and the path).'});
	}

	if (status >= 500) {
		return new RemoteError({host, step, status, reason: 'http-5xx', message: `the server failed (HTTP ${status}${suffix})`, hint: `Look at the logs of the service on ${host}, then run the step again: completed steps are not repeated.`});
	}

	return new RemoteError({host, step, status, reason: `http-${status}`, message: `the request was refused (HTTP ${status}${suffix})`});
}

/** The absolute address a redirect points at (Location may be relative to the request). */
function redirectTarget(url: URL, location: string | undefined): string | undefined {
	if (!location) {
		return undefined;
	}

	try {
		return new URL(location, url).toString();
	} catch {
		return location;
	}
}

/** Pulls a readable message out of the error bodies our remotes use (Harbor, Portainer, OVH, authentik, Keycloak). */
export function extractErrorDetail(text: string): string | undefined {
	if (!text) {
		return undefined;
	}

	try {
		const body = JSON.parse(text) as Record<string, unknown>;
		const errors = body['errors'];
		if (Array.isArray(errors) && errors.length > 0) {
			const first = errors[0] as Record<string, unknown>;
			if (typeof first['message'] === 'string') {
				return first['message'];
			}
		}

		for (const key of ['message', 'errorMessage', 'error_description', 'detail', 'error', 'details']) {
			const value = body[key];
			if (typeof value === 'string' && value !== '') {
				return value;
			}
		}

		return JSON.stringify(body).slice(0, 200);
	} catch {
		return text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200) || undefined;
	}
}
