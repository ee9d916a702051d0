import {describe, expect, it} from 'vitest';
import {loadCatalogue} from '../../source/core/flows/load.js';
import {builtinValues, checklistValues, computeValues, fieldDefault, getPair, type Values} from '../../source/core/flows/pair.js';
import {shippedFlowsDirectory} from '../../source/core/paths.js';
import {placeholderFor, referencedKeys, renderComplete, renderTemplate} from '../../source/core/template.js';
import {knownAutomation} from '../../source/integrations/registry.js';

const catalogue = loadCatalogue([shippedFlowsDirectory()], knownAutomation);
const pair = (idp: string, app: string) => getPair(catalogue, idp, app);

describe('templates', () => {
	it('replace {{key}} with the value, spaces inside the braces allowed', () => {
		expect(renderTemplate('{{app_url}}/c/oidc/callback', {app_url: 'https://harbor.example.com'})).toBe('https://harbor.example.com/c/oidc/callback');
		expect(renderTemplate('{{ a }}-{{b}}-{{a}}', {a: '1', b: '2'})).toBe('1-2-1');
	});

	it('show an unknown or empty value as a <placeholder>, never as a plausible value', () => {
		expect(renderTemplate('{{idp_url}}/realms/{{realm}}', {idp_url: 'https://kc.example.com'})).toBe('https://kc.example.com/realms/<realm>');
		expect(renderTemplate('x={{x}}', {x: ''})).toBe('x=<x>');
		expect(renderTemplate('x={{x}}', {}, (key) => `[${key}?]`)).toBe('x=[x?]');
		expect(placeholderFor('client_id')).toBe('<client_id>');
	});

	it('leave text that is not a placeholder alone', () => {
		const text = 'JSON {"a": 1}, {{Not_a_key}}, {single} and <angle>';
		expect(renderTemplate(text, {})).toBe(text);
		expect(referencedKeys(text)).toEqual([]);
	});

	it('list the keys a template refers to, in order', () => {
		expect(referencedKeys('{{idp_url}}/application/o/{{slug}}/ and {{ idp_url }}')).toEqual(['idp_url', 'slug', 'idp_url']);
	});

	it('render completely or not at all with renderComplete', () => {
		expect(renderComplete('{{idp_url}}/realms/{{realm}}', {idp_url: 'https://kc.example.com', realm: 'corp'})).toBe('https://kc.example.com/realms/corp');
		expect(renderComplete('{{idp_url}}/realms/{{realm}}', {idp_url: 'https://kc.example.com'})).toBeUndefined();
		expect(renderComplete('{{idp_url}}/realms/{{realm}}', {idp_url: 'https://kc.example.com', realm: ''})).toBeUndefined();
		expect(renderComplete('no keys', {})).toBe('no keys');
	});
});

const appAnswers: Record<string, Values> = {
	harbor: {app_url: 'https://harbor.example.com'},
	portainer: {app_url: 'https://portainer.example.com'},
	'ovh-mpr': {app_url: 'https://abcd1234.c1.gra9.container-registry.ovh.net'},
};
const expectedRedirect: Record<string, string> = {
	harbor: 'https://harbor.example.com/c/oidc/callback',
	portainer: 'https://portainer.example.com/',
	'ovh-mpr': 'https://abcd1234.c1.gra9.container-registry.ovh.net/c/oidc/callback',
};
const expectedFallback: Record<string, string> = {
	harbor: 'https://harbor.example.com/account/sign-in',
	portainer: 'https://portainer.example.com/#!/internal-auth',
	'ovh-mpr': 'https://abcd1234.c1.gra9.container-registry.ovh.net/account/sign-in',
};
const idpAnswers: Record<string, Values> = {
	authentik: {idp_url: 'https://auth.example.com', slug: 'registry'},
	'pocket-id': {idp_url: 'https://id.example.com'},
	keycloak: {idp_url: 'https://kc.example.com', realm: 'corp'},
	oidc: {issuer: 'https://login.example.com/'},
};
const expectedIssuer: Record<string, string> = {
	authentik: 'https://auth.example.com/application/o/registry/',
	'pocket-id': 'https://id.example.com',
	keycloak: 'https://kc.example.com/realms/corp',
	oidc: 'https://login.example.com/',
};
const expectedScopes: Record<string, Record<string, string>> = {
	harbor: {plain: 'openid,profile,email,offline_access', 'pocket-id': 'openid,profile,email,offline_access,groups'},
	'ovh-mpr': {plain: 'openid,profile,email,offline_access', 'pocket-id': 'openid,profile,email,offline_access,groups'},
	portainer: {plain: 'openid profile email', 'pocket-id': 'openid profile email groups'},
};

describe('computeValues and checklistValues for every pair', () => {
	for (const idp of Object.keys(idpAnswers)) {
		for (const app of Object.keys(appAnswers)) {
			it(`${idp} → ${app}: derives the redirect URI, the issuer, the scopes and the fallback sign-in`, () => {
				const values = computeValues(pair(idp, app), {...idpAnswers[idp], ...appAnswers[app]});
				expect(values['redirect_uri']).toBe(expectedRedirect[app]);
				expect(values['issuer']).toBe(expectedIssuer[idp]);
				expect(values['scopes']).toBe(expectedScopes[app]![idp === 'pocket-id' ? 'pocket-id' : 'plain']);
				expect(values['fallback_login_url']).toBe(expectedFallback[app]);
				expect(values['idp']).toBe(idp);
				expect(values['app']).toBe(app);
				expect(values['scope_separator']).toBe(app === 'portainer' ? ' ' : ',');
				expect(Object.values(values).join('\n')).not.toMatch(/\{\{|<[a-z_]+>/);
			});

			it(`${idp} → ${app}: fills every derived value with <placeholders> when nothing is known`, () => {
				const values = checklistValues(pair(idp, app), {});
				expect(values['redirect_uri']).toBe(expectedRedirect[app]!.replace(/^https:\/\/[^/]+/, '<app_url>'));
				expect(values['fallback_login_url']).toBe(expectedFallback[app]!.replace(/^https:\/\/[^/]+/, '<app_url>'));
				expect(Object.values(values).join('\n')).not.toContain('{{');
				for (const key of Object.keys({...pair(idp, app).idp.derived, ...pair(idp, app).app.derived})) {
					expect(values[key], key).toBeDefined();
				}
			});
		}
	}
});

describe('derived values that must come out exactly right', () => {
	it('Harbor: the callback is built from the external URL', () => {
		expect(computeValues(pair('oidc', 'harbor'), {app_url: 'https://harbor.example.com'})['redirect_uri']).toBe('https://harbor.example.com/c/oidc/callback');
	});

	it('authentik: the issuer keeps its trailing slash, and the slug defaults to the app id', () => {
		const values = computeValues(pair('authentik', 'harbor'), {idp_url: 'https://auth.example.com'});
		expect(values['slug']).toBe('harbor');
		expect(values['issuer']).toBe('https://auth.example.com/application/o/harbor/');
		expect(values['authorize_url']).toBe('https://auth.example.com/application/o/authorize/');
		expect(values['token_url']).toBe('https://auth.example.com/application/o/token/');
		expect(values['userinfo_url']).toBe('https://auth.example.com/application/o/userinfo/');
		expect(values['end_session_url']).toBe('https://auth.example.com/application/o/harbor/end-session/');
		expect(values['discovery_url']).toBe('https://auth.example.com/application/o/harbor/.well-known/openid-configuration');
	});

	it('Keycloak: the issuer ends with /realms/<realm>, a placeholder until the realm is known', () => {
		expect(computeValues(pair('keycloak', 'harbor'), {idp_url: 'https://kc.example.com'})['issuer']).toBeUndefined();
		expect(checklistValues(pair('keycloak', 'harbor'), {idp_url: 'https://kc.example.com'})['issuer']).toBe('https://kc.example.com/realms/<realm>');
		expect(computeValues(pair('keycloak', 'harbor'), {idp_url: 'https://kc.example.com'})['client_id']).toBe('harbor');
	});

	it('Pocket ID: the issuer is the base URL, and groups joins the scopes', () => {
		const values = computeValues(pair('pocket-id', 'harbor'), {idp_url: 'https://id.example.com'});
		expect(values['issuer']).toBe('https://id.example.com');
		expect(values['scopes']).toBe('openid,profile,email,offline_access,groups');
		// Providers with a known groups claim set it; the generic one has none.
		expect(values['groups_claim']).toBe('groups');
		expect(computeValues(pair('authentik', 'harbor'), {})['groups_claim']).toBe('groups');
		expect(computeValues(pair('oidc', 'harbor'), {})['groups_claim']).toBeUndefined();
	});

	it('Portainer: the redirect URI has its trailing slash', () => {
		expect(computeValues(pair('authentik', 'portainer'), {app_url: 'https://portainer.example.com'})['redirect_uri']).toBe('https://portainer.example.com/');
	});

	it('an answer wins over a derived value and over a default', () => {
		const values = computeValues(pair('authentik', 'harbor'), {idp_url: 'https://auth.example.com', issuer: 'https://auth.example.com/application/o/other/', scopes: 'openid,email'});
		expect(values['issuer']).toBe('https://auth.example.com/application/o/other/');
		expect(values['scopes']).toBe('openid,email');
	});

	it('an empty answer counts as unknown', () => {
		expect(computeValues(pair('authentik', 'harbor'), {app_url: ''})['redirect_uri']).toBeUndefined();
	});

	it('without defaults, only the answers and what they derive', () => {
		const values = computeValues(pair('authentik', 'harbor'), {app_url: 'https://harbor.example.com'}, {withDefaults: false});
		expect(values['scopes']).toBeUndefined();
		expect(values['slug']).toBeUndefined();
		expect(values['redirect_uri']).toBe('https://harbor.example.com/c/oidc/callback');
	});

	it('field defaults are rendered with the values known so far', () => {
		const harbor = pair('keycloak', 'harbor');
		const clientId = harbor.idp.fields.find((field) => field.key === 'client_id')!;
		expect(fieldDefault(harbor, clientId, builtinValues(harbor))).toBe('harbor');
		const scopes = harbor.app.fields.find((field) => field.key === 'scopes')!;
		expect(fieldDefault(harbor, scopes, {})).toBe('openid,profile,email,offline_access');
	});
});
