import {describe, expect, it} from 'vitest';
import {isLoopback} from '../../source/core/hosts.js';

describe('isLoopback', () => {
	it('accepts 127.0.0.0/8, ::1, localhost and *.localhost as URL#hostname writes them', () => {
		for (const url of ['http://localhost:8080', 'http://127.0.0.1', 'http://127.1.2.3', 'http://[::1]:9000', 'http://[0:0:0:0:0:0:0:1]', 'http://harbor.localhost', 'http://LOCALHOST']) {
			expect(isLoopback(new URL(url).hostname), url).toBe(true);
		}
	});

	it('refuses other hosts, including look-alikes', () => {
		for (const url of ['http://example.com', 'http://128.0.0.1', 'http://localhost.example.com', 'http://mylocalhost', 'http://[::2]', 'http://10.127.0.1']) {
			expect(isLoopback(new URL(url).hostname), url).toBe(false);
		}
	});
});
