import {describe, expect, it} from 'vitest';
import {loadContract} from './contract.js';

describe('contract validation', () => {
	it('accepts a Harbor partial configuration update and refuses a wrong type', () => {
		const harbor = loadContract('harbor');
		expect(harbor.check('PUT', '/api/v2.0/configurations', {auth_mode: 'oidc_auth', oidc_verify_cert: true}).errors).toEqual([]);
		expect(harbor.check('PUT', '/api/v2.0/configurations', {oidc_verify_cert: 'yes'}).errors.join()).toMatch(/oidc_verify_cert/);
		expect(harbor.check('PUT', '/api/v2.0/configurations', {oidc_scopes: 'openid'}, {strictProperties: true}).errors.join()).toMatch(/oidc_scopes/);
	});

	it('knows authentik request bodies (OpenAPI 3)', () => {
		const authentik = loadContract('authentik');
		const bad = authentik.check('POST', '/api/v3/providers/oauth2/', {name: 'x'});
		expect(bad.known).toBe(true);
		expect(bad.errors.join()).toMatch(/authorization_flow/);
		expect(authentik.check('GET', '/api/v3/nope/', undefined).known).toBe(false);
	});

	it('knows Portainer settings updates', () => {
		const portainer = loadContract('portainer');
		expect(portainer.check('PUT', '/api/settings', {AuthenticationMethod: 3}).errors).toEqual([]);
		expect(portainer.check('PUT', '/api/settings', {AuthenticationMethod: 'oauth'}).errors.length).toBeGreaterThan(0);
	});
});
