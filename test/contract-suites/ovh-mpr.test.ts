import {createOvhMpr} from '../../source/integrations/app/ovh-mpr/index.js';
import {startFakeOvh} from '../servers/ovh.js';
import {appContractSuite} from './app-suite.js';

appContractSuite({
	name: 'ovh-mpr',
	integration: createOvhMpr({pollIntervalMs: 1, pollTimeoutMs: 10_000}),
	refusedCredential: {key: 'ovh_application_secret', named: /Invalid signature[\s\S]*ovh_application_secret/},
	async start({tls}) {
		// An earlier configuration, so that rollback has something to restore.
		const server = await startFakeOvh({oidc: {name: 'old', endpoint: 'https://old.example.com', clientId: 'old', scope: 'openid,email', verifyCert: false}, ...(tls ? {tls} : {})});
		return {
			values: {
				app_url: `https://${server.registryId}.c1.gra9.container-registry.ovh.net`,
				issuer: 'https://idp.example.com/realms/mpr',
				client_id: 'harbor',
				scopes: 'openid profile email offline_access',
				username_claim: 'preferred_username',
				idp_name: 'Keycloak',
				ovh_endpoint: server.endpoint,
				ovh_application_key: 'test-application-key',
				ovh_service_name: server.serviceName,
				ovh_registry_id: server.registryId,
			},
			secrets: {client_secret: 'client-secret-Ov1', ovh_application_secret: 'test-application-secret', ovh_consumer_key: 'test-consumer-key'},
			async settings() {
				const oidc = server.state.oidc;
				return oidc ? {name: oidc.name, endpoint: oidc.endpoint, clientId: oidc.clientId, scope: oidc.scope, verifyCert: oidc.verifyCert} : undefined;
			},
			writeCount: () => server.requests.filter((request) => request.method !== 'GET').length,
			failNextWrite: () => server.failNext('POST', `/1.0/cloud/project/${server.serviceName}/containerRegistry/${server.registryId}/openIdConnect`, 503),
			close: server.close,
		};
	},
});
