import {authentik} from '../../source/integrations/idp/authentik/index.js';
import {harborValues} from '../integrations/idp/values.js';
import {startFakeAuthentik} from '../servers/authentik.js';
import {idpContractSuite} from './idp-suite.js';

idpContractSuite({
	name: 'authentik',
	integration: authentik,
	registers: true,
	refusedCredential: {key: 'authentik_token', named: /authentik_token/},
	async start({tls}) {
		const server = await startFakeAuthentik(tls ? {tls} : {});
		return {
			values: {...harborValues(server.url), slug: 'harbor'},
			secrets: {authentik_token: server.token},
			clientCount: () => server.providers.length,
			failNextWrite: () => server.failNext({method: 'POST', path: '/api/v3/core/applications/'}),
			close: server.close,
		};
	},
});
