import {harbor} from '../../source/integrations/app/harbor/index.js';
import {startDiscoveryServer} from '../integrations/app/helpers/discovery-server.js';
import {startFakeHarbor} from '../servers/harbor.js';
import {appContractSuite} from './app-suite.js';

const managed = ['auth_mode', 'oidc_name', 'oidc_endpoint', 'oidc_client_id', 'oidc_scope', 'oidc_user_claim', 'oidc_groups_claim', 'oidc_admin_group', 'oidc_auto_onboard', 'oidc_verify_cert', 'primary_auth_mode'];

appContractSuite({
	name: 'harbor',
	integration: harbor,
	refusedCredential: {key: 'harbor_admin_password', named: /password of "admin" was refused[\s\S]*harbor_admin_user/},
	async start({tls}) {
		const idp = await startDiscoveryServer();
		const server = await startFakeHarbor(tls ? {tls} : {});
		return {
			values: {app_url: server.url, issuer: idp.issuer, client_id: 'harbor-client', scopes: 'openid,profile,email,offline_access', username_claim: 'preferred_username', idp_name: 'authentik'},
			secrets: {client_secret: 'client-secret-Xy7', harbor_admin_password: 'Harbor12345'},
			settings: async () => Object.fromEntries(managed.map((key) => [key, server.config[key]])),
			writeCount: () => server.requests.filter((request) => request.method !== 'GET').length,
			failNextWrite: () => server.failNext('PUT', '/api/v2.0/configurations', 503),
			async close() {
				await Promise.all([server.close(), idp.close()]);
			},
		};
	},
});
