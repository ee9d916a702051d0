import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {listSessions} from '../../source/core/session/store.js';
import {forgetKeychainEntries, requireKeychain} from '../helpers/keychain.js';
import {PtyRun} from '../helpers/pty.js';
import {startFakeAuthentik} from '../servers/authentik.js';
import {startFakeHarbor} from '../servers/harbor.js';
import {startFakeKeycloak} from '../servers/keycloak.js';
import {startFakeOvh} from '../servers/ovh.js';
import {startFakePocketId} from '../servers/pocket-id.js';
import {startFakePortainer} from '../servers/portainer.js';

/**
 * Issue 11: the four pairs of the upstream guides walked as a new admin would, in a pseudo-terminal
 * of 80×24 with the built binary, against the fake servers: authentik → Harbor, Pocket ID → Harbor
 * (by hand, verified from the checklist), Keycloak → OVHcloud MPR (the registry picked from the
 * OVH API, its local users deleted only as confirmed), authentik → Portainer (no keychain).
 * Every screen keeps its header and fits; the printed checklist fits 80 columns.
 */
const keychain = await requireKeychain();
const cols = 80;
const rows = 24;
const noKeychain = {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent'};

type Answer = string | {select: string};

/**
 * The screen fits the terminal: the header on its first row, a row to spare at the bottom (a frame
 * as tall as the terminal scrolls its header away), and no line cut short with "…".
 */
function expectFits(run: PtyRun, header: string): void {
	const shown = run.viewport();
	const text = shown.join('\n');
	expect(shown[0], text).toContain(`sso-setup · ${header}`);
	expect(shown.at(-1), text).toBe('');
	expect(shown.filter((row) => /\S…$/.test(row)), text).toEqual([]);
}

/** The printed checklist: wrapped to the terminal, a longer line only when it is one word (a URL) or code. */
function expectWrappedChecklist(output: string): void {
	// Printed after the last frame: its title is the checklist's first line.
	const checklist = output.slice(output.lastIndexOf('\nConnect ') + 1);
	const long = checklist.split(/\r?\n/).filter((line) => line.length > cols && /\S\s+\S/.test(line.trim()) && !/^\s{5,}["{}]/.test(line));
	expect(long).toEqual([]);
	expect(checklist.split(/\r?\n/).length).toBeGreaterThan(20);
}

/**
 * Answers the wizard's questions by their titles until `until` shows: typed values (Ctrl+U first
 * clears what the field holds), menu picks, Enter for the rest; manual steps and warnings are read
 * and confirmed. Every screen on the way must fit. Returns the titles seen.
 */
async function walk(run: PtyRun, header: string, answers: Record<string, Answer>, until: RegExp): Promise<string[]> {
	const titles: string[] = [];
	for (let guard = 0; guard < 80; guard++) {
		await run.settle(200);
		const shown = run.viewport();
		if (until.test(shown.join('\n'))) {
			return titles;
		}

		expectFits(run, header);
		const title = shown[2]?.trim() ?? '';
		titles.push(title);
		if (titles.length > 3 && titles.slice(-3).every((item) => item === title) && shown.some((row) => row.includes('✖'))) {
			throw new Error(`The answer to "${title}" is refused. Screen:\n${shown.join('\n')}`);
		}

		const question = /question \d+ of \d+/.test(shown[0] ?? '');
		const answer = question ? answers[title] : undefined;
		if (typeof answer === 'object') {
			await run.select(answer.select);
		} else if (typeof answer === 'string') {
			await run.press('ctrlU');
			await run.answer(answer);
		} else if (question || title.startsWith('By hand in') || title === 'Before you go on') {
			await run.press('enter');
		} else {
			throw new Error(`Unexpected screen while walking to ${String(until)}:\n${shown.join('\n')}`);
		}
	}

	throw new Error(`Never reached ${String(until)}. Screen:\n${run.screen()}`);
}

/** Finishes at the checklist screen and returns what was printed. */
async function finish(run: PtyRun): Promise<string> {
	const end = /What is left to do by hand|Done: the checklist, for reference/;
	await run.expectText(new RegExp(`${end.source}|Last step: prove a real sign-in`));
	if (!end.test(run.screen())) {
		// The sign-in proof is offered after automatic checks (test/e2e/sign-in-step.test.ts runs it).
		await run.select('Skip');
		await run.expectText('Sign-in proof skipped');
		await run.select('Continue');
		await run.expectText(end);
	}

	await run.select('Finish and print the checklist');
	expect(await run.exit(30_000)).toBe(0);
	return run.output();
}

describe.runIf(keychain.available)('the four pairs of the guides, walked at 80×24', () => {
	let home: string;
	const closers: Array<() => Promise<void>> = [];
	const runs: PtyRun[] = [];

	beforeEach(() => {
		home = mkdtempSync(path.join(tmpdir(), 'sso-setup-walks-'));
	});

	afterEach(async () => {
		for (const run of runs.splice(0)) run.dispose();
		for (const close of closers.splice(0)) await close();
		await forgetKeychainEntries(home);
	});

	function start(env: Record<string, string> = {}): PtyRun {
		const run = new PtyRun([], {cols, rows, env: {SSO_SETUP_HOME: home, ...env}});
		runs.push(run);
		return run;
	}

	async function pickPair(run: PtyRun, idp: string, app: string): Promise<void> {
		await run.expectText('Start a new setup');
		await run.select('Start a new setup');
		await run.expectText('Which identity provider?');
		await run.select(idp);
		await run.expectText('Which app?');
		await run.select(app);
	}

	it('authentik → Harbor: registration, apply and verification; the Review fits', async () => {
		const token = 'walk-authentik-token-1';
		const password = 'Walk-Harbor-Pass-1';
		const authentik = await startFakeAuthentik({token});
		const harbor = await startFakeHarbor({adminPassword: password});
		closers.push(() => authentik.close(), () => harbor.close());
		const run = start();
		const header = 'authentik → Harbor';
		await pickPair(run, 'authentik', 'Harbor');
		await walk(run, header, {'Harbor URL': harbor.url, 'authentik URL': authentik.url, 'authentik API token (optional)': token, 'Harbor admin password (optional)': password}, /^Review$/m);
		expectFits(run, header);
		const review = run.viewport().join('\n');
		expect(review).toContain('OIDC scopes (comma-separated for Harbor): openid,profile,email,offline_access');
		expect(review).toContain('Next: register the client in authentik, then apply the settings in Harbor');
		expect(review).toContain('❯ Continue');
		// What does not fit is one PgDn away, under the same header.
		if (!review.includes('Local admin sign-in:')) {
			expect(review).toContain('PgDn: more');
			await run.press('pageDown');
			expectFits(run, header);
		}

		expect(run.viewport().join('\n')).toContain(`Local admin sign-in: ${harbor.url}/account/sign-in`);
		expect(run.viewport().join('\n')).toContain(`Issuer: ${authentik.url}/application/o/harbor/`);

		await run.press('enter');
		await run.expectText('authentik authorization flow');
		expectFits(run, header);
		await run.press('enter');
		await run.expectText('Create the client in authentik');
		expectFits(run, header);
		await run.press('enter');
		await run.expectText('Client ID:');
		await run.select('Continue');
		await run.expectText('Apply these changes to Harbor');
		expectFits(run, header);
		await run.press('enter');
		await run.expectText('❯ Continue');
		expectFits(run, header);
		await run.select('Continue');
		await run.expectText(/Everything that could be checked works|Run the checks again/, 30_000);
		expectFits(run, header);
		await run.select('Continue');
		const output = await finish(run);
		expectWrappedChecklist(output);
		expect(harbor.config['oidc_endpoint']).toBe(`${authentik.url}/application/o/harbor/`);
		expect(authentik.providers).toHaveLength(1);
	});

	it('Pocket ID → Harbor by hand: each Pocket ID step in full before the client ID, then verified from the checklist', async () => {
		const pocketId = await startFakePocketId();
		const harbor = await startFakeHarbor();
		closers.push(() => pocketId.close(), () => harbor.close());
		const run = start();
		const header = 'Pocket ID → Harbor';
		await pickPair(run, 'Pocket ID', 'Harbor');
		const titles = await walk(run, header, {'Harbor URL': harbor.url, 'Pocket ID URL': pocketId.url, 'Client ID (from Pocket ID)': 'harbor', 'Client secret (from Pocket ID)': 'walk-pocket-secret'}, /^Review$/m);
		// A value longer than the line wraps whole instead of being cut.
		expect(run.viewport().map((row) => row.trim())).toContain('openid,profile,email,offline_access,groups');
		// The steps come before the client ID they produce.
		const firstStep = titles.indexOf('By hand in Pocket ID');
		expect(firstStep).toBeGreaterThan(-1);
		expect(firstStep).toBeLessThan(titles.indexOf('Client ID (from Pocket ID)'));
		expectFits(run, header);
		await run.press('enter');
		await run.expectText('What is left to do by hand');
		expectFits(run, header);
		const id = listSessions({SSO_SETUP_HOME: home}).sessions[0]!.id;
		expect(run.viewport().join(' ').replaceAll(/\s+/g, ' ')).toContain(`later with: npx sso-setup verify --session ${id}`);
		await run.select('Verify the connection (the steps by hand are done)');
		await run.expectText('Verify the connection');
		await run.expectText(/Everything that could be checked works|Run the checks again/, 30_000);
		expectFits(run, header);
		await run.select('Continue');
		const output = await finish(run);
		expectWrappedChecklist(output);
		expect(output).toContain('OIDC Client Secret: (stored in keychain)');
		expect(output).toMatch(new RegExp(`Check the connection any time with:\\s+npx sso-setup verify --session ${id}`));
		expect(listSessions({SSO_SETUP_HOME: home}).sessions[0]!.completed).toContain('verify');
	});

	it('Keycloak → OVHcloud MPR: the registry picked from the OVH API, its two local users deleted only as typed back', async () => {
		const registry = await startFakeHarbor();
		const keycloak = await startFakeKeycloak({realms: ['mpr']});
		const registryId = '5e1a4f9c-2b7d-4c3e-9a61-0d8f2b6c7e14';
		const ovh = await startFakeOvh({
			applicationKey: 'walk-ak',
			applicationSecret: 'walk-as',
			consumerKey: 'walk-ck',
			users: ['registry-admin', 'ci-bot'],
			pollsUntilDone: 0,
			projects: {'project-1': [{id: registryId, name: 'team-registry', region: 'GRA', status: 'READY', url: registry.url}]},
		});
		closers.push(() => registry.close(), () => keycloak.close(), () => ovh.close());
		const run = start();
		const header = 'Keycloak → OVHcloud Managed Private Registry';
		await pickPair(run, 'Keycloak', 'OVHcloud Managed Private Registry');
		await walk(run, header, {'OVHcloud API endpoint': {select: 'Other URL (a full API base URL)'}}, /Other URL \(a full API base URL\):/);
		await run.answer(ovh.endpoint);
		await walk(
			run,
			header,
			{
				'OVHcloud application key (optional)': 'walk-ak',
				'OVHcloud application secret': 'walk-as',
				'OVHcloud consumer key': 'walk-ck',
				'Public Cloud project ID (service name)': {select: 'project-1'},
				'Registry ID': {select: 'team-registry (GRA)'},
				'Keycloak URL': keycloak.url,
				Realm: 'mpr',
				'Keycloak admin password (optional)': keycloak.adminPassword,
			},
			/^Review$/m,
		);
		expectFits(run, header);
		expect(run.screen()).not.toContain('ovh_');
		await run.press('enter');
		await run.expectText('Create the client in Keycloak');
		expectFits(run, header);
		expect(run.viewport().join(' ').replaceAll(/\s+/g, ' ')).toContain(`the redirect URI ${registry.url}/c/oidc/callback`);
		await run.press('enter');
		await run.expectText('Client ID:');
		await run.select('Continue');
		await run.expectText('Users found:');
		expectFits(run, header);
		expect(ovh.requests.filter((request) => request.method === 'POST')).toEqual([]);
		await run.select('Delete these 2 users (you confirm each name)');
		for (const user of ['registry-admin', 'ci-bot']) {
			await run.expectText(`Type ${user} to confirm`);
			await run.answer(user);
		}

		await run.expectText('Apply these changes to OVHcloud Managed Private Registry');
		expectFits(run, header);
		await run.press('enter');
		await run.expectText('status is READY', 30_000);
		expectFits(run, header);
		await run.select('Continue');
		await run.expectText(/Everything that could be checked works|Run the checks again/, 30_000);
		expectFits(run, header);
		await run.select('Continue');
		expectWrappedChecklist(await finish(run));
		const posts = ovh.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/openIdConnect'));
		expect(posts).toHaveLength(1);
		expect(posts[0]!.body).toMatchObject({deleteUsers: true, provider: {endpoint: `${keycloak.url}/realms/mpr`}});
		expect(ovh.contractErrors).toEqual([]);
	});

	it('authentik → Portainer without a keychain: secrets in memory, and said so', async () => {
		const token = 'walk-authentik-token-4';
		const password = 'Walk-Portainer-Pass-4';
		const authentik = await startFakeAuthentik({token});
		const portainer = await startFakePortainer({adminPassword: password});
		closers.push(() => authentik.close(), () => portainer.close());
		const run = start(noKeychain);
		const header = 'authentik → Portainer';
		await run.expectText('Keep secrets in memory for this run only');
		await run.select('Keep secrets in memory for this run only');
		await pickPair(run, 'authentik', 'Portainer');
		await walk(run, header, {'Portainer URL': portainer.url, 'authentik URL': authentik.url, 'authentik API token (optional)': token, 'Portainer admin password (optional)': password}, /^Review$/m);
		expectFits(run, header);
		expect(run.viewport().join('\n')).toContain('Secrets (kept in memory for this run, shown as ••••••)');
		await run.press('enter');
		await run.expectText('authentik authorization flow');
		await run.press('enter');
		await run.expectText('Create the client in authentik');
		await run.press('enter');
		await run.expectText('secret kept in memory for this run');
		await run.select('Continue');
		await run.expectText('Apply these changes to Portainer');
		expectFits(run, header);
		await run.press('enter');
		await run.expectText('❯ Continue');
		await run.select('Continue');
		await run.expectText(/Everything that could be checked works|Run the checks again/, 30_000);
		expectFits(run, header);
		await run.select('Continue');
		const output = await finish(run);
		expectWrappedChecklist(output);
		expect(output).toContain('(kept in memory for this run)');
		expect(output).not.toContain('(stored in keychain)');
		expect(portainer.settings.AuthenticationMethod).toBe(3);
	});
});
