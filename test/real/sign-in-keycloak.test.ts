import {afterAll, beforeAll} from 'vitest';
import {describeWithRealServers} from '../real-servers/availability.js';
import type {KeycloakRealm} from '../real-servers/keycloak.js';
import {freshRealm, sharedKeycloak} from './helpers.js';
import {adminGroup, keycloakSignInSuite} from './sign-in-keycloak-suite.js';

/** The sign-in proof against the real Keycloak 26.7 and the fake Harbor and OVH registry (sign-in-keycloak-suite.ts). */
await describeWithRealServers('the sign-in proof: real Keycloak → fake Harbor and OVH registry', ['keycloak'], () => {
	let realm: KeycloakRealm | undefined;
	beforeAll(async () => {
		realm = await freshRealm('sign-in');
		await realm.admin('POST', '/groups', {name: adminGroup});
	}, 120_000);
	afterAll(async () => realm?.remove(), 60_000);

	keycloakSignInSuite(() => ({...sharedKeycloak()!, realm: realm!}), {authenticationFlows: true});
});
