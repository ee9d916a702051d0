import {pocketId} from '../../source/integrations/idp/pocket-id/index.js';
import {harborValues} from '../integrations/idp/values.js';
import {startFakePocketId} from '../servers/pocket-id.js';
import {idpContractSuite} from './idp-suite.js';

idpContractSuite({
	name: 'pocket-id',
	integration: pocketId,
	registers: true,
	refusedCredential: {key: 'pocket_id_api_key', named: /pocket_id_api_key/},
	async start({tls}) {
		const server = await startFakePocketId(tls ? {tls} : {});
		return {
			// The Pocket ID flow adds the groups scope (extra_scopes in flows/idps/pocket-id.yaml).
			values: harborValues(server.url, {scopes: 'openid,profile,email,offline_access,groups'}),
			secrets: {pocket_id_api_key: server.apiKey},
			clientCount: () => server.clients.length,
			failNextWrite: () => server.failNext({method: 'POST', path: /\/secrets$/}),
			close: server.close,
		};
	},
});
