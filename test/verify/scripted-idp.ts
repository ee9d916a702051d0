import type http from 'node:http';
import {listen} from '../servers/recording-server.js';

/**
 * A minimal IdP whose token and authorization answers are scripted, to replay what each real IdP
 * answers (reference/idps.md, section D) and to record what the checks send. Discovery publishes
 * the issuer as the server's origin; every answer may be delayed to make concurrency visible.
 */

export type ScriptedAnswer = {status: number; json?: unknown; html?: string; location?: string};

export type ScriptedRequest = {method: string; path: string; headers: http.IncomingHttpHeaders; body: string; startedAt: bigint; endedAt?: bigint};

export type ScriptedIdpOptions = {
	token?: (request: {authorization: string | undefined; form: URLSearchParams}) => ScriptedAnswer;
	authorize?: (query: URLSearchParams) => ScriptedAnswer;
	/** Other paths (an app on the same server, for instance). */
	other?: (request: {method: string; path: string; body: string}) => ScriptedAnswer | undefined;
	/** Milliseconds to wait before each answer. */
	delayMs?: number;
	/** Never answer on the token endpoint. */
	hangToken?: boolean;
	metadata?: Record<string, unknown>;
};

export type ScriptedIdp = {origin: string; requests: ScriptedRequest[]; close(): Promise<void>};

export async function startScriptedIdp(options: ScriptedIdpOptions): Promise<ScriptedIdp> {
	const requests: ScriptedRequest[] = [];
	let origin = '';
	const answerFor = (method: string, path: string, headers: http.IncomingHttpHeaders, body: string): ScriptedAnswer | undefined => {
		const url = new URL(path, origin);
		if (url.pathname === '/.well-known/openid-configuration') {
			return {
				status: 200,
				json: {
					issuer: origin,
					authorization_endpoint: `${origin}/authorize`,
					token_endpoint: `${origin}/token`,
					jwks_uri: `${origin}/jwks`,
					scopes_supported: ['openid', 'profile', 'email', 'groups', 'offline_access'],
					...options.metadata,
				},
			};
		}

		if (url.pathname === '/token' && method === 'POST') {
			return options.token?.({authorization: headers.authorization, form: new URLSearchParams(body)}) ?? {status: 400, json: {error: 'invalid_grant'}};
		}

		if (url.pathname === '/authorize') {
			return options.authorize?.(url.searchParams) ?? {status: 302, location: `${url.searchParams.get('redirect_uri') ?? ''}?error=login_required`};
		}

		return options.other?.({method, path, body});
	};

	const server = await listen((incoming, outgoing) => {
		const record: ScriptedRequest = {method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers: incoming.headers, body: '', startedAt: process.hrtime.bigint()};
		requests.push(record);
		const chunks: Buffer[] = [];
		incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
		incoming.on('end', () => {
			record.body = Buffer.concat(chunks).toString('utf8');
			if (options.hangToken && record.path.startsWith('/token')) {
				return;
			}

			setTimeout(() => {
				const answer = answerFor(record.method, record.path, incoming.headers, record.body) ?? {status: 404, json: {message: 'not found'}};
				record.endedAt = process.hrtime.bigint();
				outgoing.statusCode = answer.status;
				if (answer.location) outgoing.setHeader('location', answer.location);
				if (answer.html === undefined) {
					outgoing.setHeader('content-type', 'application/json');
					outgoing.end(answer.json === undefined ? '' : JSON.stringify(answer.json));
				} else {
					outgoing.setHeader('content-type', 'text/html');
					outgoing.end(answer.html);
				}
			}, options.delayMs ?? 0);
		});
	});
	origin = server.url;
	return {origin, requests, close: server.close};
}

export const htmlPage = (title: string, text: string) => `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
