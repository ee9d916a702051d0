import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {loadFlows} from '../../source/commands/inputs.js';
import {getPair} from '../../source/core/flows/pair.js';
import {lockRun} from '../../source/core/session/run-lock.js';
import {newSession, type Session} from '../../source/core/session/store.js';
import type {AppIntegration, IntegrationContext} from '../../source/integrations/types.js';
import {memoryStore} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import {StageRunner} from '../../source/wizard/stage-runner.js';
import {cli, ensureBuilt, newHome, settle, startCli} from '../faults/helpers/cli.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';

// Issue 13, class 5: one writing run at a time per IdP + app + app URL, across apply, rollback and the wizard.
const harborPassword = 'Hostile-Lock-Pass-12';
const env = {SSO_SETUP_CLIENT_SECRET: 'Hostile-Lock-Secret-13', SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
const apply = (harbor: FakeHarbor) => ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--yes'];
const refusal = (pid: number | undefined) => `Another sso-setup run is using this session (pid ${pid}).`;

const closers: Array<() => Promise<void>> = [];
beforeAll(ensureBuilt);
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
});

async function harbor(): Promise<FakeHarbor> {
	const started = await startFakeHarbor({adminPassword: harborPassword});
	closers.push(() => started.close());
	return started;
}

/** An apply that waits at its first remote call (Harbor's configuration) until release() is called. */
async function heldApply(home: string, server: FakeHarbor) {
	let release: () => void = () => undefined;
	const released = new Promise<void>((resolve) => {
		release = resolve;
	});
	const arrived = new Promise<void>((resolve) => {
		server.beforeNext('GET', '/api/v2.0/configurations', async () => {
			resolve();
			await released;
		});
	});
	const running = startCli(home, apply(server), env);
	closers.push(async () => {
		release();
		await running;
	});
	await arrived;
	return {pid: running.pid, release, result: async () => settle(running)};
}

describe('class 5: one run at a time per app', () => {
	it('refuses a second run while the first lives, and takes over a lock of a dead process', async () => {
		const home = {SSO_SETUP_HOME: mkdtempSync(path.join(tmpdir(), 'sso-setup-lock-'))};
		const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		// The lock as the other run wrote it: its pid.
		lockRun(['apply', 'pocket-id', 'harbor', 'https://harbor.example.com'], home);
		const locks = path.join(home.SSO_SETUP_HOME, 'locks');
		const [name] = readdirSync(locks);
		writeFileSync(path.join(locks, name!), `${holder.pid}\n`);
		expect(() => lockRun(['apply', 'pocket-id', 'harbor', 'https://harbor.example.com'], home)).toThrow(refusal(holder.pid));
		holder.kill('SIGKILL');
		await new Promise((resolve) => holder.once('exit', resolve));
		mkdirSync(locks, {recursive: true});
		expect(() => lockRun(['apply', 'pocket-id', 'harbor', 'https://harbor.example.com'], home)).not.toThrow();
	});

	it('two apply processes against the same app: the second is refused with the first one\'s pid, the first finishes', async () => {
		const server = await harbor();
		const home = newHome('sso-setup-lock-');
		const first = await heldApply(home, server);
		const second = await cli(home, apply(server), env);
		expect(second.code, second.all).toBe(3);
		expect(second.stderr).toContain(refusal(first.pid));
		first.release();
		const done = await first.result();
		expect(done.code, done.all).toBe(0);
		// Once the first has ended, its lock is gone.
		expect((await cli(home, apply(server), env)).code).toBe(0);
	});

	it('rollback is refused while an apply writes the same app', async () => {
		const server = await harbor();
		const home = newHome('sso-setup-lock-');
		const done = await cli(home, apply(server), env);
		expect(done.code, done.all).toBe(0);
		const id = /Session (\S+) saved/.exec(done.stdout)![1]!;
		const running = await heldApply(home, server);
		const rollback = await cli(home, ['rollback', id, '--yes'], env);
		expect(rollback.code, rollback.all).toBe(3);
		expect(rollback.stderr).toContain(refusal(running.pid));
		running.release();
		expect((await running.result()).code).toBe(0);
	});

	it('the wizard\'s automated stages take the same lock as apply: each refuses while the other runs', async () => {
		const server = await harbor();
		const home = newHome('sso-setup-lock-');
		const pair = getPair(await loadFlows([]), 'oidc', 'harbor');
		const app = {} as AppIntegration;
		const runner = new StageRunner({loadAppIntegration: async () => app, env: {SSO_SETUP_HOME: home}});
		const view = (url: string) => {
			const session: Session = {...newSession('oidc', 'harbor'), answers: {issuer: 'https://login.example.com', client_id: 'harbor', app_url: url}};
			return {pair, session, presentSecrets: new Set<string>()};
		};
		const create = async (url: string) => {
			const shown = view(url);
			return runner.create('apply', shown, {current: () => shown.session, update: () => {}}, new SessionSecrets(memoryStore(), shown.session.id, {}), () => ({}) as IntegrationContext);
		};

		// An apply process holds the app: the wizard (this process) is refused with its pid.
		const running = await heldApply(home, server);
		await expect(create(`${server.url}/`)).rejects.toThrow(refusal(running.pid));
		running.release();
		expect((await running.result()).code).toBe(0);

		// The wizard (this process) applies: an apply process is refused with this pid.
		expect((await create(server.url))?.kind).toBe('apply');
		const refused = await cli(home, apply(server), env);
		expect(refused.code, refused.all).toBe(3);
		expect(refused.stderr).toContain(refusal(process.pid));
	});
});
