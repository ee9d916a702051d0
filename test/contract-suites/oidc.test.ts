import {oidcGeneric} from '../../source/integrations/idp/oidc/index.js';
import {harborValues} from '../integrations/idp/values.js';
import {startOidcOp} from '../servers/oidc-op.js';
import {idpContractSuite} from './idp-suite.js';

const client = {client_id: 'harbor', client_secret: 'right-secret', redirect_uris: ['https://harbor.example.com/c/oidc/callback']};

idpContractSuite({
	name: 'oidc',
	integration: oidcGeneric,
	registers: false,
	async start({tls}) {
		const op = await startOidcOp({clients: [client], ...(tls ? {tls} : {})});
		const {idp_url: _none, ...values} = harborValues('');
		return {
			values: {...values, issuer: op.issuer},
			secrets: {},
			clientCount: () => 1,
			failNextWrite() {},
			close: op.close,
		};
	},
});
