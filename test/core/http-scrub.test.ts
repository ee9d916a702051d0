import {describe, expect, it} from 'vitest';
import {credentialScrubber} from '../../source/core/http-scrub.js';

describe('credentialScrubber', () => {
	it('masks credential headers, a decoded Basic password and secret-named body fields', () => {
		const basic = Buffer.from('admin:Pa ss+word1').toString('base64');
		const scrub = credentialScrubber(
			{url: 'https://harbor.example.com', step: 'test', json: {oidc_client_secret: 'client-Secret-9', oidc_name: 'authentik'}},
			{authorization: `Basic ${basic}`, 'x-api-key': 'ptr_KeyValue42'},
		);
		const quoted = scrub(`echo: ${basic} Pa ss+word1 Pa%20ss%2Bword1 client-Secret-9 ptr_KeyValue42 authentik`);
		expect(quoted).not.toMatch(/Pa ss|Pa%20ss|client-Secret-9|ptr_KeyValue42/);
		expect(quoted).toContain('authentik');
	});

	it('finds secret fields in a raw form body', () => {
		const scrub = credentialScrubber({url: 'https://id.example.com/token', step: 'test', body: 'grant_type=client_credentials&client_secret=s3cr3t-Value'}, {});
		expect(scrub('invalid client_secret s3cr3t-Value')).toBe('invalid client_secret ••••••');
	});
});
