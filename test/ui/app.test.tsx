import {readFileSync} from 'node:fs';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {listSessions, loadSession, newSession, saveSession, sessionFile} from '../../source/core/session/store.js';
import {renderWizard, startNewSetup} from '../helpers/wizard-app.js';
import {keys, press, waitForText} from '../helpers/ink.js';


/** The whole Ink app on the manual path, with the controller and a store kept in memory. */
function setUp(options: {keychain?: boolean; env?: Record<string, string>} = {}) {
	return renderWizard(options);
}

/** authentik → Harbor, the Harbor URL answered: the wizard then asks for the authentik URL. */
async function answerHarborUrl(screen: ReturnType<typeof render>) {
	await startNewSetup(screen);
	await waitForText(screen, 'Harbor URL');
	await typeLine(screen, 'https://harbor.example.com');
	await waitForText(screen, 'authentik URL');
}

async function typeLine(screen: ReturnType<typeof render>, text: string) {
	await press(screen, ...text.split(''), keys.enter);
}

describe('the wizard app', () => {
	it('walks from the choice of pair to the checklist, saving after every answer', async () => {
		const {controller, screen, env, store} = setUp();
		void controller.start();
		await waitForText(screen, 'Start a new setup');
		await press(screen, keys.enter);
		await waitForText(screen, 'Which identity provider?');
		await waitForText(screen, '❯ authentik');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, 'Which app?');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, 'Portainer URL');
		const id = controller.state.view!.session.id;
		await typeLine(screen, 'https://portainer.example.com/');
		expect(loadSession(id, env).answers['app_url']).toBe('https://portainer.example.com');
		await waitForText(screen, 'Pocket ID URL');
		await typeLine(screen, 'https://id.example.com/path');
		await waitForText(screen, 'must be the bare address, without a path');
		for (let index = 0; index < 5; index++) await press(screen, keys.backspace);
		await press(screen, keys.enter);
		await waitForText(screen, 'Pocket ID API key (optional)');
		await press(screen, keys.enter);
		// The manual path: each Pocket ID step in full, then what it produces.
		const first = await waitForText(screen, 'Step 1 of 3: Create the OIDC client');
		expect(first).toContain('https://portainer.example.com/');
		await press(screen, keys.enter);
		await waitForText(screen, 'Step 2 of 3');
		await press(screen, keys.enter);
		await waitForText(screen, 'Done: ask for the Client ID (from Pocket ID)');
		await press(screen, keys.enter);
		await waitForText(screen, 'Client ID (from Pocket ID)');
		await typeLine(screen, 'portainer');
		await waitForText(screen, 'Client secret (from Pocket ID)');
		await typeLine(screen, 'Pocket-Secret-123');
		expect(await store.get(`${id}/client_secret`)).toBe('Pocket-Secret-123');
		expect(readFileSync(sessionFile(id, env), 'utf8')).not.toContain('Pocket-Secret-123');
		await waitForText(screen, 'Scopes (space-separated for Portainer)');
		await press(screen, keys.enter);
		for (const label of ['User identifier claim', 'Create users automatically', 'Portainer admin user', 'Portainer admin password', 'Portainer API key']) {
			await waitForText(screen, label);
			await press(screen, keys.enter);
		}

		await waitForText(screen, 'Only the initial admin keeps password sign-in: https://portainer.example.com/#!/internal-auth');
		await press(screen, keys.enter);
		await waitForText(screen, 'Portainer wants space-separated scopes');
		await press(screen, keys.enter);
		await waitForText(screen, 'The redirect URL ends with a slash');
		await press(screen, keys.enter);
		const review = await waitForText(screen, 'Redirect URI: https://portainer.example.com/');
		expect(review).toContain('Scopes (space-separated for Portainer): openid profile email groups');
		await press(screen, keys.enter);
		const checklist = await waitForText(screen, 'What is left to do by hand');
		expect(checklist).toContain('Authorization URL: https://id.example.com/authorize');
		await press(screen, keys.enter);
		await waitForText(screen, '');
		expect(controller.state.exit?.code).toBe(0);
		expect(controller.state.exit?.message).toContain('Redirect URL: https://portainer.example.com/ (with the trailing slash)');
		const session = loadSession(id, env);
		expect(session.finished).toBe(true);
		expect(session.acknowledged).toEqual(['portainer-internal-auth', 'portainer-scope-separator', 'portainer-redirect-slash']);
	});

	it('goes back with Esc and keeps the answers', async () => {
		const {controller, screen} = setUp();
		void controller.start();
		await answerHarborUrl(screen);
		await press(screen, keys.escape);
		await waitForText(screen, '› https://harbor.example.com');
		await press(screen, keys.escape);
		await waitForText(screen, 'Which app?');
	});

	it('saves and says how to resume on Ctrl+C (exit 130)', async () => {
		const {controller, screen, env} = setUp();
		void controller.start();
		await answerHarborUrl(screen);
		await press(screen, keys.ctrlC);
		const id = controller.state.view!.session.id;
		expect(controller.state.exit).toEqual({code: 130, message: `Interrupted. Your answers were saved.\nResume with: npx sso-setup resume ${id}`});
		expect(loadSession(id, env).answers['app_url']).toBe('https://harbor.example.com');
	});

	it('without a keychain, offers memory for this run only', async () => {
		const {controller, screen} = setUp({keychain: false});
		void controller.start();
		await waitForText(screen, 'The OS keychain cannot be used: no D-Bus session is running');
		await press(screen, keys.enter);
		await waitForText(screen, 'Start a new setup');
		expect(controller.state.storage).toBe('memory');
	});
});

describe('issue 11: a pasted issuer in the wizard', () => {
	it('authentik URL: the issuer gives the base URL and the slug, shown before it is saved', async () => {
		const {controller, screen, env} = setUp();
		void controller.start();
		await answerHarborUrl(screen);
		await press(screen, ...'https://auth.example.com/application/o/registry/'.split(''));
		await waitForText(screen, 'Will be saved as https://auth.example.com');
		await waitForText(screen, '(slug registry).');
		await press(screen, keys.enter);
		await waitForText(screen, 'Application slug in authentik');
		const answers = loadSession(controller.state.view!.session.id, env).answers;
		expect(answers).toMatchObject({idp_url: 'https://auth.example.com', slug: 'registry'});
	});
});

describe('issue 11: command hints run as printed', () => {
	it('from a checkout, the resume hint is the npm start form', async () => {
		const {controller, screen} = setUp({env: {npm_lifecycle_event: 'start', npm_package_name: 'sso-setup'}});
		void controller.start();
		await answerHarborUrl(screen);
		await press(screen, keys.ctrlC);
		expect(controller.state.exit?.message).toBe(`Interrupted. Your answers were saved.\nResume with: npm start -- resume ${controller.state.view!.session.id}`);
	});
});

describe('issue 11: going back to change the app', () => {
	it('replaces the session instead of leaving it behind, and keeps the IdP answers', async () => {
		const {controller, screen, env} = setUp();
		void controller.start();
		await answerHarborUrl(screen);
		await typeLine(screen, 'https://auth.example.com');
		await waitForText(screen, 'Application slug in authentik');
		const first = controller.state.view!.session.id;
		expect(listSessions(env).sessions.map((session) => session.id)).toEqual([first]);
		await press(screen, keys.escape, keys.escape, keys.escape);
		await waitForText(screen, 'Which app?');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, 'Portainer URL');
		await typeLine(screen, 'https://portainer.example.com');
		// The authentik URL given before is the answer Enter keeps.
		await waitForText(screen, '› https://auth.example.com');
		const second = controller.state.view!.session;
		expect(second.id).not.toBe(first);
		expect(second.app).toBe('portainer');
		expect(second.answers['idp_url']).toBe('https://auth.example.com');
		expect(second.answers['app_url']).toBe('https://portainer.example.com');
		expect(listSessions(env).sessions.map((session) => session.id)).toEqual([second.id]);
	});
});

describe('issue 11: resuming on the manual path', () => {
	it('at the client ID, the IdP steps come first again, in full', async () => {
		const {controller, screen, env} = setUp();
		const saved = saveSession({...newSession('authentik', 'harbor'), step: 'warnings', answers: {app_url: 'https://harbor.example.com', idp_url: 'https://auth.example.com', slug: 'harbor'}}, env);
		void controller.start({sessionId: saved.id});
		const steps = await waitForText(screen, 'By hand in authentik');
		expect(steps).toContain('Step 1 of 6');
		expect(steps).toContain('Sign in to https://auth.example.com as an administrator');
	});
});

describe("the welcome screen is the first frame", () => {
	it('without saved sessions, start() sets it before it waits for anything (the session store included)', () => {
		const {controller} = renderWizard();
		void controller.start();
		// Synchronously: runWizard renders right after start() returns its promise.
		expect(controller.state.screen).toEqual({name: 'welcome', resumable: []});
	});

	it('with a saved session, it lists it (the store loads first) and resumes it', async () => {
		const {controller, screen, env} = setUp();
		const saved = saveSession({...newSession('authentik', 'harbor'), step: 'fields', answers: {app_url: 'https://harbor.example.com'}}, env);
		void controller.start();
		await waitForText(screen, 'Start a new setup');
		const welcome = controller.state.screen;
		expect(welcome.name === 'welcome' ? welcome.resumable.map((session) => session.id) : []).toEqual([saved.id]);
	});
});
