import {mkdtempSync, readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {forgetKeychainEntries, requireKeychain} from '../helpers/keychain.js';
import {PtyRun} from '../helpers/pty.js';
import {acknowledgeHarborNotices, keepHarborDefaults, readManualSteps, startAuthentikToHarbor} from '../helpers/wizard-steps.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {filesUnder, findLeaks, type Haystack, leakSecret, type Secret} from './helpers/leaks.js';

/**
 * The wizard in a real terminal, authentik → Harbor against fake servers, once with registration
 * (the token typed) and once on the manual path (the client secret typed): every secret typed is
 * masked while it is typed, and none, nor the one authentik minted, appears in the terminal output,
 * on the final screen, in the state directory or in the Markdown checklist the wizard writes.
 */
const keychain = await requireKeychain();

describe.runIf(keychain.available)('no secret on screen or on disk from the wizard', () => {
	let home: string;
	let cwd: string;
	let authentik: FakeAuthentik;
	let harbor: FakeHarbor;
	let token: string;
	let password: string;
	const runs: PtyRun[] = [];

	beforeEach(async () => {
		home = mkdtempSync(path.join(tmpdir(), 'sso-setup-leaks-wizard-'));
		// The wizard writes the checklist next to where it runs.
		cwd = mkdtempSync(path.join(tmpdir(), 'sso-setup-leaks-cwd-'));
		token = leakSecret('authentik-token');
		password = leakSecret('harbor-password');
		authentik = await startFakeAuthentik({token});
		harbor = await startFakeHarbor({adminPassword: password});
	});

	afterEach(async () => {
		for (const run of runs.splice(0)) run.dispose();
		await authentik.close();
		await harbor.close();
		await forgetKeychainEntries(home);
	});

	const start = () => {
		const run = new PtyRun([], {env: {SSO_SETUP_HOME: home}, cwd});
		runs.push(run);
		return run;
	};

	/** Types a secret in two halves; neither half nor the whole may show, only one dot per character. */
	async function typeMasked(run: PtyRun, secret: string): Promise<void> {
		const half = Math.floor(secret.length / 2);
		await run.type(secret.slice(0, half));
		await run.expectText(`› ${'•'.repeat(half)}`);
		expect(run.screen()).not.toContain(secret.slice(0, half));
		await run.type(secret.slice(half));
		await run.expectText(`› ${'•'.repeat(secret.length)}`);
		const screen = run.screen();
		expect(screen).not.toContain(secret.slice(half));
		expect(screen).not.toContain(secret.slice(0, 8));
		await run.press('enter');
	}

	const beginning = (run: PtyRun) => startAuthentikToHarbor(run, {harbor: harbor.url, authentik: authentik.url});

	async function appFields(run: PtyRun): Promise<void> {
		await keepHarborDefaults(run);
		await typeMasked(run, password);
		await acknowledgeHarborNotices(run);
		await run.expectText('Review');
		expect(run.screen()).toContain('••••••');
		await run.select('Continue');
	}

	/** Apply, verification, then the checklist written to a Markdown file, then the end. */
	async function applyVerifyAndWriteChecklist(run: PtyRun): Promise<string> {
		await run.expectText('Apply these changes to Harbor');
		expect(run.screen()).toContain('(will be set)');
		await run.press('enter');
		await run.expectText('Continue');
		await run.select('Continue');
		await run.expectText(/Everything that could be checked works|failed: fix them/, 30_000);
		expect(run.screen()).toContain('Everything that could be checked works.');
		await run.select('Continue');
		// The last step: the sign-in proof where a test user can be created (registration), else skipped.
		await run.expectText('Last step: prove a real sign-in');
		if (run.screen().includes('❯ Run it')) {
			await run.press('enter');
			await run.expectText('A real sign-in passed', 30_000);
		} else {
			await run.select('Skip');
		}

		await run.select('Continue');
		await run.expectText(/What is left to do by hand|Done: the checklist, for reference/);
		await run.select('Write the checklist to a Markdown file');
		await run.expectText('Write the checklist (Markdown) to:');
		await run.press('enter');
		await run.expectText('Finish and print the checklist');
		await run.select('Finish and print the checklist');
		expect(await run.exit()).toBe(0);
		const written = readdirSync(cwd).filter((name) => name.endsWith('.md'));
		expect(written).toHaveLength(1);
		return written[0]!;
	}

	function expectNoLeak(run: PtyRun, secrets: Secret[]): void {
		const haystacks: Haystack[] = [
			{where: 'raw terminal output', text: run.rawOutput()},
			{where: 'terminal output without escapes', text: run.output()},
			{where: 'final screen', text: run.screen()},
			...filesUnder(home, 'state directory'),
			...filesUnder(cwd, 'working directory'),
		];
		// The checklist was printed and written: there was something to search.
		expect(run.output()).toContain('Connect Harbor to authentik');
		expect(filesUnder(cwd).length).toBeGreaterThan(0);
		expect(findLeaks(haystacks, secrets)).toEqual([]);
	}

	it('with registration: the token and the Harbor password typed, the client secret minted by authentik', async () => {
		const run = start();
		await beginning(run);
		await typeMasked(run, token);
		await appFields(run);
		await run.expectText('authentik authorization flow', 20_000);
		await run.press('enter');
		await run.expectText('Create the client in authentik');
		await run.press('enter');
		await run.expectText('Client ID:');
		await run.select('Continue');
		const file = await applyVerifyAndWriteChecklist(run);

		expect(authentik.providers).toHaveLength(1);
		const minted = authentik.providers[0]!.client_secret;
		expect(harbor.config['oidc_client_secret']).toBe(minted);
		expect(run.output()).toContain(file);
		// The sign-in proof's test user had a random password, set through authentik's API.
		const testUserPasswords = authentik.requests.filter((request) => request.path.endsWith('/set_password/')).map((request) => (request.body as {password: string}).password);
		expect(testUserPasswords).toHaveLength(1);
		expectNoLeak(run, [
			{name: 'authentik token', value: token},
			{name: 'Harbor password', value: password},
			{name: 'client secret minted by authentik', value: minted},
			{name: "the sign-in proof's test user password", value: testUserPasswords[0]!},
		]);
	}, 90_000);

	it('on the manual path: the client secret typed, then applied and verified', async () => {
		const clientId = 'harbor-leaks-client';
		const clientSecret = leakSecret('client-secret');
		authentik.addClient({slug: 'harbor', clientId, clientSecret, redirectUris: [`${harbor.url}/c/oidc/callback`]});
		const run = start();
		await beginning(run);
		await run.press('enter');
		await readManualSteps(run);
		await run.expectText('Client ID (from the authentik provider)');
		await run.answer(clientId);
		await run.expectText('Client secret (from the authentik provider)');
		await typeMasked(run, clientSecret);
		await appFields(run);
		await applyVerifyAndWriteChecklist(run);

		expect(harbor.config['oidc_client_secret']).toBe(clientSecret);
		expectNoLeak(run, [
			{name: 'client secret', value: clientSecret},
			{name: 'Harbor password', value: password},
			// Never typed nor needed on this path, but it is the admin credential of this authentik.
			{name: 'authentik token', value: token},
		]);
	}, 90_000);
});
