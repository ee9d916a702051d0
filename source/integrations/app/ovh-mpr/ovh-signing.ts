import {createHash} from 'node:crypto';
import {UsageError} from '../../../core/errors.js';

/**
 * OVHcloud API v1 request signing with an application key/secret and a consumer key
 * (node-ovh lib/ovh.js signRequest; go-ovh ovh/ovh.go NewRequest).
 */

export const ovhEndpoints: Readonly<Record<string, string>> = {
	'ovh-eu': 'https://eu.api.ovh.com/1.0',
	'ovh-ca': 'https://ca.api.ovh.com/1.0',
	'ovh-us': 'https://api.us.ovhcloud.com/1.0',
};

/** ovh-eu / ovh-ca / ovh-us, or a full base URL such as https://eu.api.ovh.com/1.0 (tests: http://127.0.0.1:PORT/1.0). */
export function ovhBaseUrl(endpoint: string): string {
	const known = ovhEndpoints[endpoint];
	if (known) {
		return known;
	}

	if (URL.canParse(endpoint) && /^https?:$/.test(new URL(endpoint).protocol)) {
		return endpoint.replace(/\/+$/, '');
	}

	throw new UsageError(`ovh-mpr: "${endpoint}" is not an OVHcloud API endpoint.`, {
		hint: 'Use ovh-eu, ovh-ca, ovh-us, or a full API base URL such as https://eu.api.ovh.com/1.0.',
	});
}

export type SignatureInput = {
	applicationSecret: string;
	consumerKey: string;
	method: string;
	/** The full URL, base path and query string included. */
	url: string;
	/** The exact body bytes sent, '' when there is none. */
	body: string;
	/** Seconds since the epoch, on the API's clock. */
	timestamp: number;
};

export function ovhSignature(input: SignatureInput): string {
	const text = [input.applicationSecret, input.consumerKey, input.method.toUpperCase(), input.url, input.body, String(input.timestamp)].join('+');
	return `$1$${createHash('sha1').update(text).digest('hex')}`;
}

export function ovhSignedHeaders(input: SignatureInput & {applicationKey: string}): Record<string, string> {
	return {
		'x-ovh-application': input.applicationKey,
		'x-ovh-consumer': input.consumerKey,
		'x-ovh-timestamp': String(input.timestamp),
		'x-ovh-signature': ovhSignature(input),
		'content-type': 'application/json',
	};
}
