import {RemoteError} from './errors.js';
import {isLoopback} from './hosts.js';
import type {HttpRequest} from './http-types.js';

/** Headers and body fields that carry a password, a token or a client secret. */
const credentialHeaders = /^(authorization|proxy-authorization|cookie|x-api-key|x-ovh-(application|consumer|signature))$/i;
const credentialFields = /(secret|password|token|api_key|consumer_key)$/i;

export function carriesCredential(request: HttpRequest, headers: Record<string, string>): boolean {
	if (Object.keys(headers).some((name) => credentialHeaders.test(name))) {
		return true;
	}

	const fields = {...request.form, ...(request.json && typeof request.json === 'object' && !Array.isArray(request.json) ? request.json : {})};
	if (Object.keys(fields).some((name) => credentialFields.test(name))) {
		return true;
	}

	return request.body !== undefined && /(^|&)(client_secret|password|refresh_token)=/.test(request.body);
}

/**
 * A credential never goes over plain http:// to another machine: anyone on the way reads it.
 * `secureOrigin`: the request belongs to a setup whose issuer is https://, so plain http:// there
 * is a downgrade, loopback included.
 */
export function refusePlainCredential(url: URL, request: HttpRequest, headers: Record<string, string>): void {
	if (url.protocol !== 'http:' || !carriesCredential(request, headers)) {
		return;
	}

	if (request.secureOrigin) {
		throw new RemoteError({
			host: url.host,
			step: request.step,
			reason: 'plain-http-downgrade',
			message: `refused to send a credential over plain http:// to ${url.origin}, although the issuer ${request.secureOrigin} uses https://`,
			hint: 'The endpoint must use https:// like the issuer: fix the IdP\'s configured public URL (or its discovery document).',
		});
	}

	if (!isLoopback(url.hostname)) {
		throw new RemoteError({
			host: url.host,
			step: request.step,
			reason: 'plain-http',
			message: `refused to send a credential over plain http:// to ${url.hostname}, which is not this machine`,
			hint: `Use https:// for ${url.host}; a password or secret over plain HTTP can be read by anyone on the network.`,
		});
	}
}
