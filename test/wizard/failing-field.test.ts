import {describe, expect, it} from 'vitest';
import {loadFlows} from '../../source/commands/inputs.js';
import {RemoteError, UsageError} from '../../source/core/errors.js';
import {getPair} from '../../source/core/flows/pair.js';
import {concernedKeys} from '../../source/wizard/failing-field.js';

const catalogue = await loadFlows([]);

/** "Edit the answers" after a failed step opens the field the failure is about (issue 11, item 5). */
describe('the answer a failure concerns', () => {
	const remote = (details: Partial<ConstructorParameters<typeof RemoteError>[0]>) => new RemoteError({host: 'example.com', step: 'step', reason: 'x', message: 'failed', ...details});

	it('an unreachable host: the URL field of that host', () => {
		const pair = getPair(catalogue, 'authentik', 'harbor');
		const error = remote({host: 'auth.example.com:8443', reason: 'refused', message: 'the connection was refused'});
		expect(concernedKeys(error, pair, {idp_url: 'https://auth.example.com:8443', app_url: 'https://harbor.example.com'}, 'idp')[0]).toBe('idp_url');
	});

	it('a refused password: the password, not the user name the hint names first', () => {
		const pair = getPair(catalogue, 'authentik', 'harbor');
		const error = remote({host: 'harbor.example.com', status: 401, message: 'the user name or password of "admin" was refused (HTTP 401)', hint: 'Check harbor_admin_user and its password.'});
		expect(concernedKeys(error, pair, {app_url: 'https://harbor.example.com'}, 'app')[0]).toBe('harbor_admin_password');
	});

	it('OVHcloud: the key its message names, or the secret its hint names', () => {
		const pair = getPair(catalogue, 'keycloak', 'ovh-mpr');
		expect(concernedKeys(remote({host: 'eu.api.ovh.com', status: 403, message: 'Invalid application key'}), pair, {}, 'app')[0]).toBe('ovh_application_key');
		expect(concernedKeys(remote({host: 'eu.api.ovh.com', status: 403, message: 'This credential does not exist', hint: 'create a new one and set ovh_consumer_key'}), pair, {}, 'app')[0]).toBe('ovh_consumer_key');
		expect(concernedKeys(new UsageError('ovh-mpr: the value "ovh_registry_id" is missing.'), pair, {}, 'app')[0]).toBe('ovh_registry_id');
	});

	it('a realm that does not exist: the realm, before the URL of the host that said so', () => {
		const pair = getPair(catalogue, 'keycloak', 'harbor');
		const error = remote({host: 'sso.example.com', status: 404, message: 'there is no realm "corp"'});
		expect(concernedKeys(error, pair, {idp_url: 'https://sso.example.com', realm: 'corp'}, 'idp').slice(0, 2)).toEqual(['realm', 'idp_url']);
	});

	it('anything else: the fields of that side, in order', () => {
		const pair = getPair(catalogue, 'pocket-id', 'portainer');
		expect(concernedKeys(new Error('boom'), pair, {}, 'idp')).toEqual(pair.idp.fields.map((field) => field.key));
	});
});
