import {redact} from '../secrets/redact.js';
import type {HttpRequest} from './http-types.js';

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

/** Masks, in text quoted from the answer to `request`, the credentials it sent with `headers`. */
export function credentialScrubber(request: HttpRequest, headers: Record<string, string>): (text: string) => string {
	const hidden = sentCredentials(request, headers);
	return (text) => redact(text, hidden);
}
