import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import type {Session} from '../../source/core/session/store.js';
import {requireKeychain} from '../helpers/keychain.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {type FakeKeycloak, startFakeKeycloak} from '../servers/keycloak.js';
import {type FakePocketId, startFakePocketId} from '../servers/pocket-id.js';
import {cli, ensureBuilt, expectOriginalBackup, expectRestored, forgetAll, newHome, settle, startCli, tidySessions, type CliResult} from './helpers/cli.js';

/**
 * Crash recovery: `apply` is killed with SIGKILL at the moment a given request reaches the server
 * (the server still carries it out, as a real one would, but the process never learns the answer).
 * Running `apply --session ID --yes` again must end in the right state: one client at the IdP,
 * Harbor configured with its credentials, and the backup of Harbor's original settings kept, so
 * that a rollback restores them.
 */
const keychain = await requireKeychain();

const harborPassword = 'Crash-Harbor-Pass-40';
const authentikToken = 'Crash-authentik-Token-83';
const keycloakPassword = 'Crash-Keycloak-Pass-27';
const pocketIdKey = 'Crash-PocketId-Key-55';
const clientSecret = 'Crash-Client-Secret-16';

describe.runIf(keychain.available)('apply killed in the middle, then run again', () => {
	let home: string;
	let harbor: FakeHarbor;
	let original: Record<string, unknown>;
	const closers: Array<() => Promise<void>> = [];

	beforeAll(ensureBuilt);

	beforeEach(() => {
		home = newHome('sso-setup-crash-');
	});

	async function startHarbor(users: string[] = []): Promise<void> {
		harbor = await startFakeHarbor({adminPassword: harborPassword, users});
		closers.push(() => harbor.close());
		original = structuredClone(harbor.config);
	}

	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
		await forgetAll(home);
	});

	/**
	 * Runs apply and arms `arm` with the function that kills it; returns once the process is gone,
	 * with the session it saved (none when it was killed before saving anything). Fails when the
	 * process was not killed (the awaited request never came).
	 */
	async function killedRun(args: string[], env: Record<string, string>, arm: (kill: () => void) => void): Promise<Session | undefined> {
		const running = startCli(home, args, env);
		let killed = false;
		arm(() => {
			killed = true;
			running.kill('SIGKILL');
		});
		const result = await settle(running);
		expect(killed, `the awaited request never came:\n${result.all}`).toBe(true);
		expect(result.signal, result.all).toBe('SIGKILL');
		const sessions = tidySessions(home);
		expect(sessions.length).toBeLessThanOrEqual(1);
		return sessions[0];
	}

	/**
	 * Continues: `apply --session ID --yes` when the killed run saved its session, else the same
	 * command again (it starts a new session). Then the checks every recovery must pass.
	 */
	async function resume(session: Session | undefined, env: Record<string, string>, again: string[]): Promise<{result: CliResult; session: Session}> {
		const result = await cli(home, session ? ['apply', '--session', session.id, '--yes'] : again, env);
		expect(result.code, result.all).toBe(0);
		const sessions = tidySessions(home);
		expect(sessions).toHaveLength(1);
		const after = sessions[0]!;
		if (session) {
			expect(after.id).toBe(session.id);
		}

		expect(after.completed).toEqual(expect.arrayContaining(['apply']));
		expectOriginalBackup(after, original);
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
		expect(harbor.contractErrors).toEqual([]);
		return {result, session: after};
	}

	async function rollbackRestores(session: Session): Promise<void> {
		const rollback = await cli(home, ['rollback', session.id, '--yes'], {SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(rollback.code, rollback.all).toBe(0);
		expectRestored(harbor, original);
	}

	describe('authentik → Harbor', () => {
		let authentik: FakeAuthentik;
		const env = {SSO_SETUP_AUTHENTIK_TOKEN: authentikToken, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		const args = () => ['apply', '--idp', 'authentik', '--app', 'harbor', '--set', `idp_url=${authentik.url}`, '--set', 'slug=harbor', '--set', `app_url=${harbor.url}`, '--yes'];

		beforeEach(async () => {
			authentik = await startFakeAuthentik({token: authentikToken});
			closers.push(() => authentik.close());
			await startHarbor();
		});

		const expectOneClient = () => {
			expect(authentik.providers).toHaveLength(1);
			expect(authentik.applications).toHaveLength(1);
			const provider = authentik.providers[0]!;
			expect(authentik.applications[0]!.provider).toBe(provider.pk);
			expect(harbor.config['oidc_client_id']).toBe(provider.client_id);
			expect(harbor.config['oidc_client_secret']).toBe(provider.client_secret);
			expect(authentik.contractErrors).toEqual([]);
		};

		it('killed as the provider is created: the next run finds that provider instead of making a second', async () => {
			const session = await killedRun(args(), env, (kill) => authentik.beforeNext({method: 'POST', path: '/api/v3/providers/oauth2/', run: kill}));
			// The provider exists at authentik, but the process never learnt its id.
			expect(authentik.providers).toHaveLength(1);
			expect(session?.completed ?? []).toEqual([]);
			expect(harbor.requests).toEqual([]);

			const {session: after} = await resume(session, env, args());
			expectOneClient();
			await rollbackRestores(after);
		});

		it('killed as the application is created: the next run links up what exists', async () => {
			const session = await killedRun(args(), env, (kill) => authentik.beforeNext({method: 'POST', path: '/api/v3/core/applications/', run: kill}));
			expect(authentik.applications).toHaveLength(1);
			const {session: after} = await resume(session, env, args());
			expectOneClient();
			await rollbackRestores(after);
		});
	});

	it('Keycloak → Harbor, killed as the client is created: no second client', async () => {
		await startHarbor();
		const keycloak: FakeKeycloak = await startFakeKeycloak({adminPassword: keycloakPassword});
		closers.push(() => keycloak.close());
		const env = {SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: keycloakPassword, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		const args = ['apply', '--idp', 'keycloak', '--app', 'harbor', '--set', `idp_url=${keycloak.url}`, '--set', 'realm=apps', '--set', 'groups_claim=groups', '--set', `app_url=${harbor.url}`, '--yes'];
		const session = await killedRun(args, env, (kill) => keycloak.beforeNext({method: 'POST', path: '/admin/realms/apps/clients', run: kill}));
		expect(keycloak.clients).toHaveLength(1);

		const {session: after} = await resume(session, env, args);
		expect(keycloak.clients).toHaveLength(1);
		const [client] = keycloak.clients;
		expect(harbor.config['oidc_client_id']).toBe(client!.rep['clientId']);
		expect(harbor.config['oidc_client_secret']).toBe(client!.rep['secret']);
		expect(client!.mappers.filter((mapper) => mapper.protocolMapper === 'oidc-group-membership-mapper')).toHaveLength(1);
		expect(keycloak.contractErrors).toEqual([]);
		await rollbackRestores(after);
	});

	it('Pocket ID → Harbor, killed as the client is created: no second client, and Harbor gets a secret Pocket ID accepts', async () => {
		await startHarbor();
		const pocketId: FakePocketId = await startFakePocketId({apiKey: pocketIdKey});
		closers.push(() => pocketId.close());
		const env = {SSO_SETUP_POCKET_ID_API_KEY: pocketIdKey, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		const args = ['apply', '--idp', 'pocket-id', '--app', 'harbor', '--set', `idp_url=${pocketId.url}`, '--set', `app_url=${harbor.url}`, '--yes'];
		const session = await killedRun(args, env, (kill) => pocketId.beforeNext({method: 'POST', path: '/api/oidc/clients', run: kill}));
		expect(pocketId.clients).toHaveLength(1);

		const {session: after} = await resume(session, env, args);
		expect(pocketId.clients).toHaveLength(1);
		const [client] = pocketId.clients;
		expect(harbor.config['oidc_client_id']).toBe(client!.id);
		expect(client!.secrets).toContain(harbor.config['oidc_client_secret']);
		expect(pocketId.contractErrors).toEqual([]);
		await rollbackRestores(after);
	});

	describe('oidc → Harbor with a local user to delete', () => {
		const env = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
		const args = () => ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--yes', '--delete-users', 'alice'];

		beforeEach(async () => {
			await startHarbor(['alice']);
		});

		it('killed between the deletion of the local user and the configuration write: the next run writes it', async () => {
			const session = await killedRun(args(), env, (kill) =>
				harbor.beforeNext('DELETE', '/api/v2.0/users/3', () => {
					kill();
				}),
			);
			// The user is gone, the configuration not yet written; the backup was saved before either.
			expect(harbor.users.find((user) => user.username === 'alice')?.deleted).toBe(true);
			expect(harbor.config['auth_mode']).toBe('db_auth');
			expect(session).toBeDefined();
			expectOriginalBackup(session!, original);

			const {session: after} = await resume(session, env, args());
			expect(harbor.config['oidc_client_secret']).toBe(clientSecret);
			expect(harbor.requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
			await rollbackRestores(after);
		});

		// The failure message says to run the same command with --session: --delete-users included,
		// it must continue after the users are gone (and delete nobody else).
		it('the same command, --delete-users included, continues after the deletion', async () => {
			const session = await killedRun(args(), env, (kill) =>
				harbor.beforeNext('DELETE', '/api/v2.0/users/3', () => {
					kill();
				}),
			);
			const again = await cli(home, ['apply', '--session', session!.id, '--yes', '--delete-users', 'alice'], env);
			expect(again.code, again.all).toBe(0);
			expect(harbor.config['auth_mode']).toBe('oidc_auth');
			expect(harbor.requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
		});

		it('killed as the configuration is written: the backup still holds the settings from before, not the new ones', async () => {
			const session = await killedRun(args(), env, (kill) =>
				harbor.beforeNext('PUT', '/api/v2.0/configurations', () => {
					kill();
				}),
			);
			// Harbor took the write; the process died before recording it.
			expect(harbor.config['auth_mode']).toBe('oidc_auth');
			expect(session).toBeDefined();
			expect(session!.completed).not.toContain('apply');

			const {session: after} = await resume(session, env, args());
			expect(harbor.config['oidc_client_secret']).toBe(clientSecret);
			await rollbackRestores(after);
			expect(harbor.config['auth_mode']).toBe('db_auth');
		});
	});
});
