import {describe, expect, it} from 'vitest';
import {BlockedError, ExitCode, RemoteError} from '../../../source/core/errors.js';
import {harbor} from '../../../source/integrations/app/harbor/index.js';
import {memoryContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {testPki} from '../../helpers/tls.js';
import {startFakeHarbor, type FakeHarbor, type FakeHarborOptions} from '../../servers/harbor.js';
import {startDiscoveryServer, type DiscoveryServer} from './helpers/discovery-server.js';
import {everythingShown, resumedContext, writes, type TestContext} from './helpers/run.js';

const clientSecret = 'client-secret-Xy7';
const adminPassword = 'Harbor12345';

describe('harbor integration', () => {
	const startIdp = closedAfterEach(startDiscoveryServer);
	const startHarbor = closedAfterEach(startFakeHarbor);

	async function setup(options: FakeHarborOptions = {}, extraValues: Record<string, string> = {}) {
		const idp: DiscoveryServer = await startIdp();
		const server: FakeHarbor = await startHarbor(options);
		const context: TestContext = memoryContext(
			{
				app_url: server.url,
				issuer: idp.issuer,
				client_id: 'harbor-client',
				scopes: 'openid,profile,email,offline_access',
				username_claim: 'preferred_username',
				groups_claim: 'groups',
				admin_group: 'harbor-admins',
				auto_onboard: 'true',
				primary_auth_mode: 'true',
				idp_name: 'authentik',
				...extraValues,
			},
			{client_secret: clientSecret, harbor_admin_password: adminPassword},
		);
		return {idp, server, context};
	}

	async function run(context: TestContext, deleteUsers: string[] = []) {
		const preflight = await harbor.preflight(context);
		const plan = await harbor.plan(context, preflight);
		const notes = await harbor.apply(context, plan, {deleteUsers});
		return {preflight, plan, notes};
	}

	it('configures a fresh Harbor with exactly the OIDC keys that change, in one PUT', async () => {
		const {idp, server, context} = await setup();
		const preflight = await harbor.preflight(context);
		expect(preflight.blockers).toEqual([]);
		expect(preflight.facts).toContain('Harbor v2.13.1');
		expect(preflight.facts).toContain('auth mode: db_auth');
		expect(preflight.warnings.join('\n')).toContain(`${server.url}/account/sign-in`);

		const plan = await harbor.plan(context, preflight);
		expect(plan.changes.find((change) => change.key === 'oidc_client_secret')).toEqual({key: 'oidc_client_secret', label: 'OIDC client secret', to: 'will be set', secret: true});
		expect(plan.changes.find((change) => change.key === 'auth_mode')).toMatchObject({from: 'db_auth', to: 'oidc_auth'});
		expect(context.store.get('app-backup')).toMatchObject({app: 'harbor', settings: {auth_mode: 'db_auth', oidc_endpoint: ''}});
		expect(writes(server.requests)).toEqual([]);

		const notes = await harbor.apply(context, plan, {deleteUsers: []});
		const puts = writes(server.requests);
		expect(puts).toHaveLength(1);
		expect(puts[0]!.method).toBe('PUT');
		expect(puts[0]!.path).toBe('/api/v2.0/configurations');
		expect(puts[0]!.body).toEqual({
			auth_mode: 'oidc_auth',
			oidc_name: 'authentik',
			oidc_endpoint: idp.issuer,
			oidc_client_id: 'harbor-client',
			oidc_client_secret: clientSecret,
			oidc_scope: 'openid,profile,email,offline_access',
			oidc_user_claim: 'preferred_username',
			oidc_groups_claim: 'groups',
			oidc_admin_group: 'harbor-admins',
			oidc_auto_onboard: true,
			primary_auth_mode: true,
		});
		expect(server.contractErrors).toEqual([]);
		expect(server.config['oidc_client_secret']).toBe(clientSecret);
		expect(server.config['oidc_verify_cert']).toBe(true);
		expect(server.requests.every((request) => request.headers['cookie'] === undefined)).toBe(true);
		expect(notes.join('\n')).toContain(`${server.url}/account/sign-in`);
		expect(notes.join('\n')).toMatch(/docker login 127\.0\.0\.1:\d+/);
		expect(await harbor.confirm(context, plan)).toEqual([]);
		expect(everythingShown(context, notes, plan)).not.toContain(clientSecret);
		expect(everythingShown(context, notes, plan)).not.toContain(adminPassword);
	});

	it('sends a changed client secret again, and only it', async () => {
		const {server, context} = await setup();
		await run(context);
		const again = resumedContext(context);
		again.secrets['client_secret'] = 'another-secret';
		const before = server.requests.length;
		const {plan} = await run(again);
		expect(plan.changes.map((change) => change.key)).toEqual(['oidc_client_secret']);
		expect(writes(server.requests.slice(before)).map((request) => request.body)).toEqual([{oidc_client_secret: 'another-secret'}]);
	});

	it('blocks on local users before any write, names them, and deletes exactly the confirmed ones', async () => {
		const {server, context} = await setup({users: ['alice', 'bob']});
		const preflight = await harbor.preflight(context);
		expect(preflight.blockers).toHaveLength(1);
		expect(preflight.blockers[0]).toMatchObject({id: 'harbor-local-users', users: ['alice', 'bob']});
		expect(preflight.blockers[0]!.message).toContain('alice, bob');
		expect(preflight.blockers[0]!.hint).toContain('--delete-users alice,bob');

		const plan = await harbor.plan(context, preflight);
		const refused = await harbor.apply(context, plan, {deleteUsers: []}).catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(BlockedError);
		expect((refused as BlockedError).exitCode).toBe(ExitCode.blocked);
		expect((refused as BlockedError).message).toContain('alice, bob');
		const partly = await harbor.apply(context, plan, {deleteUsers: ['alice']}).catch((error: unknown) => error);
		expect(partly).toBeInstanceOf(BlockedError);
		const extra = await harbor.apply(context, plan, {deleteUsers: ['alice', 'bob', 'carol']}).catch((error: unknown) => error);
		expect(extra).toBeInstanceOf(BlockedError);
		expect(writes(server.requests)).toEqual([]);

		await harbor.apply(context, plan, {deleteUsers: ['bob', 'alice']});
		expect(writes(server.requests).map((request) => `${request.method} ${request.path}`)).toEqual([
			'DELETE /api/v2.0/users/3',
			'DELETE /api/v2.0/users/4',
			'PUT /api/v2.0/configurations',
		]);
		expect(server.config['auth_mode']).toBe('oidc_auth');
		expect(server.contractErrors).toEqual([]);
	});

	it('refuses to proceed when signed in as a local user that would have to be deleted', async () => {
		const {server, context} = await setup({users: [{username: 'ops', password: 'OpsPass1', sysadmin: true}, 'alice']}, {harbor_admin_user: 'ops'});
		context.secrets['harbor_admin_password'] = 'OpsPass1';
		const preflight = await harbor.preflight(context);
		expect(preflight.blockers.map((blocker) => blocker.id)).toEqual(['harbor-not-initial-admin', 'harbor-local-users']);
		expect(preflight.blockers[1]!.users).toEqual(['alice']);
		const plan = await harbor.plan(context, preflight);
		await expect(harbor.apply(context, plan, {deleteUsers: ['alice']})).rejects.toThrow(/signed in as "ops"/);
		expect(writes(server.requests)).toEqual([]);
	});

	it('explains Harbor\'s own refusal when a user it does not list blocks the switch', async () => {
		const {server, context} = await setup({users: [{username: 'ghost', listed: false}]});
		const preflight = await harbor.preflight(context);
		expect(preflight.blockers[0]).toMatchObject({id: 'harbor-local-users', users: []});
		const plan = await harbor.plan(context, preflight);
		const error = await harbor.apply(context, plan, {deleteUsers: []}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(BlockedError);
		expect((error as BlockedError).message).toMatch(/local users exist/);
		expect((error as BlockedError).hint).toMatch(/--delete-users/);
		expect(server.config['auth_mode']).toBe('db_auth');
		expect(context.store.has('harbor-client-secret')).toBe(false);
	});

	it('pages through more users than fit on one page', async () => {
		const names = Array.from({length: 120}, (_, index) => `user${index}`);
		const {server, context} = await setup({users: names});
		const preflight = await harbor.preflight(context);
		expect(preflight.blockers[0]!.users).toEqual(names);
		expect(server.requests.filter((request) => request.path.startsWith('/api/v2.0/users?')).map((request) => request.path)).toEqual([
			'/api/v2.0/users?page=1&page_size=100',
			'/api/v2.0/users?page=2&page_size=100',
		]);
	});

	it('says clearly that the admin password was refused, without showing it', async () => {
		const {context} = await setup();
		context.secrets['harbor_admin_password'] = 'wrong-password';
		const error = (await harbor.preflight(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(error).toBeInstanceOf(RemoteError);
		expect(error.status).toBe(401);
		expect(error.message).toMatch(/^harbor: read configuration: the user name or password of "admin" was refused/);
		expect(error.hint).toContain('SSO_SETUP_HARBOR_ADMIN_PASSWORD');
		expect(`${error.message} ${error.hint}`).not.toContain('wrong-password');
	});

	it('says when the account is not a system administrator', async () => {
		const {context} = await setup({users: [{username: 'dev', password: 'DevPass1'}]}, {harbor_admin_user: 'dev'});
		context.secrets['harbor_admin_password'] = 'DevPass1';
		const error = (await harbor.preflight(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.status).toBe(403);
		expect(error.message).toContain('"dev" is not a Harbor system administrator');
	});

	it('continues after a server failure without repeating the deletions already done', async () => {
		const {server, context} = await setup({users: ['alice', 'bob']});
		server.failNext('DELETE', '/api/v2.0/users/4', 500);
		const failure = (await run(context, ['alice', 'bob']).catch((caught: unknown) => caught)) as RemoteError;
		expect(failure).toBeInstanceOf(RemoteError);
		expect(failure.reason).toBe('http-5xx');
		expect(failure.message).toContain('harbor: delete user bob');
		expect(failure.hint).toMatch(/not repeated/);
		expect(server.config['auth_mode']).toBe('db_auth');

		const resumed = resumedContext(context);
		const preflight = await harbor.preflight(resumed);
		expect(preflight.blockers[0]!.users).toEqual(['bob']);
		const plan = await harbor.plan(resumed, preflight);
		await harbor.apply(resumed, plan, {deleteUsers: ['alice', 'bob']});
		const done = writes(server.requests).map((request) => `${request.method} ${request.path}`);
		expect(done.filter((entry) => entry === 'DELETE /api/v2.0/users/3')).toHaveLength(1);
		expect(done.filter((entry) => entry === 'PUT /api/v2.0/configurations')).toHaveLength(1);
		expect(server.config['auth_mode']).toBe('oidc_auth');
	});

	it('sends the configuration again after a failed PUT, but not the users', async () => {
		const {server, context} = await setup();
		server.failNext('PUT', '/api/v2.0/configurations', 503);
		await expect(run(context)).rejects.toThrow(/harbor: save configuration: the server failed \(HTTP 503/);
		expect(context.store.has('harbor-client-secret')).toBe(false);
		const {plan} = await run(resumedContext(context));
		expect(plan.changes.map((change) => change.key)).toContain('oidc_client_secret');
		expect(server.config['auth_mode']).toBe('oidc_auth');
		expect(server.requests.filter((request) => request.method === 'PUT')).toHaveLength(2);
	});

	it('rolls back to the saved settings', async () => {
		const {server, context} = await setup();
		await run(context);
		const notes = await harbor.rollback(context);
		expect(server.config['auth_mode']).toBe('db_auth');
		expect(server.config['oidc_endpoint']).toBe('');
		expect(server.config['primary_auth_mode']).toBe(false);
		const put = writes(server.requests).at(-1)!;
		expect(put.body).toMatchObject({auth_mode: 'db_auth', oidc_endpoint: '', oidc_client_id: '', primary_auth_mode: false});
		expect(put.body).not.toHaveProperty('oidc_client_secret');
		expect(notes.join(' ')).toMatch(/client secret cannot be restored/);
		expect(server.contractErrors).toEqual([]);
	});

	it('explains why a rollback is refused once people signed in through OIDC', async () => {
		const {server, context} = await setup();
		await run(context);
		server.users.push({user_id: 9, username: 'oidc-person', password: '', sysadmin_flag: false, deleted: false, listed: true});
		const error = await harbor.rollback(context).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(BlockedError);
		expect((error as BlockedError).message).toMatch(/leave OIDC/);
	});

	it('warns when external_url differs from app_url, and leaves out keys this version lacks', async () => {
		const {server, context} = await setup({version: 'v2.7.0', externalUrl: 'https://registry.example.com'});
		const preflight = await harbor.preflight(context);
		expect(preflight.warnings.join('\n')).toContain('https://registry.example.com/c/oidc/callback');
		const plan = await harbor.plan(context, preflight);
		expect(plan.warnings.join('\n')).toMatch(/cannot make OIDC the primary sign-in \(primary_auth_mode came with v2\.8\.0\)/);
		await harbor.apply(context, plan, {deleteUsers: []});
		const body = writes(server.requests)[0]!.body as Record<string, unknown>;
		expect(body).not.toHaveProperty('primary_auth_mode');
		expect(body['auth_mode']).toBe('oidc_auth');
		expect(server.contractErrors).toEqual([]);
	});

	it('blocks when the configuration comes from CONFIG_OVERWRITE_JSON', async () => {
		const {context} = await setup({configFromEnvironment: true});
		const preflight = await harbor.preflight(context);
		expect(preflight.blockers.map((blocker) => blocker.id)).toEqual(['harbor-config-from-environment']);
	});

	it('talks to a Harbor with a self-signed certificate only when told to trust it', async () => {
		const pki = testPki();
		const {context} = await setup({tls: pki.selfSigned});
		const error = (await harbor.preflight(context).catch((caught: unknown) => caught)) as RemoteError;
		expect(error).toBeInstanceOf(RemoteError);
		expect(error.reason).toBe('tls-self-signed');
		expect(error.message).toContain('harbor: read configuration');

		context.values['ca_file'] = pki.selfSigned.certFile;
		const preflight = await harbor.preflight(context);
		expect(preflight.facts).toContain('Harbor v2.13.1');
	});

	it('reports settings that did not stick', async () => {
		const {server, context} = await setup();
		const {plan} = await run(context);
		server.config['oidc_scope'] = 'openid';
		expect(await harbor.confirm(context, plan)).toEqual([{key: 'oidc_scope', label: 'OIDC scope', from: 'openid', to: 'openid,profile,email,offline_access'}]);
	});
});
