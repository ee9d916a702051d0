import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {PtyRun} from '../helpers/pty.js';
import {acknowledgeHarborNotices, startAuthentikToHarbor} from '../helpers/wizard-steps.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';

/**
 * The wizard's last step in a real 80×24 terminal, with the built binary: authentik (fake, with its
 * flow executor) → Harbor (fake, whose callback exchanges the code at authentik itself). The wizard
 * registers the client, applies Harbor's settings, runs the checks, then offers the sign-in proof:
 * it says what it creates and deletes, runs the chain as a diagram, and deletes the test user from
 * both sides — after a pass, after a broken link, and after Ctrl+C. Secrets stay in memory (no
 * keychain), so the test needs none.
 */

const authentikToken = 'ak-SignInStep-token-5Rw2';
const harborPassword = 'Harbor-SignInStep-pass-8Kq1';
/** A D-Bus address that leads nowhere: the keychain cannot be opened, secrets stay in memory. */
const noKeychain = {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent'};
const size = {cols: 80, rows: 24};

describe('the wizard offers the sign-in proof as its last step (pseudo-terminal, 80×24)', () => {
	let home: string;
	let authentik: FakeAuthentik;
	let harbor: FakeHarbor;
	const runs: PtyRun[] = [];
	const releases: Array<() => void> = [];

	beforeEach(async () => {
		home = mkdtempSync(path.join(tmpdir(), 'sso-setup-e2e-sign-in-'));
		authentik = await startFakeAuthentik({token: authentikToken});
		authentik.addGroup('harbor-admins');
		harbor = await startFakeHarbor({adminPassword: harborPassword});
	});

	afterEach(async () => {
		for (const release of releases.splice(0)) release();
		for (const run of runs.splice(0)) run.dispose();
		await authentik.close();
		await harbor.close();
		rmSync(home, {recursive: true, force: true});
	});

	/** The test users either side still holds. */
	function testUsersLeft(): {authentik: string[]; harbor: string[]} {
		return {
			authentik: authentik.users.filter((user) => user.username.startsWith('sso-setup-test-')).map((user) => user.username),
			harbor: harbor.users.filter((user) => !user.deleted && user.username.startsWith('sso-setup-test-')).map((user) => user.username),
		};
	}

	/** The current frame, from the header line to the keys line: what a 24-row terminal must hold. */
	function frame(run: PtyRun): string[] {
		const lines = run.screen().split('\n');
		const last = (test: (line: string) => boolean) => lines.length - 1 - [...lines].reverse().findIndex(test);
		return lines.slice(last((line) => line.startsWith('sso-setup · ')), last((line) => line.startsWith('Enter: choose')) + 1);
	}

	/** From the first screen to the sign-in offer: register at authentik, apply in Harbor, the checks. */
	async function walkToTheOffer(options: {beforeSignIn?: () => void} = {}): Promise<PtyRun> {
		const run = new PtyRun([], {...size, env: {SSO_SETUP_HOME: home, ...noKeychain}});
		runs.push(run);
		await run.expectText('Keep secrets in memory for this run only');
		await run.select(/Keep secrets in memory/);
		await startAuthentikToHarbor(run, {harbor: harbor.url, authentik: authentik.url});
		await run.answer(authentikToken);
		for (const label of ['OIDC scopes', 'Username claim', 'Groups claim']) {
			await run.expectText(label);
			await run.press('enter');
		}

		await run.expectText('Admin group');
		await run.answer('harbor-admins');
		for (const label of ['Onboard users automatically', 'Make OIDC the primary sign-in', 'Harbor admin user']) {
			await run.expectText(label);
			await run.press('enter');
		}

		await run.expectText('Harbor admin password (optional)');
		await run.answer(harborPassword);
		await acknowledgeHarborNotices(run);
		await run.expectText('register the client in authentik, then apply the settings in Harbor');
		await run.select(/Continue/);

		await run.expectText('authentik authorization flow');
		await run.press('enter');
		await run.expectText('Create the client in authentik');
		await run.press('enter');
		await run.expectText('Client ID:');
		await run.select(/Continue/);
		await run.expectText('Apply these changes to Harbor');
		await run.press('enter');
		await run.expectText('Continue');
		await run.select(/Continue/);

		await run.expectText('Verify the connection');
		await run.expectText(/Everything that could be checked works|Run the checks again/, 30_000);
		options.beforeSignIn?.();
		await run.select(/Continue/);
		await run.expectText('Last step: prove a real sign-in');
		return run;
	}

	it('says what it creates and deletes, runs the chain to the end, and leaves no test user on either side', async () => {
		const run = await walkToTheOffer();
		await run.expectText('❯ Run it');
		const offer = run.screen();
		expect(offer).toMatch(/creates a throw-away test user \(sso-setup-test-…, with a\s+random password that is never shown or stored\) at authentik at/);
		expect(offer).toMatch(/and then deletes it from\s+both/);
		// Nothing exists before the person chooses.
		expect(testUsersLeft()).toEqual({authentik: [], harbor: []});

		await run.press('enter');
		await run.expectText('A real sign-in passed: the setup works as Harbor uses it.', 60_000);
		const done = run.screen();
		// The chain as a diagram in two lines at 80 columns, every link passed.
		expect(done).toContain('app sign-in start ✔ → IdP authorize ✔ → IdP login ✔ → back at the app ✔');
		expect(done).toContain('→ code exchanged by the app ✔ → user in the app ✔ → admin rights ✔');
		for (const title of ['app sign-in start', 'IdP authorize', 'IdP login', 'back at the app', 'code exchanged by the app', 'user in the app', 'admin rights']) {
			expect(done).toMatch(new RegExp(`^✔ ${title}`, 'm'));
		}

		// The clean-up said what it deleted, on both sides; the fakes agree.
		const username = /Sign-in proof · test user (sso-setup-test-[0-9a-f]+)/.exec(done)?.[1];
		expect(username).toBeDefined();
		expect(done).toContain(`✔ Deleted the user ${username} from Harbor`);
		expect(done).toContain(`✔ Deleted the test user ${username} from`);
		expect(harbor.signIns).toEqual([{status: 302, outcome: 'onboarded', username, admin: true}]);
		expect(testUsersLeft()).toEqual({authentik: [], harbor: []});
		// It fits the 24 rows, header and keys included.
		expect(frame(run).length).toBeLessThanOrEqual(23);
		expect(done).not.toContain('Run it again');

		// What is left to do by hand stays the last screen.
		await run.select(/Continue/);
		await run.expectText(/What is left to do by hand|Done: the checklist, for reference/);
		await run.press('enter');
		expect(await run.exit()).toBe(0);

		// No secret on the screen or in the session; the clean-up record is gone.
		const [file] = readdirSync(path.join(home, 'sessions'));
		const session = readFileSync(path.join(home, 'sessions', file!), 'utf8');
		const output = run.rawOutput();
		const provider = authentik.providers[0]!;
		for (const secret of [authentikToken, harborPassword, provider.client_secret]) {
			expect(session).not.toContain(secret);
			expect(output).not.toContain(secret);
		}

		expect(JSON.parse(session).artifacts['sign-in-cleanup']).toBeUndefined();
		expect(authentik.contractErrors).toEqual([]);
		expect(harbor.contractErrors).toEqual([]);
	});

	it('a wrong client secret in Harbor breaks the code exchange: the screen names the link and its fix, and still cleans up', async () => {
		const run = await walkToTheOffer({
			beforeSignIn: () => {
				// Changed behind sso-setup's back: Harbor never shows its secret, so the checks cannot see it.
				harbor.config['oidc_client_secret'] = 'not-the-secret-authentik-minted';
			},
		});
		await run.expectText('❯ Run it');
		await run.press('enter');
		await run.expectText('The sign-in broke at: code exchanged by the app.', 60_000);
		const done = run.screen();
		expect(done).toContain('app sign-in start ✔ → IdP authorize ✔ → IdP login ✔ → back at the app ✔');
		expect(done).toContain('→ code exchanged by the app ✖ → user in the app · → admin rights ·');
		expect(done).toMatch(/^✖ code exchanged by the app /m);
		expect(done).toMatch(/^ {2}→ /m);
		// At 24 rows the broken link, its fix and the clean-up come first; the diagram shows the rest.
		expect(done).toContain('✖ The sign-in broke at: code exchanged by the app.');
		expect(done).toMatch(/✔ Deleted the test user sso-setup-test-[0-9a-f]+ from/);
		expect(testUsersLeft()).toEqual({authentik: [], harbor: []});
		expect(harbor.signIns.map((signIn) => signIn.outcome)).toEqual(['refused']);
		expect(frame(run).length).toBeLessThanOrEqual(23);

		// Fixed by hand, then run again from the same screen: it passes.
		harbor.config['oidc_client_secret'] = authentik.providers[0]!.client_secret;
		await run.select(/Run it again/);
		await run.expectText('❯ Run it');
		await run.press('enter');
		await run.expectText('A real sign-in passed', 60_000);
		expect(testUsersLeft()).toEqual({authentik: [], harbor: []});
		await run.select(/Continue/);
		await run.expectText(/What is left to do by hand|Done: the checklist, for reference/);
		await run.press('enter');
		expect(await run.exit()).toBe(0);
	});

	it('Ctrl+C during the sign-in stops it, deletes the test user first, then quits saying what the clean-up did', async () => {
		const run = await walkToTheOffer({
			beforeSignIn: () => {
				// authentik's flow executor holds its first answer: the sign-in waits at the IdP.
				let release = () => {};
				const held = new Promise<void>((resolve) => {
					release = resolve;
				});
				releases.push(release);
				authentik.beforeNext({method: 'GET', path: /^\/api\/v3\/flows\/executor\//, run: async () => held});
			},
		});
		await run.expectText('❯ Run it');
		await run.press('enter');
		await run.expectText('Esc: stop · Ctrl+C: stop and quit (the test user is deleted first)', 30_000);
		// The link being tried, with a spinner, while the IdP holds its answer; the test user exists.
		await run.expectText('IdP authorize…');
		expect(testUsersLeft().authentik).toHaveLength(1);
		await run.press('ctrlC');
		expect(await run.exit(30_000)).toBe(130);
		const said = run.output();
		expect(said).toMatch(/The sign-in proof was stopped\. Its clean-up:\s+✔ /);
		expect(said).toMatch(/✔ Deleted the test user sso-setup-test-[0-9a-f]+ from authentik at/);
		expect(said).toMatch(/Interrupted\. Your answers were saved\.\s+Resume with: npx sso-setup resume \S+/);
		expect(testUsersLeft()).toEqual({authentik: [], harbor: []});
		// Nothing is left for the next run to delete.
		const [file] = readdirSync(path.join(home, 'sessions'));
		expect(JSON.parse(readFileSync(path.join(home, 'sessions', file!), 'utf8')).artifacts['sign-in-cleanup']).toBeUndefined();
	});
});
