import {keycloak} from '../../source/integrations/idp/keycloak/index.js';
import {harborValues} from '../integrations/idp/values.js';
import {describeWithRealServers} from '../real-servers/availability.js';
import {startFrontProxy} from '../real-servers/front-proxy.js';
import {freshRealm, sharedKeycloak} from '../real/helpers.js';
import {idpContractSuite} from './idp-suite.js';

/** Clients every new realm has before anything is registered. */
const builtInClients = new Set(['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']);

await describeWithRealServers('the IdP contract against the real Keycloak', ['keycloak'], () => {
	idpContractSuite({
		name: 'keycloak (real)',
		integration: keycloak,
		registers: true,
		refusedCredential: {key: 'keycloak_admin_password', named: /keycloak_admin_password/},
		async start({tls}) {
			const server = sharedKeycloak()!;
			const realm = await freshRealm('contract');
			// TLS and fault injection come from a front, as a reverse proxy sits before Keycloak in production.
			const front = await startFrontProxy(server.url, tls ? {tls} : {});
			return {
				values: {...harborValues(front.url), realm: realm.name, keycloak_admin_user: server.adminUser},
				secrets: {keycloak_admin_password: server.adminPassword},
				clientCount: async () => (await realm.clients()).filter((client) => !builtInClients.has(client.clientId)).length,
				failNextWrite: () => front.failNext({method: 'POST', path: /protocol-mappers\/models$/}),
				async close() {
					await front.close();
					await realm.remove();
				},
			};
		},
	});
});
