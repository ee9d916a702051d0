import {Browser} from '../core/browser.js';
import {describeError} from '../core/errors.js';
import {SignInFailure, type SignInLink, type SignInLinkId, signInLinkIds, signInLinkTitles, type TestUserClaims} from '../core/sign-in.js';
import {printable} from '../core/text.js';
import type {AppIntegration, AppSignInResult, IdpIntegration, IntegrationContext} from '../integrations/types.js';
import {redact, redactHandled, rememberSecret} from '../secrets/redact.js';
import {type CleanupReport, cleanUp, defaultCleanupTimeoutMs, type PendingCleanup, savePendingCleanup} from './cleanup.js';
import {newTestUser} from './test-user.js';
import {StepInterrupted, StepTimeout, withinTime} from '../core/time-limit.js';

/**
 * The sign-in proof (`verify --sign-in`, the wizard's last step): a throw-away test user at the
 * IdP, the app's own sign-in followed over HTTP to its callback, the user confirmed in the app,
 * then both sides cleaned up — also after a failure and after Ctrl+C. The integrations do each
 * step (IdpSignIn, AppSignIn); this module orders them, bounds each in time, turns what they
 * throw into the chain of links, and keeps the pending clean-up in the session.
 */

export type SignInIntegrations = {app?: AppIntegration | undefined; idp?: IdpIntegration | undefined};

/** What the sign-in will do, known before anything is created: what to tell the person and what to ask for. */
export type SignInPlan =
	| {kind: 'create'; idpWhere: string; appWhere: string}
	| {kind: 'account'; username: string; idpWhere: string; appWhere: string}
	/** `missing`: the keys that would make it possible (secrets a prompt could ask for, or test_user). */
	| {kind: 'skip'; reason: string; missing: string[]};

export type SignInPhase = 'test-user' | 'sign-in' | 'clean-up' | 'done';

/** What a UI shows while the sign-in runs: the chain so far and the link being tried. */
export type SignInProgress = {phase: SignInPhase; links: SignInLink[]; running?: SignInLinkId};

export type SignInOptions = {
	/** Called at every step start and end with a copy of the chain. */
	onUpdate?(progress: SignInProgress): void;
	/** Time limit of each step (creating the user, starting, logging in, finishing). Default 30 s. */
	stepTimeoutMs?: number;
	/** Time limit of each deletion after the run. Default 15 s. */
	cleanupTimeoutMs?: number;
	/** Aborted on Ctrl+C: the step waited on is left, the clean-up runs within `interruptCleanupMs`. */
	signal?: AbortSignal;
	/** Time limit of each deletion after an interruption. Default 5 s. */
	interruptCleanupMs?: number;
	/** How long the clean-up first waits for a call the run stopped waiting for. Default 1.5 s after Ctrl+C, 5 s after a time-out. */
	settleMs?: number;
	/** The session exists only for the clean-up record (verify without --session): said in the record. */
	temporarySession?: boolean;
};

export type SignInStatus = 'passed' | 'failed' | 'skipped' | 'interrupted';

export type SignInReport = {
	status: SignInStatus;
	/** Why it was skipped, what stopped it before the chain (the test user could not be created), or that it was interrupted. */
	seen?: string;
	fix?: string;
	links: SignInLink[];
	/** The account that signed in; `you` when the person named it (never deleted at the IdP). */
	testUser?: {username: string; where: string; createdBy: 'sso-setup' | 'you'};
	/** Harbor with automatic onboarding off asked the user to confirm a name: a successful sign-in. */
	onboardingPrompt?: boolean;
	cleanup: CleanupReport;
};

export const defaultStepTimeoutMs = 30_000;
/** How long the clean-up waits for a call the run stopped waiting for: short after Ctrl+C (the exit is bounded), longer after a time-out. */
const settleAfterInterruptMs = 1500;
const settleAfterTimeoutMs = 5000;

async function settleWithin(work: Promise<unknown>, limitMs: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([work, new Promise((resolve) => {
		timer = setTimeout(resolve, limitMs);
	})]);
	clearTimeout(timer);
}
export const defaultInterruptCleanupMs = 5000;

/** The IdP or the app inside sentences: the flow's name and where it is. */
function names(values: IntegrationContext['values']): {idp: string; app: string; idpWhere: string; appWhere: string} {
	const idp = values['idp_name'] ?? 'the IdP';
	const app = values['app_name'] ?? 'the app';
	const idpAddress = values['idp_url'] ?? values['issuer'];
	const appAddress = values['app_url'];
	return {idp, app, idpWhere: idpAddress ? `${idp} at ${idpAddress}` : idp, appWhere: appAddress ? `${app} at ${appAddress}` : app};
}

async function firstPresent(context: IntegrationContext, keys: readonly string[]): Promise<string | undefined> {
	for (const key of keys) {
		if (await context.secret(key)) {
			return key;
		}
	}

	return undefined;
}

/**
 * How the sign-in would run with what is at hand: a user created with the IdP's admin credential,
 * the person's own test account (`test_user`, password `test_user_password`), or skipped with the
 * sentence that says why and what would make it possible.
 */
export async function planSignIn(context: IntegrationContext, integrations: SignInIntegrations): Promise<SignInPlan> {
	const {values} = context;
	const name = names(values);
	if (!integrations.app?.signIn) {
		return {kind: 'skip', reason: `${name.app} has no sign-in support in sso-setup, so no sign-in was tried.`, missing: []};
	}

	const idpSignIn = integrations.idp?.signIn;
	if (!idpSignIn) {
		return {kind: 'skip', reason: `${name.idp} has no sign-in support in sso-setup, so no sign-in was tried.`, missing: []};
	}

	const adminKeys = integrations.idp?.adminCredentialKeys ?? [];
	if (idpSignIn.createTestUser && (await firstPresent(context, adminKeys))) {
		return {kind: 'create', idpWhere: name.idpWhere, appWhere: name.appWhere};
	}

	const account = values['test_user'];
	if (account) {
		if (await context.secret('test_user_password')) {
			return {kind: 'account', username: account, idpWhere: name.idpWhere, appWhere: name.appWhere};
		}

		return {kind: 'skip', reason: `The password of the test account ${account} is missing (SSO_SETUP_TEST_USER_PASSWORD, or asked on a terminal), so no sign-in was tried.`, missing: ['test_user_password']};
	}

	if (idpSignIn.createTestUser && adminKeys.length > 0) {
		const credential = adminKeys.map((key) => `SSO_SETUP_${key.toUpperCase()}`).join(' or ');
		return {
			kind: 'skip',
			reason: `Creating a test user at ${name.idp} needs its admin credential (${credential}, or a saved session), so no sign-in was tried. Or name a test account of yours with --set test_user=… and SSO_SETUP_TEST_USER_PASSWORD.`,
			missing: [adminKeys[0]!],
		};
	}

	return {
		kind: 'skip',
		reason: `sso-setup cannot create a test user at ${name.idp} (no admin API), so no sign-in was tried. Name a test account of yours with --set test_user=… and its password in SSO_SETUP_TEST_USER_PASSWORD.`,
		missing: ['test_user'],
	};
}

/** The report of a sign-in that did not run, with the sentence that says why. */
export function skippedSignIn(reason: string): SignInReport {
	return {status: 'skipped', seen: reason, links: signInLinkIds.map((id) => ({id, title: signInLinkTitles[id], status: 'skipped', seen: ''})), cleanup: {done: [], left: []}};
}

/** The links a step covers, in chain order, and the side that does it. */
type Step = {links: readonly SignInLinkId[]; doing: string; side: 'app' | 'idp'};

/** A link broke: the chain is marked, the run goes on to the clean-up. */
class ChainBroken extends Error {}

/**
 * Runs the sign-in proof once and returns the chain. Never throws for what happens at the IdP or
 * the app: every failure is a link's. The test user is deleted on both sides before it returns.
 */
export async function runSignIn(context: IntegrationContext, integrations: SignInIntegrations, options: SignInOptions = {}): Promise<SignInReport> {
	const stepMs = options.stepTimeoutMs ?? defaultStepTimeoutMs;
	const {signal} = options;
	const {values} = context;
	const name = names(values);
	const secretsRead = new Set<string>();
	const guarded: IntegrationContext = {
		...context,
		async secret(key) {
			const value = await context.secret(key);
			if (value) {
				secretsRead.add(value);
				rememberSecret(value);
			}

			return value;
		},
	};
	const clean = (text: string) => printable(redactHandled(redact(text, [...secretsRead])));

	const links: SignInLink[] = signInLinkIds.map((id) => ({id, title: signInLinkTitles[id], status: 'not-reached', seen: ''}));
	let phase: SignInPhase = 'test-user';
	let running: SignInLinkId | undefined;
	const update = () => options.onUpdate?.({phase, links: links.map((link) => ({...link})), ...(running ? {running} : {})});
	const set = (id: SignInLinkId, change: Omit<SignInLink, 'id' | 'title'>) => {
		const index = signInLinkIds.indexOf(id);
		links[index] = {id, title: signInLinkTitles[id], status: change.status, seen: clean(change.seen), ...(change.fix ? {fix: clean(change.fix)} : {})};
		update();
	};

	const plan = await planSignIn(guarded, integrations);
	if (plan.kind === 'skip') {
		const report = skippedSignIn(plan.reason);
		options.onUpdate?.({phase: 'done', links: report.links});
		return report;
	}

	// planSignIn checked both sides.
	const appSignIn = integrations.app!.signIn!;
	const idpSignIn = integrations.idp!.signIn!;
	const adminGroup = values['admin_group'];
	const usernameClaim = values['username_claim'] || appSignIn.defaultUsernameClaim;

	/** What a link that a later failure proves passed says. */
	const implied: Record<SignInLinkId, string> = {
		'app-start': `${name.app} started its sign-in.`,
		'idp-authorize': `${name.idp} accepted the authorization request.`,
		'idp-login': `${name.idp} signed the test user in.`,
		'app-callback': `${name.app} took the answer at its callback.`,
		'code-exchange': `${name.app} exchanged the code.`,
		'app-user': `${name.app} signed the user in.`,
		'admin-rights': 'The user has admin rights.',
	};

	const breakAt = (id: SignInLinkId, seen: string, fix: string | undefined): never => {
		const index = signInLinkIds.indexOf(id);
		for (const [position, link] of links.entries()) {
			if (position < index && link.status !== 'passed') {
				set(link.id, {status: 'passed', seen: implied[link.id]});
			} else if (position > index) {
				set(link.id, {status: 'not-reached', seen: ''});
			}
		}

		set(id, {status: 'failed', seen, ...(fix ? {fix} : {})});
		throw new ChainBroken();
	};

	/**
	 * The call the run stopped waiting for (Ctrl+C, time limit) may still be working: the app may
	 * still onboard the user, the IdP still create it. Kept to let it settle before the clean-up.
	 */
	let inFlight: {side: 'app' | 'idp' | 'idp-create'; settled: boolean; work: Promise<unknown>} | undefined;
	const tracked = <T>(side: 'app' | 'idp' | 'idp-create', call: () => Promise<T>): (() => Promise<T>) => {
		return async () => {
			const work = Promise.resolve().then(call);
			const entry = {side, settled: false, work: work.then(() => undefined, () => undefined)};
			inFlight = entry;
			void entry.work.then(() => {
				entry.settled = true;
			});
			return work;
		};
	};

	/** Runs one step within its time limit; a failure breaks the link it names (else the step's first open link). */
	const step = async <T>(covered: Step, work: () => Promise<T>): Promise<T> => {
		running = covered.links.find((id) => links[signInLinkIds.indexOf(id)]?.status !== 'passed') ?? covered.links[0];
		update();
		try {
			return await withinTime(tracked(covered.side, work), stepMs, signal);
		} catch (error) {
			if (error instanceof StepInterrupted) {
				throw error;
			}

			const open = running ?? covered.links[0]!;
			if (error instanceof SignInFailure) {
				return breakAt(error.link, error.seen, error.fix);
			}

			if (error instanceof StepTimeout) {
				return breakAt(open, `No answer within ${error.seconds} s while ${covered.doing}.`, 'Check that the IdP and the app are reachable from this machine and not overloaded, then try again.');
			}

			const {message, hint} = describeError(error);
			return breakAt(open, `While ${covered.doing}: ${message.replace(/^Unexpected error: /, '')}`, hint);
		} finally {
			running = undefined;
		}
	};

	const pending: PendingCleanup = {started_at: new Date().toISOString(), ...(options.temporarySession ? {temporary_session: true} : {})};
	let interrupted = false;
	let before: {seen: string; fix?: string} | undefined;
	let testUser: SignInReport['testUser'];
	let onboardingPrompt = false;
	const save = async () => savePendingCleanup(context, pending);

	try {
		update();
		let credentials: {username: string; password: string};
		let claims: TestUserClaims = {};
		if (plan.kind === 'create') {
			const user = newTestUser(adminGroup ? [adminGroup] : []);
			// Saved before the IdP is asked: a run stopped from here on leaves the next one what to delete.
			pending.idp = {username: user.username, where: plan.idpWhere};
			await save();
			let created;
			try {
				created = await withinTime(tracked('idp-create', async () => idpSignIn.createTestUser!(guarded, user)), stepMs, signal);
			} catch (error) {
				if (error instanceof StepInterrupted) {
					throw error;
				}

				const {message, hint} = error instanceof StepTimeout ? {message: `no answer within ${error.seconds} s`, hint: undefined} : describeError(error);
				before = {seen: `The test user could not be created at ${plan.idpWhere}: ${message.replace(/^Unexpected error: /, '')}`, ...(hint ? {fix: hint} : {})};
				throw new ChainBroken();
			}

			pending.idp = {username: created.record.username, where: created.record.where || plan.idpWhere, ...(created.record.id ? {id: created.record.id} : {})};
			await save();
			credentials = {username: created.record.username, password: user.password};
			claims = created.claims;
			testUser = {username: created.record.username, where: pending.idp.where, createdBy: 'sso-setup'};
		} else {
			const password = (await guarded.secret('test_user_password')) ?? '';
			credentials = {username: plan.username, password};
			testUser = {username: plan.username, where: plan.idpWhere, createdBy: 'you'};
		}

		const expected = claims[usernameClaim];
		const appUsername = expected ?? credentials.username;
		const keepApp = () => {
			if (!isAppAdministrator(values, appUsername)) {
				pending.app = {username: appUsername, where: plan.appWhere};
			}
		};

		keepApp();
		await save();

		phase = 'sign-in';
		const browser = new Browser(guarded.http);
		const started = await step({links: ['app-start'], doing: `starting ${name.app}'s sign-in`, side: 'app'}, async () => appSignIn.start(guarded, browser));
		set('app-start', {status: 'passed', seen: started.seen});

		const login = await step({links: ['idp-authorize', 'idp-login'], doing: `signing the test user in at ${name.idp}`, side: 'idp'}, async () => idpSignIn.logIn(guarded, browser, started.authorizeUrl, credentials));
		const back = inspectCallback(login.callbackUrl, values['redirect_uri']);
		if (back.kind === 'error') {
			if (back.error === 'access_denied') {
				set('idp-authorize', {status: 'passed', seen: login.authorizeSeen});
				breakAt('idp-login', `${name.idp} sent the browser back with error access_denied${back.description}.`, `${name.idp} refused the test user for client ${values['client_id'] ?? ''}: check who may use it (allowed groups, policies or bindings); the users who should sign in must meet them.`);
			}

			breakAt('idp-authorize', `${name.idp} sent the browser back with error ${back.error}${back.description}.`, errorFix(back.error, name.idp, values));
		}

		if (back.kind === 'elsewhere') {
			breakAt('idp-authorize', `${name.idp} sent the browser to ${back.at}, not to ${name.app}'s redirect URI ${back.expected}.`, `Register the redirect URI ${back.expected} exactly for client ${values['client_id'] ?? ''} at ${name.idp}.`);
		}

		if (back.kind === 'no-code') {
			breakAt('idp-authorize', `${name.idp} sent the browser back to ${back.at} without an authorization code.`, `Check that client ${values['client_id'] ?? ''} uses the authorization code flow at ${name.idp}.`);
		}

		set('idp-authorize', {status: 'passed', seen: login.authorizeSeen});
		set('idp-login', {status: 'passed', seen: login.loginSeen});

		const result: AppSignInResult = await step({links: ['app-callback', 'code-exchange', 'app-user'], doing: `bringing the answer back to ${name.app}`, side: 'app'}, async () => appSignIn.finish(guarded, browser, login.callbackUrl, {username: appUsername}));
		if (result.username !== appUsername && !isAppAdministrator(values, result.username)) {
			pending.app = {username: result.username, where: plan.appWhere};
			await save();
		}

		set('app-callback', {status: 'passed', seen: result.callbackSeen});
		set('code-exchange', {status: 'passed', seen: result.exchangeSeen});
		onboardingPrompt = result.onboardingPrompt === true;
		if (onboardingPrompt) {
			set('app-user', {status: 'passed', seen: `${name.app} asks the user to confirm the name ${result.username} (automatic onboarding is off): the sign-in worked.`});
		} else if (expected !== undefined && result.username !== expected) {
			breakAt(
				'app-user',
				`${name.app} signed the test user in as ${result.username}, but its ${usernameClaim} claim is ${expected}.`,
				`${name.app} does not take the user name from the ${usernameClaim} claim: set its username claim to ${usernameClaim}, or username_claim to the claim it uses.`,
			);
		} else if (expected === undefined && plan.kind === 'create' && claimGiving(claims, result.username, usernameClaim)) {
			// The IdP said what it sends for the user it made, and the name came from another of those claims: the app fell back.
			const fallback = claimGiving(claims, result.username, usernameClaim)!;
			const usual = ['preferred_username', 'email'].filter((claim) => claims[claim] !== undefined);
			breakAt(
				'app-user',
				`${name.app} signed the test user in as ${result.username}, taken from the ${fallback} claim: ${name.idp} sends no ${usernameClaim} claim for the test user (it sends ${Object.keys(claims).join(', ')}).`,
				`Set ${name.app}'s username claim and username_claim to a claim ${name.idp} sends${usual.length > 0 ? ` (${usual.join(' or ')})` : ''}, or make ${name.idp} send ${usernameClaim} to client ${values['client_id'] ?? ''}.`,
			);
		} else {
			const unchecked = expected === undefined ? ` (the name was not compared: what ${name.idp} sends as ${usernameClaim} for this account is not known beforehand)` : '';
			set('app-user', {status: 'passed', seen: `${name.app} signed the test user in as ${result.username}${unchecked}.`});
		}

		adminRights(result);
	} catch (error) {
		if (error instanceof StepInterrupted) {
			interrupted = true;
		} else if (!(error instanceof ChainBroken)) {
			// A bug in a step outside the integrations' calls (saving the session): named, never thrown past the clean-up.
			const {message, hint} = describeError(error);
			before = {seen: message, ...(hint ? {fix: hint} : {})};
		}
	}

	phase = 'clean-up';
	running = undefined;
	update();
	// The IdP's login leaves nothing to delete; the creation and the app's steps may.
	const open = inFlight && !inFlight.settled && inFlight.side !== 'idp' ? inFlight : undefined;
	if (open) {
		await settleWithin(open.work, options.settleMs ?? (interrupted ? settleAfterInterruptMs : settleAfterTimeoutMs));
	}

	// While the IdP may still be creating the user, or the app onboarding it, a deletion that finds nothing proves nothing.
	const unsettled = open && !open.settled ? open.side : undefined;
	const cleanup = await cleanUp(context, integrations, pending, {
		timeoutMs: interrupted ? (options.interruptCleanupMs ?? defaultInterruptCleanupMs) : (options.cleanupTimeoutMs ?? defaultCleanupTimeoutMs),
		creationUnsettled: unsettled === 'idp-create',
		appUnsettled: unsettled === 'app',
	});
	phase = 'done';
	update();

	const failed = links.some((link) => link.status === 'failed') || before !== undefined;
	const status: SignInStatus = interrupted ? 'interrupted' : failed ? 'failed' : 'passed';
	const report: SignInReport = {
		status,
		...(interrupted ? {seen: 'The sign-in was interrupted.'} : before ? {seen: clean(before.seen), ...(before.fix ? {fix: clean(before.fix)} : {})} : {}),
		links: links.map((link) => ({...link})),
		...(testUser ? {testUser} : {}),
		...(onboardingPrompt ? {onboardingPrompt} : {}),
		cleanup: {done: cleanup.done.map(clean), left: cleanup.left.map((item) => ({what: clean(item.what), where: clean(item.where), reason: clean(item.reason)}))},
	};
	return report;

	function adminRights(result: AppSignInResult): void {
		if (!adminGroup) {
			set('admin-rights', {status: 'skipped', seen: 'No admin group is configured (admin_group), so admin rights were not checked.'});
			return;
		}

		if (result.admin === true) {
			set('admin-rights', {status: 'passed', seen: `${result.username} is an administrator in ${name.app} (group ${adminGroup}).`});
			return;
		}

		if (result.admin === undefined) {
			set('admin-rights', {status: 'skipped', seen: `${name.app} decides admin rights once the user confirms the name, so they are not proven.`});
			return;
		}

		if (plan.kind === 'account') {
			set('admin-rights', {status: 'skipped', seen: `${result.username} got no admin rights in ${name.app}; as your own test account it may not be in group ${adminGroup} at ${name.idp}, so this proves nothing.`});
			return;
		}

		breakAt(
			'admin-rights',
			`${name.app} did not make ${result.username} an administrator, although the test user is in group ${adminGroup} at ${name.idp}.`,
			`Check that ${name.idp} sends the group names in the ${values['groups_claim'] ?? 'groups'} claim to client ${values['client_id'] ?? ''}${values['scopes'] ? ` (some IdPs send it only for a scope that asks for it; ${name.app} asks for ${values['scopes']})` : ''}, and that ${name.app}'s admin group is ${adminGroup}.`,
		);
	}
}

/**
 * The claim, other than `wanted`, whose value the app's user name is: compared without case and
 * blanks, which apps turn into other characters (Harbor makes them "_").
 */
function claimGiving(claims: TestUserClaims, username: string, wanted: string): string | undefined {
	const loose = (text: string) => text.toLowerCase().replaceAll(/[\s_]+/g, '');
	return Object.entries(claims).find(([claim, value]) => claim !== wanted && value !== '' && loose(value) === loose(username))?.[0];
}

/** The app's own administrator (`*_admin_user`) is never a test user's copy to delete. */
function isAppAdministrator(values: IntegrationContext['values'], username: string): boolean {
	return Object.entries(values).some(([key, value]) => key.endsWith('_admin_user') && value.toLowerCase() === username.toLowerCase());
}

type Callback =
	| {kind: 'ok'}
	| {kind: 'error'; error: string; description: string}
	| {kind: 'elsewhere'; at: string; expected: string}
	| {kind: 'no-code'; at: string};

/**
 * Where the IdP sent the browser back. The code and the state are remembered as secrets at once,
 * and only the address without its query is ever quoted.
 */
function inspectCallback(callbackUrl: string, redirectUri: string | undefined): Callback {
	const url = URL.canParse(callbackUrl) ? new URL(callbackUrl) : undefined;
	if (!url) {
		return {kind: 'no-code', at: 'an address that is not a URL'};
	}

	const code = url.searchParams.get('code') ?? undefined;
	rememberSecret(code);
	rememberSecret(url.searchParams.get('state') ?? undefined);
	const at = `${url.origin}${url.pathname}`;
	const error = url.searchParams.get('error');
	if (error) {
		const description = url.searchParams.get('error_description');
		return {kind: 'error', error: error.slice(0, 64), description: description ? ` ("${description.slice(0, 200)}")` : ''};
	}

	if (redirectUri && URL.canParse(redirectUri)) {
		const expected = new URL(redirectUri);
		if (`${expected.origin}${expected.pathname}` !== at) {
			return {kind: 'elsewhere', at, expected: `${expected.origin}${expected.pathname}`};
		}
	}

	return code ? {kind: 'ok'} : {kind: 'no-code', at};
}

function errorFix(error: string, idp: string, values: IntegrationContext['values']): string {
	const client = values['client_id'] ?? '';
	switch (error) {
		case 'invalid_scope': {
			return `Allow the scopes ${values['scopes'] ?? ''} for client ${client} at ${idp}, or remove the ones it does not know.`;
		}

		case 'unauthorized_client':
		case 'unsupported_response_type': {
			return `Allow the authorization code flow for client ${client} at ${idp}.`;
		}

		default: {
			return `Check client ${client}'s settings at ${idp} for the error ${error}.`;
		}
	}
}
