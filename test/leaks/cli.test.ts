import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {listSessions} from '../../source/core/session/store.js';
import {requireKeychain} from '../helpers/keychain.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {startFakeKeycloak} from '../servers/keycloak.js';
import {startOidcOp} from '../servers/oidc-op.js';
import {startFakeOvh} from '../servers/ovh.js';
import {startFakePocketId} from '../servers/pocket-id.js';
import {startFakePortainer} from '../servers/portainer.js';
import {cli, type CliResult, ensureBuilt, forgetAll, newHome} from '../faults/helpers/cli.js';
import {countFiles, filesUnder, findLeaks, type Haystack, leakSecret, type Secret} from './helpers/leaks.js';

/**
 * Secrets never leak from the scripted commands: complete `apply` runs for each pair with secrets
 * that are unique and easy to spot, then `verify --json`, `checklist --session` (every format, and
 * to a file), `sessions` and `rollback`. Everything they printed and every file under the state
 * directory and the checklist directory is searched for each secret given and each secret the IdP
 * minted, as is and encoded.
 */
const keychain = await requireKeychain();

describe.runIf(keychain.available)('no secret in what the commands print or write', () => {
	let home: string;
	let outputDirectory: string;
	let printed: Haystack[];
	const closers: Array<() => Promise<void>> = [];

	beforeAll(ensureBuilt);

	beforeEach(() => {
		home = newHome('sso-setup-leaks-');
		outputDirectory = mkdtempSync(path.join(tmpdir(), 'sso-setup-leaks-out-'));
		printed = [];
	});

	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
		await forgetAll(home);
	});

	/** Runs a command and keeps what it printed for the search. */
	async function run(args: string[], env: Record<string, string>, expectedCode = 0): Promise<CliResult> {
		const result = await cli(home, args, env);
		const label = args.slice(0, 3).join(' ');
		printed.push({where: `stdout of ${label}`, text: result.stdout}, {where: `stderr of ${label}`, text: result.stderr});
		expect(result.code, result.all).toBe(expectedCode);
		return result;
	}

	/** The commands that follow an apply: they all read the session and its secrets. */
	async function afterApply(env: Record<string, string>): Promise<string> {
		const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
		expect(session).toBeDefined();
		const id = session!.id;
		const verify = await run(['verify', '--session', id, '--json'], env);
		const report = JSON.parse(verify.stdout) as {checks: Array<{id: string; status: string}>};
		expect(report.checks.filter((check) => check.status === 'fail'), verify.stdout).toEqual([]);
		expect(report.checks.filter((check) => check.status === 'pass').length, verify.stdout).toBeGreaterThanOrEqual(4);
		await run(['verify', '--session', id], env);
		for (const format of ['markdown', 'text', 'json']) {
			await run(['checklist', '--session', id, '--format', format], env);
		}

		await run(['checklist', '--session', id, '--output', path.join(outputDirectory, 'checklist.md')], env);
		await run(['sessions'], env);
		await run(['rollback', id, '--yes'], env);
		return id;
	}

	function expectNoLeak(secrets: Secret[]): void {
		expect(secrets.every((secret) => secret.value.length >= 16)).toBe(true);
		const written = [...filesUnder(home, 'state directory'), ...filesUnder(outputDirectory, 'checklist directory')];
		// There was something to search: the session file and the checklist.
		expect(countFiles(home)).toBeGreaterThanOrEqual(1);
		expect(countFiles(outputDirectory)).toBe(1);
		expect(printed.length).toBeGreaterThanOrEqual(8);
		expect(findLeaks([...printed, ...written], secrets)).toEqual([]);
	}

	const harborServer = async (password: string): Promise<FakeHarbor> => {
		const harbor = await startFakeHarbor({adminPassword: password});
		closers.push(() => harbor.close());
		return harbor;
	};

	const authentikServer = async (token: string): Promise<FakeAuthentik> => {
		const authentik = await startFakeAuthentik({token});
		closers.push(() => authentik.close());
		return authentik;
	};

	it('authentik → Harbor: registration, apply, verify, checklist, sessions, rollback', async () => {
		const token = leakSecret('authentik-token');
		const password = leakSecret('harbor-password');
		const authentik = await authentikServer(token);
		const harbor = await harborServer(password);
		const env = {SSO_SETUP_AUTHENTIK_TOKEN: token, SSO_SETUP_HARBOR_ADMIN_PASSWORD: password};
		await run(['apply', '--idp', 'authentik', '--app', 'harbor', '--set', `idp_url=${authentik.url}`, '--set', 'slug=harbor', '--set', `app_url=${harbor.url}`, '--yes'], env);
		const minted = authentik.providers[0]!.client_secret;
		expect(harbor.config['oidc_client_secret']).toBe(minted);
		await afterApply(env);
		expect(harbor.config['auth_mode']).toBe('db_auth');
		expectNoLeak([
			{name: 'authentik token', value: token},
			{name: 'Harbor password', value: password},
			{name: 'client secret minted by authentik', value: minted},
		]);
	});

	it('Keycloak → Harbor', async () => {
		const adminPassword = leakSecret('keycloak-admin-password');
		const password = leakSecret('harbor-password');
		const keycloak = await startFakeKeycloak({adminPassword});
		closers.push(() => keycloak.close());
		const harbor = await harborServer(password);
		const env = {SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD: adminPassword, SSO_SETUP_HARBOR_ADMIN_PASSWORD: password};
		await run(['apply', '--idp', 'keycloak', '--app', 'harbor', '--set', `idp_url=${keycloak.url}`, '--set', 'realm=apps', '--set', 'groups_claim=groups', '--set', `app_url=${harbor.url}`, '--yes'], env);
		const minted = String(keycloak.clients[0]!.rep['secret']);
		expect(harbor.config['oidc_client_secret']).toBe(minted);
		await afterApply(env);
		expectNoLeak([
			{name: 'Keycloak admin password', value: adminPassword},
			{name: 'Harbor password', value: password},
			{name: 'client secret minted by Keycloak', value: minted},
		]);
	});

	it('Pocket ID → Harbor', async () => {
		const apiKey = leakSecret('pocket-id-api-key');
		const password = leakSecret('harbor-password');
		const pocketId = await startFakePocketId({apiKey});
		closers.push(() => pocketId.close());
		const harbor = await harborServer(password);
		const env = {SSO_SETUP_POCKET_ID_API_KEY: apiKey, SSO_SETUP_HARBOR_ADMIN_PASSWORD: password};
		await run(['apply', '--idp', 'pocket-id', '--app', 'harbor', '--set', `idp_url=${pocketId.url}`, '--set', `app_url=${harbor.url}`, '--yes'], env);
		const minted = pocketId.clients[0]!.secrets;
		expect(minted).toContain(harbor.config['oidc_client_secret']);
		await afterApply(env);
		expectNoLeak([
			{name: 'Pocket ID API key', value: apiKey},
			{name: 'Harbor password', value: password},
			...minted.map((value) => ({name: 'client secret minted by Pocket ID', value})),
		]);
	});

	it.each(['password', 'API key'] as const)('authentik → Portainer (%s)', async (credential) => {
		const token = leakSecret('authentik-token');
		const password = leakSecret('portainer-password');
		const apiKey = leakSecret('portainer-api-key');
		const authentik = await authentikServer(token);
		const portainer = await startFakePortainer({adminPassword: password, apiKeys: {[apiKey]: 1}});
		closers.push(() => portainer.close());
		const env = {SSO_SETUP_AUTHENTIK_TOKEN: token, ...(credential === 'password' ? {SSO_SETUP_PORTAINER_ADMIN_PASSWORD: password} : {SSO_SETUP_PORTAINER_API_KEY: apiKey})};
		await run(['apply', '--idp', 'authentik', '--app', 'portainer', '--set', `idp_url=${authentik.url}`, '--set', 'slug=portainer', '--set', `app_url=${portainer.url}`, '--yes'], env);
		const minted = authentik.providers[0]!.client_secret;
		expect(portainer.settings.OAuthSettings['ClientSecret']).toBe(minted);
		await afterApply(env);
		expect(portainer.settings.AuthenticationMethod).toBe(1);
		expectNoLeak([
			{name: 'authentik token', value: token},
			{name: 'Portainer password', value: password},
			{name: 'Portainer API key', value: apiKey},
			{name: 'client secret minted by authentik', value: minted},
			{name: "Portainer's KubeSecretKey", value: String(portainer.settings.OAuthSettings['KubeSecretKey'])},
		]);
	});

	it('any OpenID provider → OVHcloud Managed Private Registry', async () => {
		const clientSecret = leakSecret('client-secret');
		const applicationSecret = leakSecret('ovh-application-secret');
		const consumerKey = leakSecret('ovh-consumer-key');
		// A fake Harbor plays the managed registry, so that verification's sign-in check stays local.
		const registry = await harborServer(leakSecret('registry-password'));
		const provider = await startOidcOp({clients: [{client_id: 'registry', client_secret: clientSecret, redirect_uris: [`${registry.url}/c/oidc/callback`]}]});
		closers.push(() => provider.close());
		const ovh = await startFakeOvh({
			pollsUntilDone: 0,
			projects: {'project-1': [{id: '5e1a4f9c-2b7d-4c3e-9a61-0d8f2b6c7e14', name: 'my-registry', url: registry.url}]},
			applicationKey: 'leaks-application-key',
			applicationSecret,
			consumerKey,
		});
		closers.push(() => ovh.close());
		const env = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_OVH_APPLICATION_SECRET: applicationSecret, SSO_SETUP_OVH_CONSUMER_KEY: consumerKey};
		await run(
			[
				'apply', '--idp', 'oidc', '--app', 'ovh-mpr',
				'--set', `issuer=${provider.issuer}`, '--set', 'client_id=registry', '--set', `app_url=${registry.url}`,
				'--set', `ovh_endpoint=${ovh.endpoint}`, '--set', 'ovh_application_key=leaks-application-key',
				'--set', `ovh_service_name=${ovh.serviceName}`, '--set', `ovh_registry_id=${ovh.registryId}`,
				'--yes',
			],
			env,
		);
		expect(ovh.state.clientSecret).toBe(clientSecret);
		expect(ovh.state.oidc?.status).toBe('READY');
		// What OVHcloud does next: the registry (Harbor) now signs people in through the provider.
		Object.assign(registry.config, {auth_mode: 'oidc_auth', oidc_endpoint: provider.issuer, oidc_client_id: 'registry', oidc_client_secret: clientSecret, oidc_scope: ovh.state.oidc?.scope});
		await afterApply(env);
		expectNoLeak([
			{name: 'client secret', value: clientSecret},
			{name: 'OVH application secret', value: applicationSecret},
			{name: 'OVH consumer key', value: consumerKey},
		]);
	});

	describe('failures', () => {
		const clientSecret = leakSecret('client-secret');
		const password = leakSecret('harbor-password');
		const env = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: password};
		let issuer: string;
		const applyArgs = (harbor: FakeHarbor) => ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${issuer}`, '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--yes'];

		/** Harbor, and an OpenID provider that knows its client, so that verification passes. */
		const servers = async (): Promise<FakeHarbor> => {
			const harbor = await harborServer(password);
			const provider = await startOidcOp({clients: [{client_id: 'harbor', client_secret: clientSecret, redirect_uris: [`${harbor.url}/c/oidc/callback`]}]});
			closers.push(() => provider.close());
			issuer = provider.issuer;
			return harbor;
		};
		const secrets = [
			{name: 'client secret', value: clientSecret},
			{name: 'Harbor password', value: password},
		];

		it('Harbor fails with a 500 in the middle of apply: the error names the step, not the secrets', async () => {
			const harbor = await servers();
			harbor.failNext('PUT', '/api/v2.0/configurations', 500);
			const failed = await run(applyArgs(harbor), env, 1);
			expect(failed.stderr).toContain('harbor: save configuration');
			// The same session finishes, then everything else runs.
			const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
			await run(['apply', '--session', session!.id, '--yes'], env);
			await afterApply(env);
			expectNoLeak(secrets);
		});

		/** A proxy or a verbose server that quotes what it was sent, credentials included. */
		const echo = (call: {rawBody: string; headers: Record<string, string>}) => ({
			status: 500,
			json: {errors: [{code: 'UNKNOWN', message: `cannot save ${call.rawBody} for ${Buffer.from((call.headers['authorization'] ?? '').replace(/^Basic /, ''), 'base64').toString('utf8')}`}]},
		});

		it('apply meets a remote that repeats the request in its error: the secrets are masked', async () => {
			const harbor = await servers();
			harbor.beforeNext('PUT', '/api/v2.0/configurations', echo);
			const failed = await run(applyArgs(harbor), env, 1);
			expect(failed.stderr).toContain('harbor: save configuration: the server failed (HTTP 500: cannot save {');
			const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
			await run(['apply', '--session', session!.id, '--yes'], env);
			await afterApply(env);
			expectNoLeak(secrets);
		});

		it('rollback meets a remote that repeats the request in its error: the secrets are masked', async () => {
			const harbor = await servers();
			await run(applyArgs(harbor), env);
			const [session] = listSessions({SSO_SETUP_HOME: home}).sessions;
			harbor.beforeNext('PUT', '/api/v2.0/configurations', echo);
			const rollback = await run(['rollback', session!.id, '--yes'], env, 1);
			expect(rollback.stderr).toContain('harbor: save configuration: the server failed (HTTP 500: cannot save {');
			// The Basic credentials it quoted are masked, as sent (user:password) and decoded.
			expect(rollback.stderr).toContain('for ••••••)');
			await run(['rollback', session!.id, '--yes'], env);
			expect(harbor.config['auth_mode']).toBe('db_auth');
			await run(['checklist', '--session', session!.id, '--output', path.join(outputDirectory, 'checklist.md')], env);
			await run(['sessions'], env);
			expectNoLeak(secrets);
		});
	});
});
