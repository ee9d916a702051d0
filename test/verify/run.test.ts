import {afterAll, describe, expect, it} from 'vitest';
import {runVerification} from '../../source/verify/run.js';
import type {CheckProgress} from '../../source/verify/types.js';
import {memoryContext} from '../helpers/context.js';
import {startScriptedIdp, type ScriptedIdp, type ScriptedRequest} from './scripted-idp.js';
import {allPassing, clientSecret} from './support.js';

/** How the runner schedules the checks: concurrently, discovery first for those that need it, each with a time limit. */

const servers: ScriptedIdp[] = [];
afterAll(async () => {
	await Promise.all(servers.map(async (server) => server.close()));
});

/** One server playing both the IdP and Portainer, answering everything after a delay. */
async function slowServer(options: {hangToken?: boolean} = {}): Promise<ScriptedIdp> {
	let origin = '';
	const server = await startScriptedIdp({
		delayMs: 150,
		...options,
		other({path}) {
			if (path === '/api/settings/public') {
				return {status: 200, json: {AuthenticationMethod: 3, OAuthLoginURI: `${origin}/authorize?response_type=code&client_id=portainer&redirect_uri=${origin}/&scope=openid profile`}};
			}

			if (path === '/api/auth') {
				return {status: 200, json: {jwt: 'header.payload.signature'}};
			}

			return undefined;
		},
	});
	origin = server.origin;
	servers.push(server);
	return server;
}

const portainerValues = (origin: string) => ({
	app: 'portainer',
	idp: 'oidc',
	app_url: origin,
	issuer: origin,
	client_id: 'portainer',
	redirect_uri: `${origin}/`,
	scopes: 'openid profile',
	scope_separator: ' ',
});
const portainerSecrets = {client_secret: clientSecret, portainer_admin_password: 'portainer-admin-password'};

const find = (requests: ScriptedRequest[], path: string) => {
	const request = requests.find((candidate) => candidate.path.startsWith(path));
	expect(request, path).toBeDefined();
	return request!;
};

const overlap = (a: ScriptedRequest, b: ScriptedRequest) => a.startedAt < (b.endedAt ?? 0n) && b.startedAt < (a.endedAt ?? 0n);

describe('runVerification', () => {
	it('runs independent checks at the same time and starts the discovery-dependent ones together after discovery', async () => {
		const server = await slowServer();
		const results = await runVerification(memoryContext(portainerValues(server.origin), portainerSecrets));
		expect(results.map((result) => [result.id, result.status])).toEqual(allPassing);
		const {requests} = server;
		const discovery = find(requests, '/.well-known/openid-configuration');
		const token = find(requests, '/token');
		const authorize = find(requests, '/authorize');
		const signIn = find(requests, '/api/auth');
		const settings = find(requests, '/api/settings/public');
		// The probes that need discovery wait for it, then run side by side.
		expect(token.startedAt).toBeGreaterThan(discovery.endedAt!);
		expect(authorize.startedAt).toBeGreaterThan(discovery.endedAt!);
		expect(overlap(token, authorize)).toBe(true);
		// The app-side checks do not wait for discovery, nor for each other.
		expect(overlap(signIn, discovery)).toBe(true);
		expect(overlap(settings, discovery)).toBe(true);
		expect(overlap(signIn, settings)).toBe(true);
		expect(requests.filter((request) => request.path === '/api/auth')).toHaveLength(1);
	});

	it('reports each check as it starts and ends, in a stable order', async () => {
		const server = await slowServer();
		const updates: CheckProgress[][] = [];
		const results = await runVerification(memoryContext(portainerValues(server.origin), portainerSecrets), {onUpdate: (rows) => updates.push(rows)});
		expect(updates.length).toBe(results.length * 2);
		for (const rows of updates) {
			expect(rows.map((row) => row.id)).toEqual(results.map((result) => result.id));
		}

		const first = updates[0]!;
		expect(first.find((row) => row.id === 'discovery')?.status).toBe('running');
		expect(first.find((row) => row.id === 'issuer')?.status).toBe('pending');
		expect(updates.some((rows) => rows.filter((row) => row.status === 'running').length >= 3)).toBe(true);
		expect(updates.at(-1)?.map((row) => row.status)).toEqual(results.map((result) => result.status));
		// Every check went through 'running' before its result.
		for (const result of results) {
			const statuses = updates.map((rows) => rows.find((row) => row.id === result.id)?.status);
			expect(statuses.indexOf('running')).toBeLessThan(statuses.indexOf(result.status));
		}
	});

	it('fails a check that gets no answer within its time limit, and lets the others finish', async () => {
		const server = await slowServer({hangToken: true});
		const results = await runVerification(memoryContext(portainerValues(server.origin), portainerSecrets), {timeoutMs: 1000});
		const byId = Object.fromEntries(results.map((result) => [result.id, result]));
		expect(byId['client-secret']).toMatchObject({status: 'fail', seen: 'No result within 1 s.'});
		expect(byId['redirect-uri']?.status).toBe('pass');
		expect(byId['way-back-in']?.status).toBe('pass');
	});

	it('turns an unreachable IdP into failed and skipped checks, never an exception', async () => {
		const results = await runVerification(memoryContext({app: 'harbor', issuer: 'http://127.0.0.1:1/realms/x', client_id: 'harbor', redirect_uri: 'https://h.test/c/oidc/callback', scopes: 'openid'}, {client_secret: clientSecret}));
		expect(results[0]).toMatchObject({id: 'discovery', status: 'fail'});
		expect(results[0]?.seen).toContain('refused');
		expect(results.slice(1, 5).every((result) => result.status === 'skipped')).toBe(true);
	});
});
