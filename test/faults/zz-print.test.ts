import {it} from 'vitest';
import {authentik} from '../../source/integrations/idp/authentik.js';
import {keycloak} from '../../source/integrations/idp/keycloak.js';
import {pocketId} from '../../source/integrations/idp/pocket-id.js';
import {harbor} from '../../source/integrations/app/harbor.js';
import {portainer} from '../../source/integrations/app/portainer.js';
import {ovhMpr} from '../../source/integrations/app/ovh-mpr.js';
import {oidcGeneric} from '../../source/integrations/idp/oidc.js';
import {memoryContext} from '../helpers/context.js';
import {harborValues} from '../integrations/idp/values.js';
import {faults, startFaultyServer} from './helpers/faulty-server.js';
it('prints', async () => {
	for (const fault of faults) {
		const s = await startFaultyServer(fault);
		const c = (v: any, sec: any) => memoryContext(v, sec, {timeoutMs: 300});
		const calls: Array<[string, () => Promise<unknown>]> = [
			['authentik', () => authentik.plan(c({...harborValues(s.url), slug: 'harbor'}, {authentik_token: 't'}))],
			['keycloak', () => keycloak.plan(c({...harborValues(s.url), realm: 'apps'}, {keycloak_admin_password: 'p'}))],
			['pocket', () => pocketId.plan(c(harborValues(s.url), {pocket_id_api_key: 'k'}))],
			['harbor', () => harbor.preflight(c({app: 'harbor', app_url: s.url}, {harbor_admin_password: 'p'}))],
			['portainer', () => portainer.preflight(c({app: 'portainer', app_url: s.url}, {portainer_admin_password: 'p'}))],
			['ovh', () => ovhMpr.preflight(c({app: 'ovh-mpr', app_url: 'https://r.example.com', ovh_endpoint: `${s.url}/1.0`, ovh_application_key: 'a', ovh_service_name: 'p', ovh_registry_id: 'r'}, {ovh_application_secret: 's', ovh_consumer_key: 'k'}))],
			['oidc', () => oidcGeneric.plan(c({...harborValues(s.url), issuer: s.url}, {}))],
		];
		for (const [name, call] of calls) {
			const e: any = await call().catch((x) => x);
			console.log(`${fault.padEnd(16)} ${name.padEnd(10)} ${e.reason}\n   ${e.message}\n   → ${e.hint}`);
		}
		await s.close();
	}
});
