import {describe, expect, it} from 'vitest';
import {HttpClient} from '../../../source/core/http.js';
import {ovhSignedHeaders} from '../../../source/integrations/app/ovh-mpr/ovh-signing.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {startFakeOvh, type FakeOvh} from '../../servers/ovh.js';

/** The fake OVHcloud API itself, probed with hand-signed requests. */
describe('fake OVHcloud API', () => {
	const http = new HttpClient({timeoutMs: 5000});
	const start = closedAfterEach(startFakeOvh);

	const signed = async (server: FakeOvh, method: 'GET' | 'POST', path: string, body?: unknown, secret = 'test-application-secret') => {
		const url = `${server.endpoint}${path}`;
		const text = body === undefined ? '' : JSON.stringify(body);
		const headers = ovhSignedHeaders({applicationKey: 'test-application-key', applicationSecret: secret, consumerKey: 'test-consumer-key', method, url, body: text, timestamp: Math.round(Date.now() / 1000)});
		const response = await http.request({method, url, step: 'test', expect: 'any', headers, ...(body === undefined ? {} : {body: text})});
		return {status: response.status, body: response.text === '' ? undefined : (JSON.parse(response.text) as unknown)};
	};

	const oidcPath = (server: FakeOvh) => `/cloud/project/${server.serviceName}/containerRegistry/${server.registryId}/openIdConnect`;
	const provider = {name: 'kc', endpoint: 'https://idp/realms/mpr', clientId: 'harbor', clientSecret: 's', scope: 'openid,profile'};

	it('checks the signature', async () => {
		const server = await start();
		expect((await signed(server, 'GET', '/cloud/project')).status).toBe(200);
		expect(await signed(server, 'GET', '/cloud/project', undefined, 'wrong')).toEqual({status: 400, body: {errorCode: 'INVALID_SIGNATURE', httpCode: '400 Bad Request', message: 'Invalid signature'}});
		expect((await http.request({url: `${server.endpoint}/cloud/project`, step: 'test', expect: 'any'})).status).toBe(403);
		expect((await http.request({url: `${server.endpoint}/auth/time`, step: 'test'})).text).toMatch(/^\d+$/);
	});

	it('refuses a body where none is expected', async () => {
		const server = await start();
		const url = `${server.endpoint}/cloud/project`;
		const text = '{}';
		const headers = ovhSignedHeaders({applicationKey: 'test-application-key', applicationSecret: 'test-application-secret', consumerKey: 'test-consumer-key', method: 'GET', url, body: text, timestamp: Math.round(Date.now() / 1000)});
		const response = await http.request({method: 'GET', url, step: 'test', expect: 'any', headers, body: text});
		expect(response.status).toBe(400);
		expect(JSON.parse(response.text)).toEqual({class: 'Client::BadRequest', message: 'You provided an input body while none was expected'});
	});

	it('refuses to configure OIDC while users exist unless deleteUsers is set, with the real message', async () => {
		const server = await start({users: ['a', 'b', 'c', 'd']});
		expect(await signed(server, 'POST', oidcPath(server), {deleteUsers: false, provider})).toEqual({
			status: 400,
			body: {class: 'Client::BadRequest', message: '4 users exist, set parameter deleteUsers to delete them'},
		});
		expect(server.state.oidc).toBeNull();
		expect((await signed(server, 'POST', oidcPath(server), {deleteUsers: true, provider})).status).toBe(200);
		expect(server.state.deletedUsers).toEqual(['a', 'b', 'c', 'd']);
	});

	it('goes INSTALLING → READY over a few reads and never returns the client secret', async () => {
		const server = await start({pollsUntilDone: 2});
		expect((await signed(server, 'GET', oidcPath(server))).status).toBe(404);
		await signed(server, 'POST', oidcPath(server), {provider});
		const statuses: string[] = [];
		for (let read = 0; read < 4; read++) {
			const answer = (await signed(server, 'GET', oidcPath(server))).body as Record<string, unknown>;
			expect(answer).not.toHaveProperty('clientSecret');
			statuses.push(String(answer['status']));
		}

		expect(statuses).toEqual(['INSTALLING', 'INSTALLING', 'READY', 'READY']);
		expect(server.state.clientSecret).toBe('s');
	});

	it('rejects a body that does not fit OIDCPost and records it', async () => {
		const server = await start();
		const answer = await signed(server, 'POST', oidcPath(server), {provider: {...provider, verifyCert: 'yes', scopes: 'openid'}});
		expect(answer.status).toBe(400);
		expect(server.contractErrors.join('\n')).toMatch(/verifyCert/);
		expect(server.contractErrors.join('\n')).toMatch(/scopes/);
		expect((await signed(server, 'POST', oidcPath(server), {provider: {...provider, scope: 'profile,email'}})).status).toBe(400);
	});
});
