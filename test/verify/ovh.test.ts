import {afterAll, describe, expect, it} from 'vitest';
import {startFakeHarbor, type FakeHarbor} from '../servers/harbor.js';
import {startOidcOp} from '../servers/oidc-op.js';
import {startFakeOvh, type FakeOvh, type FakeOvhOptions} from '../servers/ovh.js';
import {clientSecret, verify} from './support.js';

/**
 * The app side for the OVHcloud registry: the fake OVHcloud API (test/servers/ovh.ts) holds the
 * OIDC configuration, a fake Harbor plays the managed registry it describes, in front of a real OP.
 */

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
	await Promise.all(closers.map(async (close) => close()));
});

const scopes = 'openid,profile,email,offline_access';
const secrets = {client_secret: clientSecret, ovh_application_secret: 'test-application-secret', ovh_consumer_key: 'test-consumer-key'};

async function setup(oidc: FakeOvhOptions['oidc'] = {}): Promise<{ovh: FakeOvh; registry: FakeHarbor; values: Record<string, string>}> {
	const registry = await startFakeHarbor();
	closers.push(registry.close);
	const callback = `${registry.url}/c/oidc/callback`;
	const op = await startOidcOp({clients: [{client_id: 'registry', client_secret: clientSecret, redirect_uris: [callback]}]});
	closers.push(op.close);
	Object.assign(registry.config, {auth_mode: 'oidc_auth', oidc_endpoint: op.issuer, oidc_client_id: 'registry', oidc_scope: scopes});
	const ovh = await startFakeOvh({
		projects: {'project-1': [{id: 'registry-1', name: 'my-registry', url: registry.url}]},
		oidc: {name: 'oidc', endpoint: op.issuer, clientId: 'registry', scope: scopes, userClaim: 'preferred_username', status: 'READY', clientSecret, ...oidc},
	});
	closers.push(ovh.close);
	const values = {
		app: 'ovh-mpr',
		idp: 'oidc',
		app_url: registry.url,
		issuer: op.issuer,
		client_id: 'registry',
		redirect_uri: callback,
		scopes,
		scope_separator: ',',
		username_claim: 'preferred_username',
		ovh_endpoint: ovh.endpoint,
		ovh_application_key: 'test-application-key',
		ovh_service_name: ovh.serviceName,
		ovh_registry_id: ovh.registryId,
	};
	return {ovh, registry, values};
}

describe('verification of an OVHcloud Managed Private Registry setup', () => {
	it('passes when the OVHcloud API reads back the right configuration, READY, and the registry starts a right sign-in', async () => {
		const {ovh, registry, values} = await setup();
		const {statuses, byId, results} = await verify(values, secrets);
		expect(statuses).toMatchObject({discovery: 'pass', issuer: 'pass', scopes: 'pass', 'client-secret': 'pass', 'redirect-uri': 'pass', 'app-config': 'pass'});
		expect(byId('app-config').seen).toContain('PKCE');
		expect(ovh.requests.map((request) => `${request.method} ${request.path}`)).toEqual(
			expect.arrayContaining(['GET /1.0/auth/time', `GET /1.0/cloud/project/project-1/containerRegistry/registry-1/openIdConnect`]),
		);
		expect(ovh.requests.filter((request) => request.method !== 'GET')).toEqual([]);
		expect(ovh.contractErrors).toEqual([]);
		expect(registry.requests.map((request) => request.path)).toEqual(['/c/oidc/login']);
		expect(JSON.stringify(results)).not.toContain('test-application-secret');
	});

	it('fails when the registry holds another endpoint or scope than the session', async () => {
		const {values} = await setup({scope: 'openid,profile', userClaim: 'name'});
		const {byId} = await verify(values, secrets);
		expect(byId('app-config')).toMatchObject({status: 'fail'});
		expect(byId('app-config').seen).toContain('scope "openid,profile" instead of "openid,profile,email,offline_access"');
		expect(byId('app-config').seen).toContain('userClaim "name" instead of "preferred_username"');
	});

	it('warns while OVHcloud is still applying the configuration, and fails on ERROR', async () => {
		const updating = await setup({status: 'UPDATING'});
		updating.ovh.state.pollsLeft = 1;
		const {byId} = await verify(updating.values, secrets);
		expect(byId('app-config')).toMatchObject({status: 'warn'});
		expect(byId('app-config').seen).toContain('status UPDATING');
		const broken = await setup({status: 'ERROR'});
		expect((await verify(broken.values, secrets)).byId('app-config')).toMatchObject({status: 'fail'});
	});

	it('fails when the registry has no OIDC configuration, and skips without the OVHcloud credentials', async () => {
		const {ovh, values} = await setup();
		ovh.state.oidc = null;
		expect((await verify(values, secrets)).byId('app-config')).toMatchObject({status: 'fail', seen: 'The registry has no OpenID Connect configuration.'});
		const noKey = await verify(values, {client_secret: clientSecret, ovh_application_secret: 'test-application-secret'});
		expect(noKey.byId('app-config')).toMatchObject({status: 'skipped'});
		expect(noKey.byId('app-config').seen).toContain('ovh_consumer_key');
	});
});
