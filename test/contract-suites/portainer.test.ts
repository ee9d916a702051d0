import {portainer} from '../../source/integrations/app/portainer/index.js';
import {startDiscoveryServer} from '../integrations/app/helpers/discovery-server.js';
import {startFakePortainer} from '../servers/portainer.js';
import {appContractSuite} from './app-suite.js';

const adminPassword = 'portainer-admin-pw';

appContractSuite({
	name: 'portainer',
	integration: portainer,
	refusedCredential: {key: 'portainer_admin_password', named: /password of "admin" was refused[\s\S]*SSO_SETUP_PORTAINER_ADMIN_PASSWORD/},
	async start({tls}) {
		const idp = await startDiscoveryServer({issuerPath: '/application/o/portainer/'});
		const server = await startFakePortainer({oauth: {SSO: true, DefaultTeamID: 4, AuthStyle: 1}, ...(tls ? {tls} : {})});
		return {
			values: {app_url: server.url, redirect_uri: `${server.url}/`, issuer: idp.issuer, client_id: 'portainer-client', scopes: 'openid profile email', username_claim: 'preferred_username', auto_create_users: 'true'},
			secrets: {client_secret: 'client-secret-Pt9', portainer_admin_password: adminPassword},
			async settings() {
				const {ClientSecret: _secret, KubeSecretKey: _kube, ...oauth} = server.settings.OAuthSettings;
				return {AuthenticationMethod: server.settings.AuthenticationMethod, OAuthSettings: oauth};
			},
			writeCount: () => server.requests.filter((request) => request.method === 'PUT').length,
			failNextWrite: () => server.failNext('PUT', '/api/settings', 503),
			async close() {
				await Promise.all([server.close(), idp.close()]);
			},
		};
	},
});
