import type * as z from 'zod';
import {RemoteError} from './errors.js';
import type {HttpResponse} from './http-types.js';

/** What went wrong with a request, told as a RemoteError that names the host, the step and what to check. */

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

export function networkError(url: URL, step: string, error: Error & {code?: string}, timeoutMs: number): RemoteError {
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

/** `scrub` removes what the request sent that must not be quoted back (see http-scrub.ts). */
export function statusError(url: URL, step: string, response: HttpResponse, scrub: (text: string) => string = (text) => text): RemoteError {
	const host = url.host;
	const said = extractErrorDetail(response.text);
	const detail = said === undefined ? undefined : scrub(said);
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

/** An answer that arrived but is not what the API documents (a proxy, a login page, another version). */
export function unexpectedAnswer(where: {url: string; step: string; status?: number}, message: string, hint?: string): RemoteError {
	const host = new URL(where.url).host;
	return new RemoteError({
		host,
		step: where.step,
		reason: 'unexpected-answer',
		...(where.status === undefined ? {} : {status: where.status}),
		message,
		hint: hint ?? `Check that the URL points at the service itself, not at a proxy or another service, and that its version is supported (${host}).`,
	});
}

/** Validates an answer's body with its schema at the boundary; a mismatch says where. */
export function parseAnswer<T>(schema: z.ZodType<T>, body: unknown, where: {url: string; step: string; status?: number; product?: string}): T {
	const parsed = schema.safeParse(body);
	if (parsed.success) {
		return parsed.data;
	}

	const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
	const product = where.product ? `${where.product}'s` : 'the expected';
	throw unexpectedAnswer(where, `the answer does not have ${product} shape (${problems.join('; ')})`, where.product ? `Check that the URL points at ${where.product} itself, not at a proxy or another service, and that its version is supported.` : undefined);
}
