import {oidcGeneric} from '../../source/integrations/idp/oidc/index.js';
import {harborValues} from '../integrations/idp/values.js';
import {describeWithRealServers} from '../real-servers/availability.js';
import {startDex} from '../real-servers/dex.js';
import {startFrontProxy} from '../real-servers/front-proxy.js';
import {freePort} from '../real-servers/process.js';
import {idpContractSuite} from './idp-suite.js';

await describeWithRealServers('the IdP contract against the real Dex (generic oidc)', ['dex'], (servers) => {
	idpContractSuite({
		name: 'oidc (real Dex)',
		integration: oidcGeneric,
		registers: false,
		async start({tls}) {
			const port = await freePort();
			// Dex publishes the front's https:// issuer; the front ends TLS with the test certificate.
			const front = await startFrontProxy(`http://127.0.0.1:${port}`, tls ? {tls} : {});
			const dex = await startDex(servers['dex']!.dir, {port, publicUrl: front.url, clients: [{id: 'harbor', secret: 'right-secret', redirectURIs: ['https://harbor.example.com/c/oidc/callback']}]});
			const {idp_url: _none, ...values} = harborValues('');
			return {
				values: {...values, issuer: dex.issuer},
				secrets: {},
				clientCount: () => 1,
				failNextWrite() {},
				async close() {
					await front.close();
					await dex.stop();
				},
			};
		},
	});
});
