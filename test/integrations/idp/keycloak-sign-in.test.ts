import {afterAll, beforeAll, describe} from 'vitest';
import type {KeycloakRealm} from '../../real-servers/keycloak.js';
import {adminGroup, existingRealm, keycloakSignInSuite} from '../../real/sign-in-keycloak-suite.js';
import {type FakeKeycloak, startFakeKeycloak} from '../../servers/keycloak.js';

/**
 * The sign-in proof's scenarios against the fake Keycloak: the same ones, with the same sentences,
 * as against the real Keycloak 26.7 (test/real/sign-in-keycloak.test.ts), so the fake's users,
 * groups, login form and token exchange keep answering as the real one does.
 */
describe('the sign-in proof: fake Keycloak → fake Harbor and OVH registry (the real-Keycloak scenarios)', () => {
	let keycloak: FakeKeycloak;
	let realm: KeycloakRealm;
	beforeAll(async () => {
		keycloak = await startFakeKeycloak({version: '26.7.3'});
		realm = existingRealm({url: keycloak.baseUrl, adminUser: keycloak.adminUser, adminPassword: keycloak.adminPassword}, 'apps');
		await realm.admin('POST', '/groups', {name: adminGroup});
	});
	afterAll(async () => keycloak?.close());

	keycloakSignInSuite(() => ({url: keycloak.baseUrl, adminUser: keycloak.adminUser, adminPassword: keycloak.adminPassword, realm}));
});
