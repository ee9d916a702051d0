import {mkdtempSync, readdirSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadSession} from '../../source/core/session/store.js';
import {forgetKeychainEntries, requireKeychain} from '../helpers/keychain.js';
import {PtyRun} from '../helpers/pty.js';
import {acknowledgeHarborNotices, keepHarborDefaults, startAuthentikToHarbor} from '../helpers/wizard-steps.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';

/**
 * The whole wizard in a real terminal, against a fake authentik and a fake Harbor on 127.0.0.1:
 * register the client, apply Harbor's settings, verify, then the checklist.
 */
const keychain = await requireKeychain();
const authentikToken = 'ak-E2E-token-7Qx9';
const harborPassword = 'Harbor-E2E-pass-3Zv8';

describe.runIf(keychain.available)('wizard in a terminal: authentik → Harbor with registration and apply', () => {
	let home: string;
	let authentik: FakeAuthentik;
	let harbor: FakeHarbor;
	const runs: PtyRun[] = [];

	beforeEach(async () => {
		home = mkdtempSync(path.join(tmpdir(), 'sso-setup-e2e-auto-'));
		authentik = await startFakeAuthentik({token: authentikToken});
		harbor = await startFakeHarbor({adminPassword: harborPassword});
	});

	afterEach(async () => {
		for (const run of runs.splice(0)) run.dispose();
		await authentik.close();
		await harbor.close();
		await forgetKeychainEntries(home);
	});

	async function runWizard(): Promise<PtyRun> {
		const run = new PtyRun([], {env: {SSO_SETUP_HOME: home}});
		runs.push(run);
		await startAuthentikToHarbor(run, {harbor: harbor.url, authentik: authentik.url});
		await run.answer(authentikToken);
		// With the token, the client ID and secret are not asked: registration produces them.
		await run.expectText('OIDC scopes');
		await keepHarborDefaults(run);
		await run.answer(harborPassword);
		await acknowledgeHarborNotices(run);
		await run.expectText('register the client in authentik, then apply the settings in Harbor');
		await run.select('Continue');
		return run;
	}

	it('registers, applies, verifies and ends with the checklist', async () => {
		const run = await runWizard();
		await run.expectText('Register the client in authentik');
		await run.expectText('authentik authorization flow');
		await run.press('enter');
		await run.expectText('Create the client in authentik');
		await run.press('enter');
		await run.expectText('Client ID:');
		await run.select('Continue');

		await run.expectText('Apply the settings in Harbor');
		await run.expectText('Apply these changes to Harbor');
		expect(run.screen()).toContain(`${harbor.url}/account/sign-in`);
		expect(run.screen()).toContain('(will be set)');
		const putsBefore = harbor.requests.filter((request) => request.method === 'PUT').length;
		expect(putsBefore).toBe(0);
		await run.press('enter');
		await run.expectText('Continue');
		await run.select('Continue');

		await run.expectText('Verify the connection');
		await run.expectText(/Everything that could be checked works|Run the checks again/, 30_000);
		const verifyScreen = run.screen();
		expect(verifyScreen).toContain('Sign in for real: open');
		await run.select('Continue');
		// The sign-in proof is offered last (test/e2e/sign-in-step.test.ts runs it).
		await run.expectText('Last step: prove a real sign-in');
		await run.select('Skip');
		await run.expectText('Sign-in proof skipped: You chose not to run it, so nothing was created.');
		await run.select('Continue');
		await run.expectText(/What is left to do by hand|Done: the checklist, for reference/);
		await run.press('enter');
		expect(await run.exit()).toBe(0);

		// authentik: exactly one provider and one application, with the strict redirect URI.
		expect(authentik.contractErrors).toEqual([]);
		expect(authentik.providers).toHaveLength(1);
		expect(authentik.applications).toHaveLength(1);
		const provider = authentik.providers[0]!;
		expect(provider.redirect_uris).toEqual([{matching_mode: 'strict', url: `${harbor.url}/c/oidc/callback`}]);

		// Harbor: OIDC on, pointing at authentik's issuer, with the secret authentik minted.
		expect(harbor.contractErrors).toEqual([]);
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
		expect(harbor.config['oidc_endpoint']).toBe(`${authentik.url}/application/o/harbor/`);
		expect(harbor.config['oidc_client_id']).toBe(provider.client_id);
		expect(harbor.config['oidc_client_secret']).toBe(provider.client_secret);
		expect(harbor.config['oidc_scope']).toBe('openid,profile,email,offline_access');

		// Verification passed every check it could run.
		expect(verifyScreen).not.toContain('✖');

		// No secret in the session file or on the screen.
		const [file] = readdirSync(path.join(home, 'sessions'));
		const text = readFileSync(path.join(home, 'sessions', file!), 'utf8');
		const output = run.rawOutput();
		for (const secret of [authentikToken, harborPassword, provider.client_secret]) {
			expect(text).not.toContain(secret);
			expect(output).not.toContain(secret);
		}

		const session = loadSession(file!.replace(/\.json$/, ''), {SSO_SETUP_HOME: home});
		expect(session.completed).toEqual(expect.arrayContaining(['register', 'apply', 'verify']));
		expect(session.answers['client_id']).toBe(provider.client_id);
	});

	it('a second run creates nothing new: only the secret, which Harbor cannot show, is offered again', async () => {
		const first = await runWizard();
		await first.expectText('authentik authorization flow');
		await first.press('enter');
		await first.expectText('Create the client in authentik');
		await first.press('enter');
		await first.select('Continue');
		await first.expectText('Apply these changes to Harbor');
		await first.press('enter');
		await first.select('Continue');
		await first.expectText(/Everything that could be checked works|Run the checks again/, 30_000);
		await first.press('ctrlC');
		expect(await first.exit()).toBe(130);

		const putsAfterFirst = harbor.requests.filter((request) => request.method === 'PUT').length;
		const second = await runWizard();
		// The application exists: the plan updates it (reading the credentials back) instead of creating another.
		await second.expectText('Update the client in authentik');
		expect(second.screen()).toContain('already has the right settings');
		expect(second.screen()).not.toContain('Create the client');
		await second.press('enter');
		await second.expectText('(unchanged)');
		await second.select('Continue');
		await second.expectText('Apply the settings in Harbor');
		// A new session cannot know whether Harbor holds this secret (Harbor never returns it), so the
		// secret is the only change offered; every readable setting already matches.
		await second.expectText('Apply these changes to Harbor');
		const plan = second.screen();
		expect(plan).toContain('OIDC client secret: (will be set)');
		expect(plan.split('\n').slice(1).join('\n')).not.toMatch(/→/);
		await second.press('ctrlC');
		expect(await second.exit()).toBe(130);
		expect(authentik.providers).toHaveLength(1);
		expect(authentik.applications).toHaveLength(1);
		expect(harbor.requests.filter((request) => request.method === 'PUT')).toHaveLength(putsAfterFirst);
	});
});
