import {render} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {describe, expect, it, vi} from 'vitest';
import {loadFlows} from '../../source/commands/inputs.js';
import {getPair} from '../../source/core/flows/pair.js';
import type {SessionHandle} from '../../source/core/session/integration-context.js';
import {newSession, type Session} from '../../source/core/session/store.js';
import {signInLinkIds, signInLinkTitles, type SignInLink} from '../../source/core/sign-in.js';
import {memoryStore} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import type {SignInReport} from '../../source/sign-in/run.js';
import {doneLayout, SignInStep} from '../../source/ui/screens/SignInStep.js';
import {SignInStage} from '../../source/wizard/stages/sign-in-stage.js';
import {keys, last, press, waitForText} from '../helpers/ink.js';
import {adminPassword, appOrigin, type Breaks, idpOrigin, redirectUri, stubApp, stubIdp} from '../sign-in/stubs.js';

/** The sign-in step's Ink screen over a real SignInStage with the stub integration sides. */

const flows = await loadFlows([]);
const pair = getPair(flows, 'authentik', 'harbor');

async function setUp(options: {breaks?: Breaks; withAdminApi?: boolean; holdIdpDeletion?: Promise<void>} = {}) {
	const idp = stubIdp(options.breaks ?? {}, options.withAdminApi === false ? {withAdminApi: false} : {});
	const app = stubApp(options.breaks ?? {}, {idp, adminGroup: 'harbor-admins'});
	const held = options.holdIdpDeletion;
	if (held && idp.signIn?.deleteTestUser) {
		const deleteTestUser = idp.signIn.deleteTestUser;
		idp.signIn.deleteTestUser = async (context, record) => {
			await held;
			return deleteTestUser(context, record);
		};
	}

	let session: Session = {...newSession('authentik', 'harbor'), answers: {app_url: appOrigin, idp_url: idpOrigin, client_id: 'harbor', redirect_uri: redirectUri, admin_group: 'harbor-admins'}};
	const handle: SessionHandle = {
		current: () => session,
		update(change) {
			session = change(session);
		},
	};
	const secrets = new SessionSecrets(memoryStore(), session.id, {});
	if (options.withAdminApi !== false) {
		await secrets.set('stub_admin_password', adminPassword);
	}

	const stage = new SignInStage(pair, handle, secrets, {integrations: async () => ({idp, app}), checks: () => [], limits: {settleMs: 10}});
	const onDone = vi.fn();
	const screen = render(<SignInStep stage={stage} storage="memory" onDone={onDone} />);
	return {idp, app, stage, screen, onDone};
}

describe('SignInStep', () => {
	it('offers the proof with what it creates and deletes, runs it, and shows the chain, the links, the verdict and the clean-up', async () => {
		const {idp, screen, onDone} = await setUp();
		await waitForText(screen, '❯ Run it');
		expect(last(screen)).toContain('Last step: prove a real sign-in');
		expect(last(screen)).toContain('creates a throw-away test user');
		expect(idp.created).toHaveLength(0);
		await press(screen, keys.enter);
		await waitForText(screen, 'A real sign-in passed');
		const frame = last(screen);
		const username = idp.created[0]!.username;
		expect(frame).toContain(`Sign-in proof · test user ${username} at Stub IdP realm demo at ${idpOrigin}`);
		expect(frame).toContain('app sign-in start ✔ → IdP authorize ✔ → IdP login ✔ → back at the app ✔\n→ code exchanged by the app ✔ → user in the app ✔ → admin rights ✔');
		expect(frame).toMatch(/✔ IdP login {17}Stub IdP signed sso-setup-test-/);
		expect(frame).toContain(`✔ Deleted the user ${username} from Harbor at ${appOrigin}.`);
		expect(frame).toContain(`✔ Deleted the test user ${username} from Stub IdP realm demo at ${idpOrigin}.`);
		// The password of the test user is never on screen.
		expect(screen.frames.join('\n')).not.toContain(idp.created[0]!.password);
		expect(frame).not.toContain('Run it again');
		await press(screen, keys.enter);
		expect(onDone).toHaveBeenCalledOnce();
	});

	it('a broken link: its line in full with the fix, the verdict names it, and Run it again offers it anew', async () => {
		const {stage, screen} = await setUp({breaks: {link: 'idp-authorize'}});
		await waitForText(screen, '❯ Run it');
		await press(screen, keys.enter);
		await waitForText(screen, 'The sign-in broke at: IdP authorize.');
		const frame = last(screen);
		expect(frame).toContain(`✖ IdP authorize Stub IdP refused the redirect URI ${redirectUri}.`);
		expect(frame).toContain("  → add it to client harbor's Valid redirect URIs");
		expect(frame).toContain('→ IdP authorize ✖ → IdP login ·');
		expect(frame).toContain('· not reached: IdP login, back at the app, code exchanged by the app, user in the app, admin rights');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, '❯ Run it');
		expect(stage.state.phase).toBe('offer');
	});

	it('Esc while it runs: the screen says it stops and deletes the test user first, then shows the clean-up and stays', async () => {
		let release = () => {};
		const held = new Promise<void>((resolve) => {
			release = resolve;
		});
		const {idp, screen} = await setUp({breaks: {hang: 'login'}, holdIdpDeletion: held});
		await waitForText(screen, '❯ Run it');
		await press(screen, keys.enter);
		await waitForText(screen, 'Esc: stop · Ctrl+C: stop and quit (the test user is deleted first)');
		await waitForText(screen, 'IdP authorize…');
		await press(screen, keys.escape);
		await waitForText(screen, 'Stopping: the test user is deleted first (a few seconds).');
		expect(idp.users.size).toBe(1);
		release();
		await waitForText(screen, 'The sign-in proof was stopped; the clean-up ran first (below).');
		expect(last(screen)).toContain(`✔ Deleted the test user ${idp.created[0]!.username} from`);
		expect(last(screen)).toContain('❯ Continue');
		expect(idp.users.size).toBe(0);
	});

	it('a user left behind is said in full, with where, why, and how it gets deleted', async () => {
		const {idp, screen} = await setUp({breaks: {deleteIdpFails: 1}});
		await waitForText(screen, '❯ Run it');
		await press(screen, keys.enter);
		await waitForText(screen, 'Left behind');
		const frame = last(screen);
		const username = idp.created[0]!.username;
		expect(frame.replace(/\s+/g, ' ')).toContain(`✖ Left behind: test user ${username} at Stub IdP realm demo at ${idpOrigin} (stub IdP: cannot delete ${username} right now).`);
		expect(frame.replace(/\s+/g, ' ')).toMatch(/The next run of npx sso-setup verify --session \S+ deletes it; or delete it there by hand\./);
		expect(frame).toContain('Run it again');
	});

	it('an IdP without an admin API: a test account is asked, its password masked, then the proof is offered with it', async () => {
		const {screen, app} = await setUp({withAdminApi: false});
		await waitForText(screen, 'Sign in with a test account of mine');
		expect(last(screen)).toContain('sso-setup cannot create a test user at authentik');
		await press(screen, keys.enter);
		await waitForText(screen, 'User name of the test account:');
		await press(screen, ...'tester'.split(''), keys.enter);
		await waitForText(screen, 'Password of tester (not shown; kept in memory for this run only):');
		await press(screen, ...'Tester-Pass-91'.split(''));
		await waitForText(screen, '••••••••••••••');
		await press(screen, keys.enter);
		await waitForText(screen, 'signs your test account tester');
		expect(screen.frames.map((frame) => stripAnsi(frame)).join('\n')).not.toContain('Tester-Pass-91');
		await press(screen, keys.enter);
		await waitForText(screen, 'A real sign-in passed');
		expect(last(screen)).toContain('Sign-in proof · your test account tester');
		expect(app.deletedUsers).toEqual(['tester']);
	});

	it('Skip ends it with the sentence why, and Continue goes on', async () => {
		const {screen, onDone, idp} = await setUp();
		await waitForText(screen, '❯ Run it');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, 'Sign-in proof skipped: You chose not to run it, so nothing was created.');
		expect(last(screen)).not.toContain('→');
		await press(screen, keys.enter);
		expect(onDone).toHaveBeenCalledOnce();
		expect(idp.created).toEqual([]);
	});
});

describe('doneLayout: what fits the rows', () => {
	const links = (failed: number, fix: string): SignInLink[] =>
		signInLinkIds.map((id, index) => ({id, title: signInLinkTitles[id], status: index < failed ? 'passed' : index === failed ? 'failed' : 'not-reached', seen: `${signInLinkTitles[id]} was seen doing this and that.`, ...(index === failed ? {fix} : {})}));
	const report = (failed: number, fix = 'Do this.'): SignInReport => ({status: 'failed', links: links(failed, fix), cleanup: {done: [], left: []}});
	const parts = (value: SignInReport) => ({report: value, ran: true, verdict: ['✖ The sign-in broke.'], deleted: ['✔ Deleted one.', '✔ Deleted the other.'], left: [], menu: 2});

	it('a tall terminal shows everything', () => {
		expect(doneLayout(parts(report(4)), 80, 40)).toEqual({heading: true, spaced: true, links: true, notReached: true, cleanupFull: true});
	});

	it('at 80×24 a long fix comes before the links that passed, which the diagram shows anyway', () => {
		const long = 'Change this setting, then that one, and then the third one, which is the one that matters. '.repeat(4);
		const layout = doneLayout(parts(report(4, long)), 80, 17);
		expect(layout.links).toBe(false);
		expect(layout.heading).toBe(true);
	});

	it('with no room at all, only what must be said', () => {
		expect(doneLayout(parts(report(4, 'x '.repeat(400))), 80, 17)).toEqual({heading: false, spaced: false, links: false, notReached: false, cleanupFull: false});
	});
});
