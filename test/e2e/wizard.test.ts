import {mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadSession} from '../../source/core/session/store.js';
import {openKeychain} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import {requireKeychain} from '../helpers/keychain.js';
import {PtyRun} from '../helpers/pty.js';
import {readManualSteps} from '../helpers/wizard-steps.js';

/** The wizard, driven in a real pseudo-terminal: authentik → Harbor on the manual path. */
const keychain = await requireKeychain();
const clientSecret = 'e2e-Client-Secret-4f9c1d';

describe.runIf(keychain.available)('wizard in a terminal (manual path)', () => {
	let home: string;
	const runs: PtyRun[] = [];
	const start = (args: string[] = []) => {
		const run = new PtyRun(args, {env: {SSO_SETUP_HOME: home}});
		runs.push(run);
		return run;
	};

	beforeEach(() => {
		home = mkdtempSync(path.join(tmpdir(), 'sso-setup-e2e-'));
	});

	afterEach(() => {
		for (const run of runs.splice(0)) run.dispose();
	});

	async function chooseAuthentikHarbor(run: PtyRun) {
		await run.expectText('Start a new setup');
		await run.select('Start a new setup');
		await run.expectText('Which identity provider?');
		await run.expectText('❯ authentik');
		await run.press('enter');
		await run.expectText('Which app?');
		await run.expectText('❯ Harbor');
		await run.press('enter');
	}

	async function answerFields(run: PtyRun) {
		await run.expectText('Harbor URL');
		await run.type('harbor.example.com');
		await run.expectText('must be a full URL starting with https://');
		await run.clearLine();
		await run.answer('https://harbor.example.com/');
		await run.expectText('authentik URL');
		await run.answer('https://auth.example.com');
		await run.expectText('Application slug in authentik');
		await run.expectText('› harbor');
		await run.press('enter');
		await run.expectText('authentik API token (optional)');
		await run.press('enter');
		// The manual path shows each authentik step in full before asking for the client ID.
		await run.expectText('By hand in authentik');
		expect(await readManualSteps(run)).toHaveLength(6);
		await run.expectText('Client ID (from the authentik provider)');
		await run.answer('harbor-client');
		await run.expectText('Client secret (from the authentik provider)');
		await run.type(clientSecret);
		await run.expectText('••••••');
		expect(run.screen()).not.toContain(clientSecret);
		await run.press('enter');
		await run.expectText('OIDC scopes (comma-separated for Harbor)');
		await run.clearLine();
		await run.answer('openid profile email offline_access');
		// Remaining questions keep their defaults.
		for (const label of ['Username claim', 'Groups claim', 'Admin group', 'Onboard users automatically', 'Make OIDC the primary sign-in', 'Harbor admin user', 'Harbor admin password']) {
			await run.expectText(label);
			await run.press('enter');
		}
	}

	async function acknowledgeWarnings(run: PtyRun) {
		await run.expectText('Harbor must have no local users other than admin');
		await run.press('enter');
		await run.expectText('https://harbor.example.com/account/sign-in');
		await run.press('enter');
		await run.expectText('Harbor wants comma-separated scopes');
		await run.press('enter');
	}

	async function finish(run: PtyRun) {
		await run.expectText('Review');
		await run.expectText('Redirect URI: https://harbor.example.com/c/oidc/callback');
		await run.expectText('Issuer: https://auth.example.com/application/o/harbor/');
		await run.expectText('Secrets (in the keychain, shown as ••••••): Client secret');
		await run.press('enter');
		await run.expectText('What is left to do by hand');
		await run.press('enter');
		expect(await run.exit()).toBe(0);
		const output = run.output();
		expect(output).toContain('Connect Harbor to authentik');
		expect(output).toContain('OIDC Scope: openid,profile,email,offline_access');
		expect(output).toContain('OIDC Client Secret: (stored in keychain)');
		expect(output).toMatch(/Check the connection any time with:\s+npx sso-setup verify --session authentik-harbor-[0-9a-f]{6}/);
		expect(output).not.toContain(clientSecret);
	}

	function onlySession(): string {
		const files = readdirSync(path.join(home, 'sessions'));
		expect(files.length).toBeGreaterThan(0);
		return files.sort((a, b) => statSync(path.join(home, 'sessions', b)).mtimeMs - statSync(path.join(home, 'sessions', a)).mtimeMs)[0]!.replace(/\.json$/, '');
	}

	it('goes from the choice of IdP and app to the checklist', async () => {
		const run = start();
		await chooseAuthentikHarbor(run);
		await answerFields(run);
		await acknowledgeWarnings(run);
		await finish(run);

		const id = onlySession();
		const session = loadSession(id, {SSO_SETUP_HOME: home});
		expect(session.finished).toBe(true);
		expect(session.answers).toMatchObject({app_url: 'https://harbor.example.com', idp_url: 'https://auth.example.com', slug: 'harbor', client_id: 'harbor-client', scopes: 'openid,profile,email,offline_access'});
		expect(session.secrets).toEqual(['client_secret']);
		const file = path.join(home, 'sessions', `${id}.json`);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		expect(readFileSync(file, 'utf8')).not.toContain(clientSecret);
		const probe = await openKeychain();
		expect(probe.ok).toBe(true);
		if (probe.ok) {
			const secrets = new SessionSecrets(probe.store, id, {});
			expect(await secrets.get('client_secret')).toBe(clientSecret);
			await secrets.deleteAll();
		}
	});

	it('saves on Ctrl+C after the fields and resumes with the same answers', async () => {
		const first = start();
		await chooseAuthentikHarbor(first);
		await answerFields(first);
		await first.expectText('Harbor must have no local users other than admin');
		await first.press('ctrlC');
		expect(await first.exit()).toBe(130);
		const id = onlySession();
		expect(first.output()).toContain(`Resume with: npx sso-setup resume ${id}`);
		const saved = loadSession(id, {SSO_SETUP_HOME: home});
		expect(saved.finished).toBe(false);

		const second = start(['resume', id]);
		await second.expectText(`Resumed session ${id}`);
		await acknowledgeWarnings(second);
		await finish(second);
		const resumed = loadSession(id, {SSO_SETUP_HOME: home});
		expect(resumed.answers).toEqual(saved.answers);
		expect(resumed.finished).toBe(true);
		const probe = await openKeychain();
		if (probe.ok) {
			await new SessionSecrets(probe.store, id, {}).deleteAll();
		}
	});

	it('goes back one step with Esc without losing the answer', async () => {
		const run = start();
		await chooseAuthentikHarbor(run);
		await run.expectText('Harbor URL');
		await run.answer('https://harbor.example.com');
		await run.expectText('authentik URL');
		await run.press('escape');
		await run.expectText('› https://harbor.example.com');
		await run.press('ctrlC');
		expect(await run.exit()).toBe(130);
	});
});
