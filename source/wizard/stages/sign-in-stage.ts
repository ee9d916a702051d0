import {commandLine} from '../../core/command-line.js';
import {describeError} from '../../core/errors.js';
import type {Pair} from '../../core/flows/pair.js';
import {buildContext, type SessionHandle} from '../../core/session/integration-context.js';
import {signInLinkIds, signInLinkTitles} from '../../core/sign-in.js';
import {hasControlCharacters, printable} from '../../core/text.js';
import type {IntegrationContext} from '../../integrations/types.js';
import {redactHandled} from '../../secrets/redact.js';
import type {SessionSecrets} from '../../secrets/secrets.js';
import {type CleanupReport, finishPendingCleanup, hasPendingCleanup} from '../../sign-in/cleanup.js';
import {cleanupLines, describeSignInPlan, firstBrokenLink} from '../../sign-in/format.js';
import {planSignIn, runSignIn, type SignInIntegrations, type SignInOptions, type SignInPlan, type SignInProgress, type SignInReport, skippedSignIn} from '../../sign-in/run.js';
import {withSignInAuthority} from '../../verify/authority.js';
import type {CheckResult} from '../../verify/types.js';
import {Observable} from '../observable.js';

/** The closing words of the proof, with the checks: what the person can rely on now. */
export type SignInVerdict = {tone: 'good' | 'bad' | 'neutral'; lines: string[]};

export type SignInStageState =
	| {phase: 'planning'}
	/** Said before anything is created: what the proof creates and deletes, and where. Run it or skip it. */
	| {phase: 'offer'; sentence: string}
	/**
	 * sso-setup cannot create a user at this IdP: the person may name a test account of theirs
	 * (`choice`, then its user name and password) or skip with the sentence why. `reason` is why
	 * sso-setup cannot create one, `suggestion` what naming an account does.
	 */
	| {phase: 'account'; reason: string; suggestion: string; ask: 'choice' | 'username' | 'password'; username?: string; error?: string}
	/** `stopping`: Ctrl+C or Esc asked the run to stop; the engine deletes the test user first. */
	| {phase: 'running'; progress: SignInProgress; stopping: boolean}
	/**
	 * `report.links` carry the probes' words on a broken link; `checks` are the verification's
	 * results with the sign-in as the authority. `retry` finishes a clean-up that left something.
	 */
	| {phase: 'done'; report: SignInReport; checks: CheckResult[]; verdict: SignInVerdict; retry: string};

export type SignInStageOptions = {
	/** The pair's integrations (the registry's lazy imports). */
	integrations(): Promise<SignInIntegrations>;
	/** The automatic checks' results, once they ran: a passed sign-in outweighs the probes. */
	checks(): readonly CheckResult[];
	/** The engine's time limits (tests shorten them). */
	limits?: Pick<SignInOptions, 'stepTimeoutMs' | 'cleanupTimeoutMs' | 'interruptCleanupMs' | 'settleMs'>;
};

const maxUsernameLength = 256;
const maxPasswordLength = 1024;

/**
 * The wizard's last step: the sign-in proof (`verify --sign-in`) offered after the automatic
 * checks. It says first what it creates and deletes and where, asks a test account of the person
 * where the IdP has no admin API, runs the chain with the progress as state, stops on Ctrl+C (the
 * engine deletes the test user first), and ends with the clean-up and a verdict in which a passed
 * sign-in outweighs a probe that disagreed.
 */
export class SignInStage extends Observable<SignInStageState> {
	private integrations: SignInIntegrations | undefined;
	private abort: AbortController | undefined;
	/** Called once a run stopped by Ctrl+C has cleaned up, with what to tell the person. */
	private afterStop: ((said: string) => void) | undefined;

	constructor(
		private readonly pair: Pair,
		private readonly session: SessionHandle,
		private readonly secrets: SessionSecrets,
		private readonly options: SignInStageOptions,
	) {
		super({phase: 'planning'});
	}

	/** Plans the proof: offers it, asks for a test account, or ends skipped with the reason. */
	async start(): Promise<void> {
		this.set({phase: 'planning'});
		try {
			const plan = await planSignIn(this.context(), await this.loaded());
			this.offer(plan);
		} catch (error) {
			this.finish(skippedSignIn(`The sign-in proof could not be prepared: ${describeError(error).message}`));
		}
	}

	/** The person chose to name a test account of theirs. */
	useAccount(): void {
		const state = this.state;
		if (state.phase === 'account' && state.ask === 'choice') {
			this.set({...state, ask: 'username', error: undefined});
		}
	}

	/** The test account's user name, saved as the answer `test_user`; returns the problem to show. */
	async submitUsername(raw: string): Promise<string | undefined> {
		const state = this.state;
		if (state.phase !== 'account' || state.ask !== 'username') {
			return undefined;
		}

		const username = raw.trim();
		const problem = username === '' ? 'Type the user name of the test account, or press Esc to go back.' : username.length > maxUsernameLength ? `A user name has at most ${maxUsernameLength} characters.` : hasControlCharacters(username) ? 'A user name has no control characters.' : undefined;
		if (problem) {
			this.set({...state, error: problem});
			return problem;
		}

		try {
			await this.context().setValue('test_user', username);
		} catch (error) {
			return this.refuse(state, error);
		}

		this.set({...state, ask: 'password', username, error: undefined});
		return undefined;
	}

	/**
	 * The test account's password, kept as the session's other secrets are (the keychain, or memory
	 * for this run); then the proof is offered with that account.
	 */
	async submitPassword(raw: string): Promise<string | undefined> {
		const state = this.state;
		if (state.phase !== 'account' || state.ask !== 'password') {
			return undefined;
		}

		const problem = raw === '' ? 'Type the password of the test account, or press Esc to go back.' : raw.length > maxPasswordLength ? `A password has at most ${maxPasswordLength} characters here.` : undefined;
		if (problem) {
			this.set({...state, error: problem});
			return problem;
		}

		try {
			await this.context().setSecret('test_user_password', raw);
		} catch (error) {
			return this.refuse(state, error);
		}

		await this.start();
		return undefined;
	}

	/** Esc on a test account's question: back to the choice. */
	back(): void {
		const state = this.state;
		if (state.phase === 'account' && state.ask !== 'choice') {
			this.set({...state, ask: 'choice', error: undefined});
		}
	}

	/** The person chose not to run it, or named no test account. */
	skip(): void {
		const state = this.state;
		if (state.phase === 'offer') {
			this.finish(skippedSignIn('You chose not to run it, so nothing was created.'));
		} else if (state.phase === 'account') {
			this.finish(skippedSignIn(`No test account was named, so no sign-in was tried: ${lowerFirst(state.reason)}`));
		}
	}

	/** Runs the proof: a clean-up an earlier run left is finished first; the chain updates live. */
	async run(): Promise<SignInReport | undefined> {
		if (this.state.phase !== 'offer') {
			return undefined;
		}

		const abort = new AbortController();
		this.abort = abort;
		this.set({phase: 'running', progress: {phase: 'test-user', links: notReached()}, stopping: false});
		let report: SignInReport;
		try {
			const integrations = await this.loaded();
			const leftover = hasPendingCleanup(this.session.current().artifacts) ? await finishPendingCleanup(this.context(), integrations) : undefined;
			if (leftover && leftover.report.left.length > 0) {
				// Running now would write over the record of what is still there.
				report = {...skippedSignIn('A test user of an earlier sign-in could not be deleted (below), so no new sign-in was tried.'), cleanup: leftover.report};
			} else if (abort.signal.aborted) {
				// Stopped while the earlier clean-up ran: nothing of this run exists yet.
				report = {status: 'interrupted', seen: 'The sign-in was interrupted.', links: notReached(), cleanup: leftover?.report ?? {done: [], left: []}};
			} else {
				report = await runSignIn(this.context(), integrations, {
					...this.options.limits,
					signal: abort.signal,
					onUpdate: (progress) => {
						const current = this.state;
						this.set({phase: 'running', progress, stopping: current.phase === 'running' && current.stopping});
					},
				});
				if (leftover) {
					report = {...report, cleanup: joined(leftover.report, report.cleanup)};
				}
			}
		} catch (error) {
			// The engine never throws for what the IdP or the app did; this is the session or the keychain.
			report = {status: 'failed', seen: redactHandled(printable(describeError(error).message)), links: notReached(), cleanup: {done: [], left: []}};
		} finally {
			this.abort = undefined;
		}

		this.finish(report);
		const afterStop = this.afterStop;
		this.afterStop = undefined;
		afterStop?.(['The sign-in proof was stopped. Its clean-up:', ...cleanupLines(report.cleanup, {color: false, retry: this.retry()})].join('\n'));
		return report;
	}

	/**
	 * Ctrl+C or Esc while the proof runs: stops it through the signal (the engine deletes the test
	 * user first), then calls `then` (Ctrl+C: the wizard quits, saying what the clean-up did). True
	 * when it took the key; false when nothing runs or it is already stopping, so that a second
	 * Ctrl+C quits the wizard at once (the session keeps what the next run deletes).
	 */
	interrupt(then?: (said: string) => void): boolean {
		const state = this.state;
		if (state.phase !== 'running' || state.stopping || !this.abort) {
			return false;
		}

		this.afterStop = then;
		this.set({...state, stopping: true});
		this.abort.abort();
		return true;
	}

	/** Offers the proof again (after a fix made elsewhere). */
	async again(): Promise<void> {
		if (this.state.phase === 'done') {
			await this.start();
		}
	}

	private offer(plan: SignInPlan): void {
		if (plan.kind !== 'skip') {
			this.set({phase: 'offer', sentence: printable(describeSignInPlan(plan))});
			return;
		}

		const [missing] = plan.missing;
		const idp = this.pair.idp.name;
		const app = this.pair.app.name;
		const suggestion = `To prove a sign-in anyway, name a test account of yours at ${idp}: it signs in to ${app}, the user this makes in ${app} is deleted afterwards, and the account itself is kept.`;
		if (missing === 'test_user_password') {
			const username = this.context().values['test_user'] ?? '';
			this.set({phase: 'account', reason: `The password of your test account ${printable(username)} is not at hand in this run.`, suggestion, ask: 'password', username});
		} else if (missing === 'test_user') {
			this.set({phase: 'account', reason: `sso-setup cannot create a test user at ${idp}: it has no admin API that sso-setup uses.`, suggestion, ask: 'choice'});
		} else if (missing) {
			this.set({phase: 'account', reason: `Creating a throw-away test user at ${idp} needs its admin credential, which this setup was not given.`, suggestion, ask: 'choice'});
		} else {
			this.finish(skippedSignIn(plan.reason));
		}
	}

	private finish(report: SignInReport): void {
		const {results, links} = withSignInAuthority(this.options.checks(), report);
		const final: SignInReport = {...report, links};
		this.set({phase: 'done', report: final, checks: results, verdict: verdictOf(final, this.options.checks(), results, this.pair.app.name), retry: this.retry()});
	}

	/** The command whose next run finishes a clean-up left pending. */
	private retry(): string {
		return commandLine(`verify --session ${this.session.current().id}`);
	}

	private refuse(state: Extract<SignInStageState, {phase: 'account'}>, error: unknown): string {
		const problem = redactHandled(describeError(error).message);
		this.set({...state, error: problem});
		return problem;
	}

	private async loaded(): Promise<SignInIntegrations> {
		this.integrations ??= await this.options.integrations();
		return this.integrations;
	}

	/** A context over the session as it is now (the answers change when a test account is named). */
	private context(): IntegrationContext {
		return buildContext(this.pair, this.session, this.secrets);
	}
}

function notReached(): SignInReport['links'] {
	return signInLinkIds.map((id) => ({id, title: signInLinkTitles[id], status: 'not-reached', seen: ''}));
}

function joined(first: CleanupReport, second: CleanupReport): CleanupReport {
	return {done: [...first.done, ...second.done], left: [...first.left, ...second.left]};
}

function lowerFirst(text: string): string {
	return text.charAt(0).toLowerCase() + text.slice(1);
}

function titles(results: readonly CheckResult[]): string {
	return results.map((result) => result.title).join(', ');
}

/**
 * What the proof and the checks say together. A passed sign-in is the authority: a probe that
 * failed is then a warning that disagreed; a check it does not prove (the way back in) still counts.
 */
export function verdictOf(report: SignInReport, before: readonly CheckResult[], after: readonly CheckResult[], app: string): SignInVerdict {
	const failing = after.filter((result) => result.status === 'fail');
	const stillFailing = failing.length > 0 ? [`Still failing: ${titles(failing)} (see the checks before this step).`] : [];
	switch (report.status) {
		case 'passed': {
			const disagreed = after.filter((result) => result.status === 'warn' && before.find((check) => check.id === result.id)?.status === 'fail');
			return {
				tone: failing.length > 0 ? 'bad' : 'good',
				lines: [
					`A real sign-in passed: the setup works as ${app} uses it.`,
					...(disagreed.length > 0 ? [`The ${titles(disagreed)} check${disagreed.length === 1 ? '' : 's'} failed as a probe but the sign-in proves otherwise: the sign-in is what counts.`] : []),
					...stillFailing,
				],
			};
		}

		case 'failed': {
			const broken = firstBrokenLink(report.links);
			return {
				tone: 'bad',
				lines: broken ? [`The sign-in broke at: ${broken.title}.`] : [`The sign-in proof could not run: ${printable(report.seen ?? '')}`, ...(report.fix ? [printable(report.fix)] : [])],
			};
		}

		case 'interrupted': {
			return {tone: 'bad', lines: ['The sign-in proof was stopped; the clean-up ran first (below).']};
		}

		case 'skipped': {
			return {
				tone: 'neutral',
				lines: [`Sign-in proof skipped: ${printable(report.seen ?? '')}`, failing.length > 0 ? `${failing.length} check${failing.length === 1 ? '' : 's'} failed: ${titles(failing)}.` : 'Everything that could be checked works.'],
			};
		}
	}
}
