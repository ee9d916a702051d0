import {mkdtempSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {automationStages, fieldOptions} from '../../source/commands/wizard.js';
import {loadAppIntegration, loadIdpIntegration} from '../../source/integrations/registry.js';
import {newSession, saveSession} from '../../source/core/session/store.js';
import {visibleFields} from '../../source/wizard/machine.js';
import {WizardController} from '../../source/wizard/controller.js';
import {renderWizard} from '../helpers/wizard-app.js';
import {keys, last, press, waitForFrame, waitForText} from '../helpers/ink.js';
import {type FakeAuthentik, startFakeAuthentik} from '../servers/authentik.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';

/**
 * Issue 11, item 5: a failed automatic step is no dead end. The whole Ink app with the real
 * integrations against the fake authentik and Harbor (or a port where nothing listens).
 */
const token = 'ak-failed-step-token';
const harborPassword = 'Harbor-Failed-Step-1';

type Screen = ReturnType<typeof render>;

function setUp(options: {keychain?: boolean; home?: string} = {}) {
	return renderWizard({...options, automationStages, fieldOptions, loadIdpIntegration, loadAppIntegration});
}

/** Answers the fields on screen until the wizard leaves them: typed values by key, Enter for the rest (and for each manual step). */
async function answerFields(controller: WizardController, screen: Screen, values: Record<string, string>) {
	for (let guard = 0; guard < 40; guard++) {
		const state = controller.state;
		if (state.screen.name !== 'fields' && state.screen.name !== 'steps') {
			return;
		}

		const before = JSON.stringify(state.screen) + JSON.stringify(state.view?.session.answers);
		const field = state.screen.name === 'fields' && state.view ? visibleFields(state.view)[state.screen.index] : undefined;
		const value = field ? values[field.key] : undefined;
		await press(screen, ...(value === undefined ? [] : value.split('')), keys.enter);
		await waitForFrame(screen, () => JSON.stringify(controller.state.screen) + JSON.stringify(controller.state.view?.session.answers) !== before);
	}

	throw new Error(`Still on the fields. Last frame:\n${last(screen)}`);
}

async function acknowledgeWarnings(controller: WizardController, screen: Screen) {
	for (let guard = 0; guard < 10 && controller.state.screen.name === 'warnings'; guard++) {
		const before = JSON.stringify(controller.state.screen);
		await press(screen, keys.enter);
		await waitForFrame(screen, () => JSON.stringify(controller.state.screen) !== before);
	}
}

async function choose(screen: Screen, label: string) {
	for (let step = 0; step < 8 && !last(screen).includes(`❯ ${label}`); step++) await press(screen, keys.down);
	expect(last(screen)).toContain(`❯ ${label}`);
	await press(screen, keys.enter);
}

async function startAuthentikHarbor(screen: Screen) {
	await waitForText(screen, 'Start a new setup');
	await press(screen, keys.enter);
	await waitForText(screen, 'Which identity provider?');
	await choose(screen, 'authentik');
	await waitForText(screen, 'Which app?');
	await choose(screen, 'Harbor');
	await waitForText(screen, 'Harbor URL');
}

/** A port where nothing listens: connections are refused at once. */
async function closedPortUrl(): Promise<string> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return `http://127.0.0.1:${port}`;
}

describe('a failed automatic step', () => {
	let authentik: FakeAuthentik | undefined;
	let harbor: FakeHarbor | undefined;
	const cleanups: Array<() => Promise<void> | void> = [];

	afterEach(async () => {
		await authentik?.close();
		await harbor?.close();
		authentik = undefined;
		harbor = undefined;
		for (const cleanup of cleanups.splice(0)) await cleanup();
	});

	it('an unreachable IdP: four ways on, Esc back to the review, "Edit the answers" opens the authentik URL and then tries again', async () => {
		authentik = await startFakeAuthentik({token});
		harbor = await startFakeHarbor({adminPassword: harborPassword});
		const unreachable = await closedPortUrl();
		const {controller, screen} = setUp();
		void controller.start();
		await startAuthentikHarbor(screen);
		await answerFields(controller, screen, {app_url: harbor.url, idp_url: unreachable, authentik_token: token});
		await acknowledgeWarnings(controller, screen);
		await waitForText(screen, 'Next: register the client in authentik');
		await press(screen, keys.enter);

		const failed = await waitForText(screen, 'the connection was refused');
		for (const item of ['❯ Try again', 'Continue by hand: the authentik steps, then on', 'Edit the answers: authentik URL', 'Save and quit (resume later)']) expect(failed).toContain(item);
		expect(failed).toContain('Esc: back');
		await press(screen, keys.escape);
		await waitForText(screen, 'Next: register the client in authentik');
		expect(controller.state.screen.name).toBe('review');

		await press(screen, keys.enter);
		await waitForText(screen, 'the connection was refused');
		await choose(screen, 'Edit the answers: authentik URL');
		// The failing field, not question 1; the saved answer is there to correct.
		await waitForText(screen, `› ${unreachable}`);
		expect(last(screen)).toContain('authentik URL');
		expect(last(screen)).not.toContain('question 1 of');
		await press(screen, ...Array.from({length: unreachable.length}, () => keys.backspace), ...authentik.url.split(''), keys.enter);
		// Straight back to the registration, which now reaches authentik.
		await waitForText(screen, 'authentik authorization flow');
		expect(controller.state.view!.session.answers['idp_url']).toBe(authentik.url);
	});

	it('"Continue by hand": authentik\'s steps in full, the client ID and secret, then the next stage', async () => {
		harbor = await startFakeHarbor({adminPassword: harborPassword});
		const unreachable = await closedPortUrl();
		const {controller, screen, env} = setUp();
		void controller.start();
		await startAuthentikHarbor(screen);
		await answerFields(controller, screen, {app_url: harbor.url, idp_url: unreachable, authentik_token: token, harbor_admin_password: harborPassword});
		await acknowledgeWarnings(controller, screen);
		await waitForText(screen, 'register the client in authentik, then apply the settings in Harbor');
		await press(screen, keys.enter);
		await waitForText(screen, 'the connection was refused');
		await choose(screen, 'Continue by hand: the authentik steps, then on');
		const first = await waitForText(screen, 'By hand in authentik');
		expect(first).toContain('Step 1 of 6');
		expect(first).toContain(`Sign in to ${unreachable} as an administrator`);
		await answerFields(controller, screen, {client_id: 'harbor-by-hand', client_secret: 'by-hand-secret'});
		// The app side is still automatic: Harbor's plan comes next.
		await waitForText(screen, 'Apply these changes to Harbor', 20_000);
		expect(last(screen)).toContain('harbor-by-hand');
		const session = controller.state.view!.session;
		expect(session.answers['client_id']).toBe('harbor-by-hand');
		expect(session.artifacts['wizard-by-hand']).toEqual(['idp']);
		expect(session.completed).not.toContain('register');
		expect(env.SSO_SETUP_HOME).toBeTruthy();
	});

	it('Harbor refuses the admin password: "Edit the answers" opens that password, then Harbor is read again', async () => {
		authentik = await startFakeAuthentik({token});
		harbor = await startFakeHarbor({adminPassword: harborPassword});
		const {controller, screen} = setUp();
		void controller.start();
		await startAuthentikHarbor(screen);
		// No token: the client is made by hand; the Harbor password is wrong.
		await answerFields(controller, screen, {app_url: harbor.url, idp_url: authentik.url, client_id: 'harbor', client_secret: 'client-secret', harbor_admin_password: 'wrong-password'});
		await acknowledgeWarnings(controller, screen);
		await waitForText(screen, 'Next: apply the settings in Harbor');
		await press(screen, keys.enter);
		const failed = await waitForText(screen, 'Edit the answers: Harbor admin password');
		expect(failed).toContain('401');
		await choose(screen, 'Edit the answers: Harbor admin password (optional)');
		await waitForText(screen, '(already given: Enter keeps it)');
		await press(screen, ...harborPassword.split(''), keys.enter);
		await waitForText(screen, 'Apply these changes to Harbor', 20_000);
	});

	it('while it waits for an answer: a countdown, no Enter or Esc in the footer, and Esc does nothing', async () => {
		const sockets = new Set<Socket>();
		const silent: Server = createServer((socket) => {
			sockets.add(socket);
		});
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		cleanups.push(async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => silent.close(() => resolve()));
		});
		const silentUrl = `http://127.0.0.1:${(silent.address() as {port: number}).port}`;
		harbor = await startFakeHarbor({adminPassword: harborPassword});
		const {controller, screen} = setUp();
		void controller.start();
		await startAuthentikHarbor(screen);
		await answerFields(controller, screen, {app_url: harbor.url, idp_url: silentUrl, authentik_token: token});
		await acknowledgeWarnings(controller, screen);
		await waitForText(screen, 'Next: register the client in authentik');
		await press(screen, keys.enter);
		const flat = (frame: string) => frame.replaceAll(/\s+/g, ' ');
		const waiting = flat(await waitForFrame(screen, (frame) => /waiting for 127\.0\.0\.1:\d+: gives up in \d+ s/.test(flat(frame)), 10_000));
		const seconds = Number(/gives up in (\d+) s/.exec(waiting)![1]);
		expect(seconds).toBeLessThanOrEqual(15);
		expect(waiting).toContain('Ctrl+C: save and quit');
		expect(waiting).not.toContain('Enter:');
		expect(waiting).not.toContain('Esc');
		// The countdown counts down.
		await waitForFrame(screen, (frame) => Number(/gives up in (\d+) s/.exec(flat(frame))?.[1] ?? '99') < seconds, 10_000);
		await press(screen, keys.escape);
		expect(controller.state.screen).toEqual({name: 'automation', stage: 'register'});
		await press(screen, keys.ctrlC);
		expect(controller.state.exit?.code).toBe(130);
	});
});

describe('resume in memory-only mode', () => {
	it('says the token is gone and why, and offers to type it again instead of switching to the manual path', async () => {
		const home = mkdtempSync(path.join(tmpdir(), 'sso-setup-lost-'));
		const saved = saveSession(
			{
				...newSession('authentik', 'harbor'),
				step: 'review',
				answers: {
					app_url: 'https://harbor.example.com',
					idp_url: 'https://auth.example.com',
					slug: 'harbor',
					scopes: 'openid,profile,email,offline_access',
					username_claim: 'preferred_username',
					groups_claim: 'groups',
					admin_group: '',
					auto_onboard: 'true',
					primary_auth_mode: 'false',
					harbor_admin_user: 'admin',
				},
				secrets: ['authentik_token'],
				acknowledged: ['harbor-local-users', 'harbor-fallback-login', 'harbor-scope-separator'],
			},
			{SSO_SETUP_HOME: home},
		);
		const {controller, screen} = setUp({keychain: false, home});
		void controller.start({sessionId: saved.id});
		await waitForText(screen, 'Keep secrets in memory for this run only');
		await press(screen, keys.enter);
		const lost = await waitForText(screen, 'Not here any more: authentik API token');
		expect(lost.replaceAll(/\s+/g, ' ')).toContain(`the run that saved session ${saved.id} kept its secrets in memory`);
		expect(lost.replaceAll(/\s+/g, ' ')).toContain('Without it, the client is created by hand in authentik');
		expect(lost).not.toContain('Client ID');
		await choose(screen, 'Type it again');
		await waitForText(screen, 'authentik API token (optional)');
		await press(screen, ...token.split(''), keys.enter);
		// Back where the session was, with registration still automatic.
		await waitForText(screen, 'Next: register the client in authentik');
		expect(controller.state.screen.name).toBe('review');
	});
});
