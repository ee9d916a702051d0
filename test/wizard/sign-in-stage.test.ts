import {describe, expect, it} from 'vitest';
import {loadFlows} from '../../source/commands/inputs.js';
import {getPair} from '../../source/core/flows/pair.js';
import type {SessionHandle} from '../../source/core/session/integration-context.js';
import {newSession, type Session} from '../../source/core/session/store.js';
import {memoryStore} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import {cleanupArtifact} from '../../source/sign-in/cleanup.js';
import type {CheckResult} from '../../source/verify/types.js';
import {SignInStage, type SignInStageState} from '../../source/wizard/stages/sign-in-stage.js';
import {adminPassword, appOrigin, type Breaks, idpOrigin, redirectUri, stubApp, stubIdp} from '../sign-in/stubs.js';

/**
 * The wizard's sign-in step as plain TypeScript, without a terminal: the stub integration sides of
 * test/sign-in/stubs.ts, a session kept in memory, secrets in a memory store.
 */

const flows = await loadFlows([]);
const pair = getPair(flows, 'authentik', 'harbor');

const answers = {app_url: appOrigin, idp_url: idpOrigin, client_id: 'harbor', redirect_uri: redirectUri, slug: 'harbor'};

function setUp(options: {breaks?: Breaks; withAdminApi?: boolean; adminSecret?: boolean; answers?: Record<string, string>; checks?: CheckResult[]; artifacts?: Record<string, unknown>} = {}) {
	const idp = stubIdp(options.breaks ?? {}, options.withAdminApi === false ? {withAdminApi: false} : {});
	const app = stubApp(options.breaks ?? {}, {idp, ...(options.answers?.['admin_group'] ? {adminGroup: options.answers['admin_group']} : {})});
	let session: Session = {...newSession('authentik', 'harbor'), answers: {...answers, ...options.answers}, artifacts: {...options.artifacts}};
	const saved: Session[] = [];
	const handle: SessionHandle = {
		current: () => session,
		update(change) {
			session = change(session);
			saved.push(structuredClone(session));
		},
	};
	const store = memoryStore();
	const secrets = new SessionSecrets(store, session.id, {});
	const stage = new SignInStage(pair, handle, secrets, {integrations: async () => ({idp, app}), checks: () => options.checks ?? [], limits: {settleMs: 10, interruptCleanupMs: 2000}});
	const states: SignInStageState[] = [];
	stage.subscribe((state) => states.push(state));
	return {idp, app, stage, states, secrets, store, saved, session: () => session};
}

async function withAdmin(setup: ReturnType<typeof setUp>) {
	await setup.secrets.set('stub_admin_password', adminPassword);
	return setup;
}

const check = (id: CheckResult['id'], status: CheckResult['status'], title: string = id): CheckResult => ({id, title, status, seen: `${title} said so.`});

describe('SignInStage: offered, run, cleaned up', () => {
	it('says what it creates and deletes before anything exists, then runs the chain live and deletes the test user on both sides', async () => {
		const setup = await withAdmin(setUp({answers: {admin_group: 'harbor-admins'}}));
		await setup.stage.start();
		const offer = setup.stage.state;
		expect(offer.phase).toBe('offer');
		if (offer.phase !== 'offer') return;
		expect(offer.sentence).toContain('creates a throw-away test user');
		expect(offer.sentence).toContain(`at authentik at ${idpOrigin}`);
		expect(offer.sentence).toContain(`Harbor at ${appOrigin}`);
		expect(offer.sentence).toContain('deletes it from both');
		expect(setup.idp.created).toEqual([]);

		const report = await setup.stage.run();
		expect(report?.status).toBe('passed');
		// The chain filled in live: a running state with the link being tried, links passing one by one.
		const running = setup.states.filter((state): state is Extract<SignInStageState, {phase: 'running'}> => state.phase === 'running');
		expect(running.some((state) => state.progress.running === 'idp-authorize')).toBe(true);
		expect(running.some((state) => state.progress.links.some((link) => link.status === 'passed') && state.progress.links.some((link) => link.status === 'not-reached'))).toBe(true);
		const done = setup.stage.state;
		expect(done.phase).toBe('done');
		if (done.phase !== 'done') return;
		expect(done.report.links.map((link) => link.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
		expect(done.verdict).toEqual({tone: 'good', lines: ['A real sign-in passed: the setup works as Harbor uses it.']});
		const username = setup.idp.created[0]!.username;
		expect(done.report.cleanup).toEqual({done: [`Deleted the user ${username} from Harbor at ${appOrigin}.`, `Deleted the test user ${username} from Stub IdP realm demo at ${idpOrigin}.`], left: []});
		expect(setup.idp.users.size).toBe(0);
		expect(setup.app.users.size).toBe(0);
		expect(setup.session().artifacts[cleanupArtifact]).toBeUndefined();
		// The pending clean-up was in the session while the user existed.
		expect(setup.saved.some((session) => (session.artifacts[cleanupArtifact] as {idp?: {username: string}} | undefined)?.idp?.username === username)).toBe(true);
		expect(done.retry).toBe(`npx sso-setup verify --session ${setup.session().id}`);
	});

	it('skipped: nothing is created, and the verdict says so with the checks', async () => {
		const setup = await withAdmin(setUp({checks: [check('discovery', 'pass'), check('client-secret', 'fail', 'Client secret')]}));
		await setup.stage.start();
		setup.stage.skip();
		const done = setup.stage.state;
		expect(done.phase === 'done' && done.report.status).toBe('skipped');
		if (done.phase !== 'done') return;
		expect(done.verdict).toEqual({tone: 'neutral', lines: ['Sign-in proof skipped: You chose not to run it, so nothing was created.', '1 check failed: Client secret.']});
		expect(setup.idp.created).toEqual([]);
		expect(setup.session().artifacts[cleanupArtifact]).toBeUndefined();
	});

	it('a passed sign-in is the authority: a probe that failed becomes a warning that disagreed; a check it does not prove still fails', async () => {
		const setup = await withAdmin(setUp({checks: [check('discovery', 'pass'), check('client-secret', 'fail', 'Client secret'), check('way-back-in', 'fail', 'Way back in')]}));
		await setup.stage.start();
		await setup.stage.run();
		const done = setup.stage.state;
		if (done.phase !== 'done') throw new Error(done.phase);
		expect(done.checks.find((result) => result.id === 'client-secret')).toMatchObject({status: 'warn', seen: expect.stringContaining('this probe disagreed with it')});
		expect(done.checks.find((result) => result.id === 'way-back-in')?.status).toBe('fail');
		expect(done.verdict).toEqual({
			tone: 'bad',
			lines: [
				'A real sign-in passed: the setup works as Harbor uses it.',
				'The Client secret check failed as a probe but the sign-in proves otherwise: the sign-in is what counts.',
				'Still failing: Way back in (see the checks before this step).',
			],
		});
	});

	it('a broken link is named with its fix, the probes that agree are added to it, and the test user is still deleted', async () => {
		const setup = await withAdmin(setUp({breaks: {link: 'code-exchange'}, checks: [check('client-secret', 'fail', 'Client secret')]}));
		await setup.stage.start();
		await setup.stage.run();
		const done = setup.stage.state;
		if (done.phase !== 'done') throw new Error(done.phase);
		expect(done.report.status).toBe('failed');
		const link = done.report.links.find((candidate) => candidate.id === 'code-exchange')!;
		expect(link.status).toBe('failed');
		expect(link.fix).toBe('Fix code-exchange. What the related checks saw: Client secret (failed): Client secret said so.');
		expect(done.report.links.filter((candidate) => candidate.status === 'not-reached').map((candidate) => candidate.id)).toEqual(['app-user', 'admin-rights']);
		expect(done.verdict).toEqual({tone: 'bad', lines: ['The sign-in broke at: code exchanged by the app.']});
		expect(setup.idp.users.size).toBe(0);
		expect(done.report.cleanup.left).toEqual([]);

		// Run it again: offered once more, and nothing is created before the person chooses.
		await setup.stage.again();
		expect(setup.stage.state.phase).toBe('offer');
		expect(setup.idp.created).toHaveLength(1);
	});

	it('never silent about a user left behind: what, where, why, and the command that finishes it', async () => {
		const setup = await withAdmin(setUp({breaks: {deleteIdpFails: 1}}));
		await setup.stage.start();
		await setup.stage.run();
		const done = setup.stage.state;
		if (done.phase !== 'done') throw new Error(done.phase);
		const username = setup.idp.created[0]!.username;
		expect(done.report.cleanup.left).toEqual([{what: `test user ${username}`, where: `Stub IdP realm demo at ${idpOrigin}`, reason: `stub IdP: cannot delete ${username} right now`}]);
		expect(setup.session().artifacts[cleanupArtifact]).toMatchObject({idp: {username}});

		// The next run finishes the clean-up first, then signs in anew.
		await setup.stage.again();
		const report = await setup.stage.run();
		expect(report?.status).toBe('passed');
		expect(report?.cleanup.done[0]).toBe(`Deleted the test user ${username} from Stub IdP realm demo at ${idpOrigin}.`);
		expect(setup.idp.users.size).toBe(0);
		expect(setup.session().artifacts[cleanupArtifact]).toBeUndefined();
	});

	it('does not sign in over a clean-up that still fails: the record of what is left stays', async () => {
		const setup = await withAdmin(setUp({breaks: {deleteIdpFails: 2}}));
		await setup.stage.start();
		await setup.stage.run();
		await setup.stage.again();
		const report = await setup.stage.run();
		expect(report?.status).toBe('skipped');
		expect(report?.seen).toBe('A test user of an earlier sign-in could not be deleted (below), so no new sign-in was tried.');
		expect(report?.cleanup.left).toHaveLength(1);
		expect(setup.idp.created).toHaveLength(1);
		expect(setup.session().artifacts[cleanupArtifact]).toMatchObject({idp: {username: setup.idp.created[0]!.username}});
	});
});

describe('SignInStage: Ctrl+C while it runs', () => {
	it('stops through the signal, the engine deletes the test user, the state says so, and then the wizard is told what the clean-up did', async () => {
		let stage: SignInStage | undefined;
		const said: string[] = [];
		const setup = await withAdmin(
			setUp({
				breaks: {
					hang: 'login',
					onLogIn: () => {
						queueMicrotask(() => {
							expect(stage!.interrupt((words) => said.push(words))).toBe(true);
						});
					},
				},
			}),
		);
		stage = setup.stage;
		expect(stage.interrupt()).toBe(false);
		await stage.start();
		const report = await stage.run();
		expect(report?.status).toBe('interrupted');
		expect(setup.states.some((state) => state.phase === 'running' && state.stopping)).toBe(true);
		expect(setup.idp.users.size).toBe(0);
		expect(report?.cleanup.done).toContain(`Deleted the test user ${setup.idp.created[0]!.username} from Stub IdP realm demo at ${idpOrigin}.`);
		expect(report?.cleanup.left).toEqual([]);
		const done = stage.state;
		expect(done.phase === 'done' && done.verdict).toEqual({tone: 'bad', lines: ['The sign-in proof was stopped; the clean-up ran first (below).']});
		expect(said).toHaveLength(1);
		expect(said[0]).toMatch(/^The sign-in proof was stopped\. Its clean-up:\n/);
		expect(said[0]).toContain(`✔ Deleted the test user ${setup.idp.created[0]!.username} from Stub IdP realm demo at ${idpOrigin}.`);
		expect(stage.interrupt()).toBe(false);
	});

	it('a second Ctrl+C while it stops is not taken (the wizard quits; the session keeps the record)', async () => {
		let stage: SignInStage | undefined;
		const answers: boolean[] = [];
		const setup = await withAdmin(
			setUp({
				breaks: {
					hang: 'login',
					onLogIn: () => {
						queueMicrotask(() => {
							answers.push(stage!.interrupt(), stage!.interrupt());
						});
					},
				},
			}),
		);
		stage = setup.stage;
		await stage.start();
		await stage.run();
		expect(answers).toEqual([true, false]);
	});
});

describe('SignInStage: a clean-up an earlier run left', () => {
	it('Ctrl+C while it is being finished: no new test user is created', async () => {
		const setup = await withAdmin(setUp({artifacts: {[cleanupArtifact]: {started_at: new Date().toISOString(), idp: {username: 'sso-setup-test-0ld0ld00', where: 'Stub IdP'}}}}));
		let release = () => {};
		const held = new Promise<void>((resolve) => {
			release = resolve;
		});
		const deleteTestUser = setup.idp.signIn!.deleteTestUser!;
		setup.idp.signIn!.deleteTestUser = async (context, record) => {
			await held;
			return deleteTestUser(context, record);
		};
		await setup.stage.start();
		const running = setup.stage.run();
		await new Promise((resolve) => setImmediate(resolve));
		expect(setup.stage.interrupt()).toBe(true);
		release();
		const report = await running;
		expect(report?.status).toBe('interrupted');
		expect(report?.cleanup.done).toEqual(['The test user sso-setup-test-0ld0ld00 is already gone from Stub IdP.']);
		expect(setup.idp.created).toEqual([]);
		expect(setup.session().artifacts[cleanupArtifact]).toBeUndefined();
	});
});

describe('SignInStage: an IdP without an admin API', () => {
	it('asks for a test account of the person, keeps the password as a secret (never an answer), and signs that account in', async () => {
		const setup = setUp({withAdminApi: false});
		await setup.stage.start();
		const choice = setup.stage.state;
		expect(choice).toMatchObject({phase: 'account', ask: 'choice', reason: 'sso-setup cannot create a test user at authentik: it has no admin API that sso-setup uses.'});
		if (choice.phase !== 'account') return;
		expect(choice.suggestion).toContain('the account itself is kept');

		setup.stage.useAccount();
		expect(setup.stage.state).toMatchObject({phase: 'account', ask: 'username'});
		expect(await setup.stage.submitUsername('   ')).toBe('Type the user name of the test account, or press Esc to go back.');
		expect(await setup.stage.submitUsername('tester\u0007')).toBe('A user name has no control characters.');
		expect(await setup.stage.submitUsername(' tester ')).toBeUndefined();
		expect(setup.session().answers['test_user']).toBe('tester');
		expect(setup.stage.state).toMatchObject({phase: 'account', ask: 'password', username: 'tester'});
		expect(await setup.stage.submitPassword('')).toBe('Type the password of the test account, or press Esc to go back.');
		expect(await setup.stage.submitPassword('Tester-Password-77')).toBeUndefined();
		expect(await setup.store.get(`${setup.session().id}/test_user_password`)).toBe('Tester-Password-77');
		expect(setup.session().secrets).toContain('test_user_password');
		expect(JSON.stringify(setup.saved)).not.toContain('Tester-Password-77');

		const offer = setup.stage.state;
		expect(offer.phase).toBe('offer');
		if (offer.phase !== 'offer') return;
		expect(offer.sentence).toBe(`The sign-in proof signs your test account tester (authentik at ${idpOrigin}) in to Harbor at ${appOrigin} as a browser would, then deletes the user this creates in the app; the account at the IdP is kept.`);
		const report = await setup.stage.run();
		expect(report?.status).toBe('passed');
		expect(report?.testUser).toEqual({username: 'tester', where: `authentik at ${idpOrigin}`, createdBy: 'you'});
		expect(setup.app.deletedUsers).toEqual(['tester']);
		expect(JSON.stringify(setup.states)).not.toContain('Tester-Password-77');
	});

	it('Esc goes back to the choice; skipping says why no sign-in was tried', async () => {
		const setup = setUp({withAdminApi: false});
		await setup.stage.start();
		setup.stage.useAccount();
		setup.stage.back();
		expect(setup.stage.state).toMatchObject({phase: 'account', ask: 'choice'});
		setup.stage.skip();
		const done = setup.stage.state;
		expect(done.phase === 'done' && done.report.seen).toBe('No test account was named, so no sign-in was tried: sso-setup cannot create a test user at authentik: it has no admin API that sso-setup uses.');
	});

	it('a test account named earlier whose password this run lacks: only the password is asked', async () => {
		const setup = setUp({withAdminApi: false, answers: {test_user: 'tester'}});
		await setup.stage.start();
		expect(setup.stage.state).toMatchObject({phase: 'account', ask: 'password', username: 'tester', reason: 'The password of your test account tester is not at hand in this run.'});
	});

	it('an IdP with an admin API but no credential given: the person may still name a test account', async () => {
		const setup = setUp();
		await setup.stage.start();
		expect(setup.stage.state).toMatchObject({phase: 'account', ask: 'choice', reason: 'Creating a throw-away test user at authentik needs its admin credential, which this setup was not given.'});
	});

	it('an app without sign-in support: skipped at once with the reason', async () => {
		const idp = stubIdp();
		const session = {...newSession('authentik', 'harbor'), answers};
		const stage = new SignInStage(pair, {current: () => session, update: () => {}}, new SignInSecrets(), {integrations: async () => ({idp, app: undefined}), checks: () => []});
		await stage.start();
		const done = stage.state;
		expect(done.phase === 'done' && done.report.seen).toBe('Harbor has no sign-in support in sso-setup, so no sign-in was tried.');
	});
});

class SignInSecrets extends SessionSecrets {
	constructor() {
		super(memoryStore(), 'sign-in-stage-test', {});
	}
}
