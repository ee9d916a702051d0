import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {RemoteError} from '../../source/core/errors.js';
import {harbor} from '../../source/integrations/app/harbor/index.js';
import {idpEndpoints} from '../../source/integrations/app/portainer/idp-endpoints.js';
import {ovhMpr} from '../../source/integrations/app/ovh-mpr/index.js';
import {portainer} from '../../source/integrations/app/portainer/index.js';
import {authentik} from '../../source/integrations/idp/authentik/index.js';
import {keycloak} from '../../source/integrations/idp/keycloak/index.js';
import {oidcGeneric} from '../../source/integrations/idp/oidc/index.js';
import {pocketId} from '../../source/integrations/idp/pocket-id/index.js';
import {runVerification} from '../../source/verify/run.js';
import type {CheckResult} from '../../source/verify/types.js';
import {memoryContext} from '../helpers/context.js';
import {harborValues} from '../integrations/idp/values.js';
import {expectedReason, failureDetail, faults, type Fault, type FaultyServer, startFaultyServer, startMetadataServer} from './helpers/faulty-server.js';

/**
 * Every kind of remote call against every kind of failure: the error is a RemoteError that names the
 * host and the step, says what to check, and holds no stack trace. Time limits are 300 ms here.
 */

const timeoutMs = 300;
const context = (values: Record<string, string>, secrets: Record<string, string> = {}) => memoryContext(values, secrets, {timeoutMs});

const ovhValues = (endpoint: string) => ({
	app: 'ovh-mpr',
	app_url: 'https://registry.example.com',
	ovh_endpoint: `${endpoint}/1.0`,
	ovh_application_key: 'fault-app-key',
	ovh_service_name: 'project-1',
	ovh_registry_id: 'registry-1',
});
const ovhSecrets = {ovh_application_secret: 'fault-app-secret', ovh_consumer_key: 'fault-consumer-key'};

type Target = {
	name: string;
	/** The step every error must name starts with this. */
	step: string;
	call(url: string): Promise<unknown>;
};

/** One call per remote the product talks to, each pointed at the failing server. */
const targets: Target[] = [
	{name: 'authentik admin API', step: 'authentik: ', call: async (url) => authentik.plan(context({...harborValues(url), slug: 'harbor'}, {authentik_token: 'fault-token'}))},
	{name: 'Keycloak admin API', step: 'keycloak: ', call: async (url) => keycloak.plan(context({...harborValues(url), realm: 'apps'}, {keycloak_admin_password: 'fault-password'}))},
	{name: 'Pocket ID admin API', step: 'pocket-id: ', call: async (url) => pocketId.plan(context(harborValues(url), {pocket_id_api_key: 'fault-api-key'}))},
	{name: 'Harbor API', step: 'harbor: ', call: async (url) => harbor.preflight(context({app: 'harbor', app_url: url}, {harbor_admin_password: 'fault-password'}))},
	{name: 'Portainer API (password)', step: 'portainer: ', call: async (url) => portainer.preflight(context({app: 'portainer', app_url: url}, {portainer_admin_password: 'fault-password'}))},
	{name: 'Portainer API (API key)', step: 'portainer: ', call: async (url) => portainer.preflight(context({app: 'portainer', app_url: url}, {portainer_api_key: 'fault-api-key'}))},
	{name: 'OVHcloud API', step: 'ovh-mpr: ', call: async (url) => ovhMpr.preflight(context(ovhValues(url), ovhSecrets))},
	{name: 'discovery (generic OpenID provider)', step: 'oidc: discovery', call: async (url) => oidcGeneric.plan(context({...harborValues(url), issuer: url}))},
	{
		name: "discovery (Portainer reading the IdP's endpoints)",
		step: "portainer: read the identity provider's discovery document",
		call: async (url) => idpEndpoints(context({}).http, {app: 'portainer', issuer: url}, 'portainer'),
	},
];

function expectCleanRemoteError(error: unknown, server: FaultyServer, step: string): RemoteError {
	expect(error, String(error)).toBeInstanceOf(RemoteError);
	const remote = error as RemoteError;
	expect(remote.host).toBe(server.host);
	expect(remote.step.startsWith(step), remote.step).toBe(true);
	expect(remote.reason, remote.message).toBe(expectedReason[server.fault]);
	// One sentence that names the step and the host, and a hint; no stack trace in either.
	expect(remote.message.startsWith(`${remote.step}: `)).toBe(true);
	expect(remote.message).toContain(server.host);
	expect(remote.message).not.toMatch(/\n|\bat .+:\d+:\d+/);
	expect(remote.hint, remote.message).toBeTruthy();
	expect(remote.hint).not.toMatch(/\n|\bat .+:\d+:\d+/);
	if (server.fault === 'http-500') {
		expect(remote.message).toContain('500');
	}

	if (server.fault === 'hang') {
		expect(remote.message).toContain(`no answer within ${timeoutMs} ms`);
	}

	if (server.fault === 'redirect-loop') {
		// Where it was sent, in full, so that a loop shows.
		expect(remote.message).toContain(`redirect`);
		expect(remote.message).toContain(`${server.url}/`);
	}

	return remote;
}

describe.each(faults)('a remote that fails with %s', (fault: Fault) => {
	let server: FaultyServer;

	beforeAll(async () => {
		server = await startFaultyServer(fault);
	});

	afterAll(async () => {
		await server.close();
	});

	it.each(targets)('$name: a RemoteError naming the host and the step', async (target) => {
		const error = await target.call(server.url).then(
			(result) => ({resolved: result}),
			(caught: unknown) => caught,
		);
		expectCleanRemoteError(error, server, target.step);
	});

	it('verification: discovery fails naming the URL, and the checks that need it are skipped', async () => {
		const results = await runVerification(context({...harborValues(server.url), idp: 'oidc', issuer: server.url, client_id: 'harbor'}, {client_secret: 'fault-client-secret'}));
		const row = (id: string) => results.find((result) => result.id === id)!;
		expect(row('discovery').status).toBe('fail');
		expect(row('discovery').seen).toContain(`${server.url}/.well-known/openid-configuration`);
		expect(row('discovery').fix).toBeTruthy();
		for (const id of ['issuer', 'scopes', 'client-secret', 'redirect-uri'] as const) {
			expect(row(id).status, id).toBe('skipped');
		}

		expectNoStack(results);
	});

	it('verification: the token and authorize probes fail (or stay inconclusive) naming the endpoint', async () => {
		const metadata = await startMetadataServer(server.url);
		try {
			const results = await runVerification(context({...harborValues(metadata.url), idp: 'oidc', issuer: metadata.issuer, client_id: 'harbor'}, {client_secret: 'fault-client-secret'}));
			const row = (id: string) => results.find((result) => result.id === id)!;
			expect(row('discovery').status).toBe('pass');
			const secret = row('client-secret');
			const redirect = row('redirect-uri');
			// Never a pass: the failing server proves nothing about the client.
			expect(secret.status).not.toBe('pass');
			expect(redirect.status).not.toBe('pass');
			expect(secret.fix, secret.seen).toBeTruthy();
			expect(redirect.fix, redirect.seen).toBeTruthy();
			if (['refused', 'dns', 'hang', 'tls-self-signed'].includes(fault)) {
				// No answer at all: the transport error, with the step and the host.
				expect(secret).toMatchObject({status: 'fail', seen: expect.stringContaining('verify: client secret: ')});
				expect(redirect).toMatchObject({status: 'fail', seen: expect.stringContaining('verify: redirect URI: ')});
				expect(secret.seen).toContain(server.host);
				expect(redirect.seen).toContain(server.host);
			} else {
				// An answer that is no OAuth answer: the probe says where it asked.
				expect(secret.seen).toContain(`${server.url}/token`);
				expect(redirect.seen).toContain(server.url);
			}

			if (fault === 'http-500') {
				expect(secret.status).toBe('fail');
				expect(redirect.status).toBe('fail');
				expect(redirect.seen).toContain(failureDetail);
			}

			expect(JSON.stringify(results)).not.toContain('fault-client-secret');
			expectNoStack(results);
		} finally {
			await metadata.close();
		}
	});
});

function expectNoStack(results: CheckResult[]): void {
	for (const result of results) {
		expect(`${result.seen} ${result.fix ?? ''}`, result.id).not.toMatch(/\n\s+at |\bat .+\.(?:js|ts|mjs):\d+:\d+/);
	}
}
