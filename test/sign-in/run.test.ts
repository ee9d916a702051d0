import {describe, expect, it} from 'vitest';
import {signInLinkIds, type SignInLinkId} from '../../source/core/sign-in.js';
import {cleanupArtifact, finishPendingCleanup, hasPendingCleanup} from '../../source/sign-in/cleanup.js';
import {cleanupLines, formatSignIn, signInExitCode, signInJson} from '../../source/sign-in/format.js';
import {planSignIn, runSignIn, type SignInProgress} from '../../source/sign-in/run.js';
import {testUserPrefix} from '../../source/sign-in/test-user.js';
import {memoryContext, resumedContext} from '../helpers/context.js';
import {adminPassword, appOrigin, authorizationCode, type Breaks, redirectUri, stubApp, stubIdp, stubValues} from './stubs.js';

function setup(breaks: Breaks = {}, values: Record<string, string> = {}, secrets: Record<string, string> = {stub_admin_password: adminPassword}, idpOptions: {withAdminApi?: boolean} = {}) {
	const idp = stubIdp(breaks, idpOptions);
	const app = stubApp(breaks, {idp, ...(values['admin_group'] ? {adminGroup: values['admin_group']} : {})});
	const context = memoryContext(stubValues(values), {...secrets});
	return {idp, app, context};
}

const statuses = (report: {links: Array<{id: SignInLinkId; status: string}>}) => Object.fromEntries(report.links.map((link) => [link.id, link.status]));

describe('runSignIn: the whole chain', () => {
	it('passes every link, skips admin rights without an admin group, and deletes the test user on both sides', async () => {
		const {idp, app, context} = setup();
		const updates: SignInProgress[] = [];
		const report = await runSignIn(context, {idp, app}, {onUpdate: (progress) => updates.push(progress)});
		expect(report.status).toBe('passed');
		expect(statuses(report)).toEqual({'app-start': 'passed', 'idp-authorize': 'passed', 'idp-login': 'passed', 'app-callback': 'passed', 'code-exchange': 'passed', 'app-user': 'passed', 'admin-rights': 'skipped'});
		expect(report.links.find((link) => link.id === 'app-user')?.seen).toBe(`Harbor signed the test user in as ${idp.created[0]!.username}.`);
		expect(idp.created).toHaveLength(1);
		expect(idp.created[0]!.username).toMatch(new RegExp(`^${testUserPrefix}[0-9a-f]{8}$`));
		expect(idp.created[0]!.email).toBe(`${idp.created[0]!.username}@example.invalid`);
		expect(idp.created[0]!.password).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^a-zA-Z\d]).{28}$/);
		expect(report.testUser).toEqual({username: idp.created[0]!.username, where: 'Stub IdP realm demo at https://idp.test', createdBy: 'sso-setup'});
		expect(idp.users.size).toBe(0);
		expect(app.users.size).toBe(0);
		expect(report.cleanup.left).toEqual([]);
		expect(report.cleanup.done).toEqual([`Deleted the user ${idp.created[0]!.username} from Harbor at ${appOrigin}.`, `Deleted the test user ${idp.created[0]!.username} from Stub IdP realm demo at https://idp.test.`]);
		expect(hasPendingCleanup(Object.fromEntries(context.store))).toBe(false);
		expect(signInExitCode(report)).toBe(0);
		// The UI sees each phase, and the link being tried.
		expect(new Set(updates.map((update) => update.phase))).toEqual(new Set(['test-user', 'sign-in', 'clean-up', 'done']));
		expect(updates.some((update) => update.running === 'idp-authorize')).toBe(true);
		expect(updates.at(-1)?.phase).toBe('done');
	});

	it('puts the test user in the admin group and checks admin rights when an admin group is configured', async () => {
		const {idp, app, context} = setup({}, {admin_group: 'harbor-admins'});
		const report = await runSignIn(context, {idp, app});
		expect(idp.created[0]!.groups).toEqual(['harbor-admins']);
		expect(statuses(report)['admin-rights']).toBe('passed');
		expect(report.status).toBe('passed');
	});

	it('writes the pending clean-up to the session before the IdP creates the user', async () => {
		const {idp, app, context} = setup();
		await runSignIn(context, {idp, app});
		expect(idp.pendingSeenAtCreate).toEqual([{started_at: expect.any(String), idp: {username: idp.created[0]!.username, where: 'Stub IdP at https://idp.test'}}]);
	});

	it("counts Harbor's onboarding prompt as a successful sign-in; admin rights are then not proven", async () => {
		const {idp, app, context} = setup({onboardingPrompt: true}, {admin_group: 'harbor-admins'});
		const report = await runSignIn(context, {idp, app});
		expect(report.status).toBe('passed');
		expect(report.onboardingPrompt).toBe(true);
		expect(report.links.find((link) => link.id === 'app-user')?.seen).toContain('asks the user to confirm the name');
		expect(statuses(report)['admin-rights']).toBe('skipped');
		expect(formatSignIn(report, {color: false})).toContain('Sign-in proof passed (the app asks the new user to confirm a name');
	});
});

describe('runSignIn: each broken link is named, the later ones are not reached', () => {
	const cases: Array<{link: SignInLinkId; breaks: Breaks; values?: Record<string, string>}> = [
		{link: 'app-start', breaks: {link: 'app-start'}},
		{link: 'idp-authorize', breaks: {link: 'idp-authorize'}},
		{link: 'idp-login', breaks: {link: 'idp-login'}},
		{link: 'app-callback', breaks: {link: 'app-callback'}},
		{link: 'code-exchange', breaks: {link: 'code-exchange'}},
		{link: 'app-user', breaks: {link: 'app-user'}},
		{link: 'app-user', breaks: {appUsername: 'someone-else'}},
		{link: 'admin-rights', breaks: {admin: false}, values: {admin_group: 'harbor-admins'}},
		{link: 'idp-login', breaks: {callbackError: 'access_denied'}},
		{link: 'idp-authorize', breaks: {callbackError: 'invalid_scope'}},
		{link: 'idp-authorize', breaks: {callbackElsewhere: true}},
	];
	for (const {link, breaks, values} of cases) {
		it(`${JSON.stringify(breaks)} → ${link}`, async () => {
			const {idp, app, context} = setup(breaks, values);
			const report = await runSignIn(context, {idp, app});
			expect(report.status).toBe('failed');
			const index = signInLinkIds.indexOf(link);
			for (const [position, id] of signInLinkIds.entries()) {
				expect(statuses(report)[id], id).toBe(position < index ? 'passed' : position === index ? 'failed' : 'not-reached');
			}

			const broken = report.links[index]!;
			expect(broken.seen.length).toBeGreaterThan(10);
			expect(broken.fix?.length ?? 0).toBeGreaterThan(10);
			expect(formatSignIn(report, {color: false})).toContain(`What to do (${broken.title}): ${broken.fix!}`);
			// Cleaned up after a failure too.
			expect(idp.users.size).toBe(0);
			expect(app.users.size).toBe(0);
			expect(report.cleanup.left).toEqual([]);
			expect(signInExitCode(report)).toBe(1);
			expect(JSON.stringify(report)).not.toContain(authorizationCode);
		});
	}

	it('names the claim and the name the app gave on a user-name mismatch', async () => {
		const {idp, app, context} = setup({appUsername: 'someone-else'});
		const report = await runSignIn(context, {idp, app});
		const user = report.links.find((link) => link.id === 'app-user')!;
		expect(user.seen).toBe(`Harbor signed the test user in as someone-else, but its preferred_username claim is ${idp.created[0]!.username}.`);
		// The app's copy under the name it really gave is the one deleted.
		expect(app.deletedUsers).toContain('someone-else');
	});

	it('a username claim the IdP does not send for the user it made: the app fell back to another claim, so the user in the app breaks', async () => {
		const {idp, app, context} = setup({}, {username_claim: 'upn'});
		const report = await runSignIn(context, {idp, app});
		const username = idp.created[0]!.username;
		expect(statuses(report)).toMatchObject({'code-exchange': 'passed', 'app-user': 'failed', 'admin-rights': 'not-reached'});
		const user = report.links.find((link) => link.id === 'app-user')!;
		expect(user.seen).toBe(`Harbor signed the test user in as ${username}, taken from the preferred_username claim: Stub IdP sends no upn claim for the test user (it sends preferred_username, email, sub).`);
		expect(user.fix).toBe('Set Harbor\'s username claim and username_claim to a claim Stub IdP sends (preferred_username or email), or make Stub IdP send upn to client harbor.');
		expect(app.deletedUsers).toEqual([username]);
		expect(report.cleanup.left).toEqual([]);

		// A name that none of the claims the IdP named gives may come from a mapper sso-setup does not know: not compared.
		const mapped = setup({appUsername: 'alice@corp.example'}, {username_claim: 'upn'});
		const passed = await runSignIn(mapped.context, {idp: mapped.idp, app: mapped.app});
		expect(passed.status).toBe('passed');
		expect(passed.links.find((link) => link.id === 'app-user')?.seen).toContain('the name was not compared');
	});

	it('reports a redirect to another address than the redirect URI without quoting the code', async () => {
		const {idp, app, context} = setup({callbackElsewhere: true});
		const report = await runSignIn(context, {idp, app});
		const authorize = report.links.find((link) => link.id === 'idp-authorize')!;
		expect(authorize.seen).toBe(`Stub IdP sent the browser to ${appOrigin}/elsewhere, not to Harbor's redirect URI ${redirectUri}.`);
		expect(authorize.fix).toBe(`Register the redirect URI ${redirectUri} exactly for client harbor at Stub IdP.`);
	});

	it('bounds every step: a step that never answers breaks its link', async () => {
		for (const [hang, link] of [['start', 'app-start'], ['login', 'idp-authorize'], ['finish', 'app-callback']] as const) {
			const {idp, app, context} = setup({hang});
			const report = await runSignIn(context, {idp, app}, {stepTimeoutMs: 50, settleMs: 10});
			expect(statuses(report)[link], hang).toBe('failed');
			expect(report.links.find((candidate) => candidate.id === link)?.seen).toMatch(/^No answer within 1 s while /);
			expect(idp.users.size).toBe(0);
		}
	});

	it('a test user that cannot be created stops the run before the chain, named with where', async () => {
		const {idp, app, context} = setup({}, {}, {stub_admin_password: 'wrong-admin-password'});
		const report = await runSignIn(context, {idp, app});
		expect(report.status).toBe('failed');
		expect(report.seen).toBe('The test user could not be created at Stub IdP at https://idp.test: stub IdP: wrong admin password');
		expect(report.links.every((link) => link.status === 'not-reached')).toBe(true);
		expect(hasPendingCleanup(Object.fromEntries(context.store))).toBe(false);
		expect(formatSignIn(report, {color: false})).toContain('✖ Sign-in proof failed. The test user could not be created');
	});
});

describe('runSignIn: skipped, or the person’s own test account', () => {
	it('skips an app without sign-in support with a sentence', async () => {
		const {idp, context} = setup();
		const report = await runSignIn(context, {idp, app: {...stubApp(), signIn: undefined}});
		expect(report.status).toBe('skipped');
		expect(report.seen).toBe('Harbor has no sign-in support in sso-setup, so no sign-in was tried.');
		expect(report.links.every((link) => link.status === 'skipped')).toBe(true);
		expect(idp.created).toEqual([]);
		expect(formatSignIn(report, {color: false})).toBe('- Sign-in proof skipped: Harbor has no sign-in support in sso-setup, so no sign-in was tried.');
		expect(signInExitCode(report)).toBe(0);
	});

	it('without the admin credential: skipped, naming the variable and the test-account alternative', async () => {
		const {idp, app, context} = setup({}, {}, {});
		const plan = await planSignIn(context, {idp, app});
		expect(plan).toEqual({kind: 'skip', reason: expect.stringContaining('needs its admin credential (SSO_SETUP_STUB_ADMIN_PASSWORD'), missing: ['stub_admin_password']});
	});

	it('an IdP without an admin API and no test_user: skipped, saying how to name one', async () => {
		const {idp, app, context} = setup({}, {}, {}, {withAdminApi: false});
		expect(await planSignIn(context, {idp, app})).toEqual({kind: 'skip', reason: expect.stringContaining('--set test_user=…'), missing: ['test_user']});
		context.values['test_user'] = 'tester@example.com';
		expect(await planSignIn(context, {idp, app})).toEqual({kind: 'skip', reason: expect.stringContaining('SSO_SETUP_TEST_USER_PASSWORD'), missing: ['test_user_password']});
	});

	it("signs the person's test account in, never deletes it at the IdP, and deletes the app's copy", async () => {
		const {idp, app, context} = setup({}, {test_user: 'tester@example.com'}, {test_user_password: 'Tester-Password-77'}, {withAdminApi: false});
		const report = await runSignIn(context, {idp, app});
		expect(report.status).toBe('passed');
		expect(report.testUser).toEqual({username: 'tester@example.com', where: 'Stub IdP at https://idp.test', createdBy: 'you'});
		expect(report.links.find((link) => link.id === 'app-user')?.seen).toContain('the name was not compared');
		expect(idp.deleted).toEqual([]);
		expect(app.deletedUsers).toEqual(['tester@example.com']);
		expect(JSON.stringify(report)).not.toContain('Tester-Password-77');
	});

	it("never deletes the app's own administrator, even when it is the test account", async () => {
		const {idp, app, context} = setup({}, {test_user: 'admin', harbor_admin_user: 'admin'}, {test_user_password: 'Tester-Password-77'}, {withAdminApi: false});
		const report = await runSignIn(context, {idp, app});
		expect(report.status).toBe('passed');
		expect(app.deletedUsers).toEqual([]);
	});
});

describe('clean-up', () => {
	it('a deletion that fails names exactly what is left and where, and keeps only that in the session', async () => {
		const {idp, app, context} = setup({deleteIdpFails: 1});
		const report = await runSignIn(context, {idp, app});
		expect(report.status).toBe('passed');
		const username = idp.created[0]!.username;
		expect(report.cleanup.left).toEqual([{what: `test user ${username}`, where: 'Stub IdP realm demo at https://idp.test', reason: `stub IdP: cannot delete ${username} right now`}]);
		expect(signInExitCode(report)).toBe(1);
		expect(context.store.get(cleanupArtifact)).toEqual({started_at: expect.any(String), idp: {username, id: 'id-1', where: 'Stub IdP realm demo at https://idp.test'}});
		expect(cleanupLines(report.cleanup, {color: false, retry: 'npx sso-setup verify --session s-1'})).toEqual([
			`✔ Deleted the user ${username} from Harbor at ${appOrigin}.`,
			`✖ Left behind: test user ${username} at Stub IdP realm demo at https://idp.test (stub IdP: cannot delete ${username} right now).`,
			'  The next run of npx sso-setup verify --session s-1 deletes it; or delete it there by hand.',
		]);
		expect(signInJson(report).cleanup).toEqual({complete: false, done: [`Deleted the user ${username} from Harbor at ${appOrigin}.`], left: report.cleanup.left});

		// The next run for that session finishes it.
		const next = resumedContext(context);
		const finished = await finishPendingCleanup(next, {idp, app});
		expect(finished).toEqual({report: {done: [`Deleted the test user ${username} from Stub IdP realm demo at https://idp.test.`], left: []}, temporarySession: false});
		expect(idp.users.size).toBe(0);
		expect(hasPendingCleanup(Object.fromEntries(next.store))).toBe(false);
		expect(await finishPendingCleanup(next, {idp, app})).toBeUndefined();
	});

	it('finishes what a killed run left: the user recorded before creation is found by name', async () => {
		const {idp, app, context} = setup();
		// A run killed right after the IdP created the user, before it recorded the id.
		idp.users.set('sso-setup-test-0badc0de', {username: 'sso-setup-test-0badc0de', password: 'x', email: 'e', groups: [], id: 'id-9'});
		app.users.set('sso-setup-test-0badc0de', {admin: false});
		await context.artifacts.set(cleanupArtifact, {started_at: '2026-01-01T00:00:00Z', temporary_session: true, idp: {username: 'sso-setup-test-0badc0de', where: 'Stub IdP'}, app: {username: 'sso-setup-test-0badc0de', where: 'Harbor'}});
		const finished = await finishPendingCleanup(context, {idp, app});
		expect(finished?.temporarySession).toBe(true);
		expect(finished?.report.left).toEqual([]);
		expect(idp.users.size).toBe(0);
		expect(app.users.size).toBe(0);
		expect(idp.deleted).toEqual([{username: 'sso-setup-test-0badc0de', where: 'Stub IdP'}]);
	});

	it('a damaged record is reported, never acted on', async () => {
		const {idp, app, context} = setup();
		await context.artifacts.set(cleanupArtifact, {idp: 'not an object'});
		const finished = await finishPendingCleanup(context, {idp, app});
		expect(finished?.report.left[0]?.reason).toContain('not in the expected form');
		expect(idp.deleted).toEqual([]);
		expect(context.store.get(cleanupArtifact)).toEqual({idp: 'not an object'});
	});

	it('an app that can no longer delete users says so instead of forgetting the user', async () => {
		const {idp, context} = setup();
		await context.artifacts.set(cleanupArtifact, {started_at: 'x', app: {username: 'sso-setup-test-1', where: 'Harbor at https://harbor.test'}});
		const finished = await finishPendingCleanup(context, {idp, app: undefined});
		expect(finished?.report.left).toEqual([{what: 'user sso-setup-test-1', where: 'Harbor at https://harbor.test', reason: 'sso-setup cannot delete users there: the app has no sign-in support'}]);
		expect(hasPendingCleanup(Object.fromEntries(context.store))).toBe(true);
	});
});

describe('interrupted (Ctrl+C)', () => {
	it('stops waiting for the step, cleans up both sides, and reports interrupted', async () => {
		const {idp, app, context} = setup({hang: 'login'});
		const controller = new AbortController();
		const running = runSignIn(context, {idp, app}, {signal: controller.signal, onUpdate: (progress) => {
			if (progress.running === 'idp-authorize') controller.abort();
		}});
		const report = await running;
		expect(report.status).toBe('interrupted');
		expect(statuses(report)['idp-authorize']).toBe('not-reached');
		expect(idp.users.size).toBe(0);
		expect(report.cleanup.left).toEqual([]);
		expect(hasPendingCleanup(Object.fromEntries(context.store))).toBe(false);
		expect(signInExitCode(report)).toBe(1);
	});

	it('while the IdP is still creating the user, "not found" proves nothing: the record stays for the next run', async () => {
		const {idp, app, context} = setup({hang: 'create'});
		const controller = new AbortController();
		const running = runSignIn(context, {idp, app}, {signal: controller.signal, onUpdate: () => {
			if (idp.pendingSeenAtCreate.length > 0) controller.abort();
		}});
		// createTestUser was called (it hangs): abort from outside as well, in case no update came after it.
		await new Promise((resolve) => setImmediate(resolve));
		controller.abort();
		const report = await running;
		expect(report.status).toBe('interrupted');
		expect(report.cleanup.left).toHaveLength(1);
		expect(report.cleanup.left[0]!.reason).toContain('the next run looks again');
		const stored = context.store.get(cleanupArtifact) as {idp: {username: string}};
		expect(stored.idp.username).toMatch(new RegExp(`^${testUserPrefix}`));
		// The next run: the creation has ended long ago, "not found" is now the answer.
		const finished = await finishPendingCleanup(resumedContext(context), {idp, app});
		expect(finished?.report.left).toEqual([]);
	});
});

describe('a call the run stopped waiting for', () => {
	it('the app still signing the user in when Ctrl+C came: "not found" proves nothing, the record stays', async () => {
		const {idp, app, context} = setup();
		const controller = new AbortController();
		app.signIn!.finish = async () => {
			controller.abort();
			return new Promise(() => undefined);
		};

		const report = await runSignIn(context, {idp, app}, {signal: controller.signal, settleMs: 20});
		expect(report.status).toBe('interrupted');
		expect(report.cleanup.left).toEqual([{what: `user ${idp.created[0]!.username}`, where: `Harbor at ${appOrigin}`, reason: 'the run stopped while the app was still signing it in, and it was not found yet; the next run looks again'}]);
		// The IdP's side was not in doubt.
		expect(idp.users.size).toBe(0);
		expect(context.store.get(cleanupArtifact)).toMatchObject({app: {username: idp.created[0]!.username}});
		expect(context.store.get(cleanupArtifact)).not.toHaveProperty('idp');
	});

	it('a call that ends soon after is waited for, so the user it made is deleted', async () => {
		const {idp, app, context} = setup();
		const finish = app.signIn!.finish;
		const controller = new AbortController();
		app.signIn!.finish = async (...args) => {
			controller.abort();
			// The app onboards the user just after the run stopped waiting.
			await new Promise((resolve) => setTimeout(resolve, 20));
			return finish(...args);
		};

		const report = await runSignIn(context, {idp, app}, {signal: controller.signal});
		expect(report.status).toBe('interrupted');
		expect(app.users.size).toBe(0);
		expect(report.cleanup.left).toEqual([]);
	});
});

describe('no secret in the report', () => {
	it('masks the test password, the admin credential and the code wherever an integration put them', async () => {
		const {idp, app, context} = setup({link: 'code-exchange', leak: [adminPassword]});
		const report = await runSignIn(context, {idp, app});
		const text = `${JSON.stringify(report)}\n${formatSignIn(report, {color: false})}\n${JSON.stringify(signInJson(report))}`;
		expect(text).not.toContain(idp.created[0]!.password);
		expect(text).not.toContain(adminPassword);
		expect(text).not.toContain(authorizationCode);
		expect(text).toContain('••••••');
	});
});
