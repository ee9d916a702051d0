import {randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {Browser, redirectTarget} from '../../source/core/browser.js';
import type {TestUser} from '../../source/core/sign-in.js';
import {authentik} from '../../source/integrations/idp/authentik/index.js';
import {pocketId} from '../../source/integrations/idp/pocket-id/index.js';
import type {IdpSignIn} from '../../source/integrations/types.js';
import {memoryContext} from '../helpers/context.js';
import {closedAfterEach} from '../helpers/servers.js';
import {harborValues} from '../integrations/idp/values.js';
import {startFakeAuthentik} from '../servers/authentik.js';
import {startFakeHarbor} from '../servers/harbor.js';
import {startFakePocketId} from '../servers/pocket-id.js';

/**
 * The codes the fake IdPs issue are good for an app that exchanges them itself: the fake Harbor
 * starts the sign-in (/c/oidc/login), the IdP side signs the test user in, and Harbor's callback
 * exchanges the code with its own secret, verifies the ID token against the IdP's keys and
 * onboards the user under its username claim, as admin through the admin group.
 */

const testUser = (): TestUser => ({
	username: `sso-setup-test-${randomBytes(4).toString('hex')}`,
	password: randomBytes(18).toString('base64url'),
	email: `sso-setup-test-${randomBytes(4).toString('hex')}@example.invalid`,
	groups: ['harbor-admins'],
});

describe('the IdP sides with the fake Harbor exchanging the code', () => {
	const startHarbor = closedAfterEach(startFakeHarbor);
	const startAuthentik = closedAfterEach(startFakeAuthentik);
	const startPocketId = closedAfterEach(startFakePocketId);

	/** Harbor's sign-in around the IdP's logIn: login → IdP → callback with Harbor's sid cookie. */
	async function signInThroughHarbor(harborUrl: string, browser: Browser, idp: IdpSignIn, context: Parameters<IdpSignIn['logIn']>[0], user: TestUser) {
		const login = await browser.request({url: `${harborUrl}/c/oidc/login`, step: 'test: harbor sign-in start'});
		const authorizeUrl = redirectTarget(login)!;
		const {callbackUrl} = await idp.logIn(context, browser, authorizeUrl, {username: user.username, password: user.password});
		return browser.request({url: callbackUrl, step: 'test: harbor callback'});
	}

	it('authentik: Harbor exchanges the code and onboards the test user as an admin', async () => {
		const fake = await startAuthentik();
		const harbor = await startHarbor({goOidcPing: false});
		const secret = randomBytes(24).toString('hex');
		const {issuer} = fake.addClient({slug: 'harbor', name: 'Harbor', clientId: 'harbor-client', clientSecret: secret, redirectUris: [`${harbor.url}/c/oidc/callback`]});
		fake.addGroup('harbor-admins');
		Object.assign(harbor.config, {auth_mode: 'oidc_auth', oidc_endpoint: issuer, oidc_client_id: 'harbor-client', oidc_client_secret: secret, oidc_scope: 'openid,profile,email,offline_access', oidc_user_claim: 'preferred_username', oidc_groups_claim: 'groups', oidc_admin_group: 'harbor-admins', oidc_auto_onboard: true});
		const context = memoryContext({...harborValues(fake.url), slug: 'harbor', client_id: 'harbor-client'}, {authentik_token: fake.token});
		const user = testUser();
		const signIn = authentik.signIn!;
		const {record} = await signIn.createTestUser!(context, user);

		const callback = await signInThroughHarbor(harbor.url, new Browser(context.http), signIn, context, user);
		expect(callback.status).toBe(302);
		expect(harbor.signIns).toEqual([{status: 302, outcome: 'onboarded', username: user.username, admin: true}]);

		await signIn.deleteTestUser!(context, record);
		expect(fake.users).toEqual([]);
		expect(fake.contractErrors).toEqual([]);
		expect(harbor.contractErrors).toEqual([]);
	});

	it('Pocket ID: Harbor exchanges the code and onboards the test user as an admin', async () => {
		const fake = await startPocketId({groups: [{name: 'harbor-admins'}]});
		const harbor = await startHarbor({goOidcPing: false});
		const secret = randomBytes(24).toString('hex');
		const client = fake.addClient({name: 'Harbor', callbackURLs: [`${harbor.url}/c/oidc/callback`], secret, pkceEnabled: true});
		Object.assign(harbor.config, {auth_mode: 'oidc_auth', oidc_endpoint: fake.url, oidc_client_id: client.id, oidc_client_secret: secret, oidc_scope: 'openid,profile,email,groups', oidc_user_claim: 'preferred_username', oidc_groups_claim: 'groups', oidc_admin_group: 'harbor-admins', oidc_auto_onboard: true});
		const context = memoryContext({...harborValues(fake.url), client_id: client.id}, {pocket_id_api_key: fake.apiKey});
		const user = testUser();
		const signIn = pocketId.signIn!;
		const {record} = await signIn.createTestUser!(context, user);

		const callback = await signInThroughHarbor(harbor.url, new Browser(context.http), signIn, context, user);
		expect(callback.status).toBe(302);
		expect(harbor.signIns).toEqual([{status: 302, outcome: 'onboarded', username: user.username, admin: true}]);

		await signIn.deleteTestUser!(context, record);
		expect(fake.users).toEqual([]);
		expect(fake.contractErrors).toEqual([]);
	});
});
