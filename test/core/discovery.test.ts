import {describe, expect, it} from 'vitest';
import {discoverySchema, discoveryUrl} from '../../source/core/discovery.js';

describe('discoveryUrl', () => {
	it('appends the well-known path to the issuer without its trailing slashes', () => {
		expect(discoveryUrl('https://id.example.com')).toBe('https://id.example.com/.well-known/openid-configuration');
		expect(discoveryUrl('https://id.example.com/application/o/harbor/')).toBe('https://id.example.com/application/o/harbor/.well-known/openid-configuration');
		expect(discoveryUrl('https://id.example.com/realms/main//')).toBe('https://id.example.com/realms/main/.well-known/openid-configuration');
	});
});

describe('discoverySchema', () => {
	const document = {issuer: 'https://id.example.com', authorization_endpoint: 'https://id.example.com/authorize', token_endpoint: 'https://id.example.com/token'};

	it('keeps members it does not know', () => {
		expect(discoverySchema.parse({...document, frontchannel_logout_supported: true})).toEqual({...document, frontchannel_logout_supported: true});
	});

	it('refuses a document without its required endpoints', () => {
		expect(discoverySchema.safeParse({issuer: 'https://id.example.com'}).success).toBe(false);
		expect(discoverySchema.safeParse({...document, token_endpoint: ''}).success).toBe(false);
	});
});
