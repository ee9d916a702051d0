import {describe, expect, it} from 'vitest';
import {extractErrorDetail, networkError, statusError} from '../../source/core/http-errors.js';

const url = new URL('https://harbor.example.com/api/v2.0/configurations');

describe('extractErrorDetail', () => {
	it('reads the message of the error bodies the remotes use', () => {
		expect(extractErrorDetail('{"errors":[{"code":"UNAUTHORIZED","message":"unauthorized"}]}')).toBe('unauthorized');
		expect(extractErrorDetail('{"error":"invalid_client","error_description":"bad secret"}')).toBe('bad secret');
		expect(extractErrorDetail('<html><body><h1>502 Bad Gateway</h1></body></html>')).toBe('502 Bad Gateway');
		expect(extractErrorDetail('')).toBeUndefined();
	});
});

describe('statusError', () => {
	const answer = (status: number, text = '', headers: Record<string, string> = {}) => ({status, text, headers, url: url.toString()});

	it('classifies the status and quotes the scrubbed detail', () => {
		const error = statusError(url, 'harbor: read', answer(401, '{"message":"token abcd1234 refused"}'), (text) => text.replace('abcd1234', '••••••'));
		expect(error.reason).toBe('http-401');
		expect(error.message).toContain('token •••••• refused');
		expect(error.message).not.toContain('abcd1234');
		expect(statusError(url, 'harbor: read', answer(503)).reason).toBe('http-5xx');
		expect(statusError(url, 'harbor: read', answer(418)).reason).toBe('http-418');
	});

	it('names where a redirect goes, relative locations resolved', () => {
		const error = statusError(url, 'harbor: read', answer(302, '', {location: '/c/login'}));
		expect(error.reason).toBe('redirect');
		expect(error.message).toContain('https://harbor.example.com/c/login');
	});
});

describe('networkError', () => {
	it('names TLS and connection failures', () => {
		expect(networkError(url, 'harbor: read', Object.assign(new Error('x'), {code: 'CERT_HAS_EXPIRED'}), 1000).reason).toBe('tls-expired');
		expect(networkError(url, 'harbor: read', Object.assign(new Error('x'), {code: 'ECONNREFUSED'}), 1000).reason).toBe('refused');
		expect(networkError(url, 'harbor: read', Object.assign(new Error('x'), {code: 'SSO_SETUP_TIMEOUT'}), 250).message).toContain('250 ms');
	});
});
