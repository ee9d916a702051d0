import {describe, expect, it} from 'vitest';
import {checkField, type FieldCheck, isSecretKey, normaliseScopes} from '../../source/core/fields.js';
import {loadCatalogue} from '../../source/core/flows/load.js';
import {type Field, fieldSchema} from '../../source/core/flows/schema.js';
import {shippedFlowsDirectory} from '../../source/core/paths.js';
import {knownAutomation} from '../../source/integrations/registry.js';

const catalogue = loadCatalogue([shippedFlowsDirectory()], knownAutomation);

/** A field as the shipped flow defines it, so the tests follow the real rules. */
function shippedField(side: 'idp' | 'app', flowId: string, key: string): Field {
	const flow = side === 'idp' ? catalogue.idps.get(flowId) : catalogue.apps.get(flowId);
	const field = flow?.fields.find((item) => item.key === key);
	if (!field) {
		throw new Error(`no field ${key} in ${side} ${flowId}`);
	}

	return field;
}

function field(definition: Record<string, unknown>): Field {
	return fieldSchema.parse({key: 'value', label: 'Value', ...definition});
}

function accepted(check: FieldCheck): {value: string; warning?: string} {
	if (!check.ok) {
		throw new Error(`expected the value to be accepted, got: ${check.error}`);
	}

	return check;
}

function refused(check: FieldCheck): string {
	if (check.ok) {
		throw new Error(`expected the value to be refused, got: ${check.value}`);
	}

	return check.error;
}

const harborUrl = shippedField('app', 'harbor', 'app_url');
const pocketIdUrl = shippedField('idp', 'pocket-id', 'idp_url');
const oidcIssuer = shippedField('idp', 'oidc', 'issuer');

describe('URL fields', () => {
	it('accept an absolute https URL and drop the trailing slash by default', () => {
		expect(accepted(checkField(harborUrl, 'https://harbor.example.com/'))).toEqual({ok: true, value: 'https://harbor.example.com'});
		expect(accepted(checkField(harborUrl, '  https://harbor.example.com  ')).value).toBe('https://harbor.example.com');
		expect(accepted(checkField(harborUrl, 'https://example.com/harbor//')).value).toBe('https://example.com/harbor');
		expect(accepted(checkField(harborUrl, 'HTTPS://Harbor.Example.COM:8443')).value).toBe('https://harbor.example.com:8443');
	});

	it('refuse a host without a scheme, and say how to write it', () => {
		const error = refused(checkField(harborUrl, 'harbor.example.com'));
		expect(error).toBe('Harbor URL must be a full URL starting with https:// (for example https://harbor.example.com).');
	});

	it('refuse other schemes, spaces and hosts that are not there', () => {
		expect(refused(checkField(harborUrl, 'ftp://harbor.example.com'))).toBe('Harbor URL must start with https:// or http://.');
		expect(refused(checkField(harborUrl, 'https://harbor example.com'))).toBe('Harbor URL is not a valid URL.');
		expect(refused(checkField(harborUrl, 'https://'))).toBe('Harbor URL is not a valid URL.');
	});

	it('refuse a query, a fragment (even an empty one) and credentials', () => {
		for (const input of ['https://harbor.example.com/?next=1', 'https://harbor.example.com/#top', 'https://harbor.example.com?', 'https://harbor.example.com/#']) {
			expect(refused(checkField(harborUrl, input)), input).toBe('Harbor URL must not contain a query (?…) or fragment (#…).');
		}

		const error = refused(checkField(harborUrl, 'https://admin:Harbor12345@harbor.example.com'));
		expect(error).toBe('Harbor URL must not contain a user name or password (https://***@harbor.example.com).');
		expect(error).not.toContain('Harbor12345');
	});

	it('keep the trailing slash exactly as typed when the flow says keep (issuers are compared byte for byte)', () => {
		expect(oidcIssuer.trailing_slash).toBe('keep');
		expect(accepted(checkField(oidcIssuer, 'https://auth.example.com/application/o/harbor/')).value).toBe('https://auth.example.com/application/o/harbor/');
		expect(accepted(checkField(oidcIssuer, 'https://kc.example.com/realms/corp')).value).toBe('https://kc.example.com/realms/corp');
		expect(accepted(checkField(oidcIssuer, 'https://dev-123.okta.com')).value).toBe('https://dev-123.okta.com');
		expect(accepted(checkField(oidcIssuer, 'https://login.example.com/')).value).toBe('https://login.example.com/');
	});

	it('add the trailing slash when the flow says require', () => {
		const required = field({kind: 'url', trailing_slash: 'require'});
		expect(accepted(checkField(required, 'https://portainer.example.com')).value).toBe('https://portainer.example.com/');
		expect(accepted(checkField(required, 'https://example.com/portainer')).value).toBe('https://example.com/portainer/');
		expect(accepted(checkField(required, 'https://example.com/portainer/')).value).toBe('https://example.com/portainer/');
	});

	it('refuse a path when the flow says allow_path: false (Pocket ID is its own issuer)', () => {
		expect(pocketIdUrl.allow_path).toBe(false);
		expect(refused(checkField(pocketIdUrl, 'https://id.example.com/pocket'))).toBe('Pocket ID URL must be the bare address, without a path (drop "/pocket").');
		expect(accepted(checkField(pocketIdUrl, 'https://id.example.com/')).value).toBe('https://id.example.com');
		expect(accepted(checkField(harborUrl, 'https://example.com/harbor')).value).toBe('https://example.com/harbor');
	});

	it('warn about plain http:// to another host, but not to this machine', () => {
		const lan = accepted(checkField(harborUrl, 'http://harbor.lan:8080'));
		expect(lan.value).toBe('http://harbor.lan:8080');
		expect(lan.warning).toMatch(/^Plain http:\/\/ to harbor\.lan sends tokens and passwords unencrypted/);
		expect(accepted(checkField(harborUrl, 'http://10.0.0.5')).warning).toContain('10.0.0.5');
		for (const loopback of ['http://localhost:8080', 'http://127.0.0.1:3000', 'http://[::1]:9000']) {
			const check = accepted(checkField(harborUrl, loopback));
			expect(check.value, loopback).toBe(loopback);
			expect(check.warning, loopback).toBeUndefined();
		}

		expect(accepted(checkField(harborUrl, 'https://harbor.lan')).warning).toBeUndefined();
	});

	it('say a required field is required, and accept an optional field left empty', () => {
		expect(refused(checkField(harborUrl, '   '))).toBe('Harbor URL is required.');
		expect(accepted(checkField(field({kind: 'url', optional: true}), ''))).toEqual({ok: true, value: ''});
	});
});

describe('scope fields', () => {
	const harborScopes = shippedField('app', 'harbor', 'scopes');
	const portainerScopes = shippedField('app', 'portainer', 'scopes');
	const harborSeparator = catalogue.apps.get('harbor')!.scopes.separator;
	const portainerSeparator = catalogue.apps.get('portainer')!.scopes.separator;

	it('use commas for Harbor and spaces for Portainer, as the flows say', () => {
		expect(harborSeparator).toBe(',');
		expect(portainerSeparator).toBe(' ');
	});

	it('turn spaces into commas for Harbor, and say so', () => {
		const check = accepted(checkField(harborScopes, 'openid profile  email\toffline_access', harborSeparator));
		expect(check.value).toBe('openid,profile,email,offline_access');
		expect(check.warning).toBe('Scopes are comma-separated for this app: saved as "openid,profile,email,offline_access".');
		expect(checkField(harborScopes, 'openid,profile,email', harborSeparator)).toEqual({ok: true, value: 'openid,profile,email'});
	});

	it('turn commas into spaces for Portainer, and say so', () => {
		const check = accepted(checkField(portainerScopes, 'openid,profile, email', portainerSeparator));
		expect(check.value).toBe('openid profile email');
		expect(check.warning).toBe('Scopes are space-separated for this app: saved as "openid profile email".');
		expect(checkField(portainerScopes, ' openid profile email ', portainerSeparator)).toEqual({ok: true, value: 'openid profile email'});
	});

	it('drop duplicates and keep the order', () => {
		expect(accepted(checkField(harborScopes, 'openid,email,openid,profile,email', ',')).value).toBe('openid,email,profile');
		expect(normaliseScopes(' groups openid,,groups  profile ')).toEqual(['groups', 'openid', 'profile']);
	});

	it('require openid and valid scope names', () => {
		expect(refused(checkField(harborScopes, 'profile,email', ','))).toBe('The scopes must include openid.');
		expect(refused(checkField(harborScopes, 'openid,"email"', ','))).toBe('""email"" is not a valid scope name.');
		expect(refused(checkField(harborScopes, 'openid,e\\mail', ','))).toBe('"e\\mail" is not a valid scope name.');
	});
});

describe('boolean, choice and text fields', () => {
	const autoOnboard = shippedField('app', 'harbor', 'auto_onboard');

	it('read yes and no in the usual spellings', () => {
		for (const input of ['y', 'Yes', 'TRUE', '1', 'on']) {
			expect(accepted(checkField(autoOnboard, input)).value, input).toBe('true');
		}

		for (const input of ['n', 'No', 'false', '0', 'OFF']) {
			expect(accepted(checkField(autoOnboard, input)).value, input).toBe('false');
		}

		expect(refused(checkField(autoOnboard, 'maybe'))).toBe('Onboard users automatically must be yes or no.');
	});

	it('accept a choice by value or by label, and list the values otherwise', () => {
		const mode = field({
			key: 'mode',
			label: 'Mode',
			kind: 'choice',
			choices: [
				{value: 'oidc_auth', label: 'OIDC'},
				{value: 'db_auth', label: 'Database'},
			],
		});
		expect(accepted(checkField(mode, 'db_auth')).value).toBe('db_auth');
		expect(accepted(checkField(mode, 'oidc')).value).toBe('oidc_auth');
		expect(refused(checkField(mode, 'ldap_auth'))).toBe('Mode must be one of: oidc_auth, db_auth.');
	});

	it('check patterns with the flow message', () => {
		const slug = shippedField('idp', 'authentik', 'slug');
		expect(accepted(checkField(slug, 'harbor-prod_2')).value).toBe('harbor-prod_2');
		expect(refused(checkField(slug, 'harbor/prod'))).toBe('The slug may contain only letters, digits, dashes and underscores, at most 50 of them.');

		const realm = shippedField('idp', 'keycloak', 'realm');
		expect(accepted(checkField(realm, 'corp')).value).toBe('corp');
		for (const input of ['corp/users', 'my realm', 'corp?x', 'corp#x']) {
			expect(refused(checkField(realm, input)), input).toBe('A realm name cannot contain slashes, spaces, ? or #.');
		}

		const endpoint = shippedField('app', 'ovh-mpr', 'ovh_endpoint');
		for (const input of ['ovh-eu', 'ovh-ca', 'ovh-us', 'https://eu.api.ovh.com/1.0', 'http://127.0.0.1:4010/1.0']) {
			expect(accepted(checkField(endpoint, input)).value, input).toBe(input);
		}

		expect(refused(checkField(endpoint, 'ovh-xx'))).toMatch(/^Use ovh-eu, ovh-ca, ovh-us, or a full https:\/\/ API base URL/);
		expect(refused(checkField(field({kind: 'text', pattern: '^[0-9]+$'}), 'abc'))).toBe('Value has an unexpected format.');
	});

	it('trim text but never a secret, and refuse control characters', () => {
		expect(accepted(checkField(field({kind: 'text'}), '  admin  ')).value).toBe('admin');
		expect(accepted(checkField(field({kind: 'secret'}), ' s3cret ')).value).toBe(' s3cret ');
		expect(refused(checkField(field({kind: 'text'}), 'ad\u001Bmin'))).toBe('Value contains control characters.');
	});
});

describe('secret keys', () => {
	it('follow the contract naming rule', () => {
		for (const key of ['client_secret', 'harbor_admin_password', 'authentik_token', 'pocket_id_api_key', 'portainer_api_key', 'keycloak_admin_password', 'ovh_application_secret', 'ovh_consumer_key']) {
			expect(isSecretKey(key), key).toBe(true);
		}

		for (const key of ['client_id', 'app_url', 'harbor_admin_user', 'ovh_application_key', 'token_url', 'secret_santa', 'slug']) {
			expect(isSecretKey(key), key).toBe(false);
		}
	});
});
