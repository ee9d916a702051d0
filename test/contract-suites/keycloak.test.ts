import {keycloak} from '../../source/integrations/idp/keycloak/index.js';
import {harborValues} from '../integrations/idp/values.js';
import {startFakeKeycloak} from '../servers/keycloak.js';
import {idpContractSuite} from './idp-suite.js';

idpContractSuite({
	name: 'keycloak',
	integration: keycloak,
	registers: true,
	refusedCredential: {key: 'keycloak_admin_password', named: /keycloak_admin_password/},
	async start({tls}) {
		const server = await startFakeKeycloak(tls ? {tls} : {});
		return {
			values: {...harborValues(server.baseUrl), realm: 'apps', keycloak_admin_user: server.adminUser},
			secrets: {keycloak_admin_password: server.adminPassword},
			clientCount: () => server.clients.length,
			failNextWrite: () => server.failNext({method: 'POST', path: /protocol-mappers\/models$/}),
			close: server.close,
		};
	},
});
