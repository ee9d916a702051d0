import {commandLine} from '../core/command-line.js';
import {ExitCode} from '../core/errors.js';
import {finishBeforeExit} from '../core/interrupt.js';
import {buildContext} from '../core/session/integration-context.js';
import type {Session} from '../core/session/session.js';
import {colorEnabled} from '../core/style.js';
import {withSignInAuthority} from '../verify/authority.js';
import {formatTable, toJson, verificationExitCode} from '../verify/format.js';
import {runVerification} from '../verify/run.js';
import type {CheckResult} from '../verify/types.js';
import {loadPairIntegrations} from '../integrations/registry.js';
import {redactHandled} from '../secrets/redact.js';
import type {SessionSecrets} from '../secrets/secrets.js';
import {cleanupLines, formatSignIn, signInExitCode, signInJson} from '../sign-in/format.js';
import type {SignInReport} from '../sign-in/run.js';
import type {PairInput} from './inputs.js';
import {CleanupRecordSession, finishLeftoverSignIn, prepareSignIn, withTypedSecrets} from './sign-in.js';
import {fillReportedValues} from '../wizard/option-values.js';

/** What verify's first part (verify.ts) resolved, and how it reports an interruption. */
export type VerifyRun = {
	input: PairInput;
	start: Session;
	secrets: SessionSecrets;
	/** Settles once the keychain's note, if any, has been said. */
	noted(): Promise<void>;
	options: {signIn: boolean; yes: boolean; json: boolean};
	/** Tells the interruption handler which session holds a clean-up still to finish. */
	watchPending(pendingId: () => string | undefined): void;
};

/**
 * verify's checks, its sign-in proof and its report: loaded once the first requests are on
 * their way (verify.ts).
 */
export async function checkAndReport(run: VerifyRun): Promise<number> {
	const {input, start, secrets, noted} = run;
	const {signIn, yes, json} = run.options;
	const session = new CleanupRecordSession({...start, answers: {...start.answers, ...input.answers}}, input.session);
	const retry = () => commandLine(`verify --session ${session.pendingId() ?? start.id}`);
	run.watchPending(() => session.pendingId());
	const integrations = await loadPairIntegrations(input.pair);
	const color = colorEnabled(process.stdout);
	let leftoverLeft = 0;
	if (input.session) {
		await noted();
		leftoverLeft = (await finishLeftoverSignIn(input.pair, session, secrets, {color: colorEnabled(process.stderr), retry: retry(), integrations}))?.left ?? 0;
		const dropped = session.dropWhenDone();
		if (dropped) {
			process.stderr.write(`${dropped}\n`);
		}
	}

	// The OVH registry's URL (so the redirect URI) as its API reports it, when its ID and keys are given.
	const notes = await fillReportedValues(input.pair, session, secrets);
	if (!json) for (const line of notes) process.stderr.write(`! ${line}\n`);

	const typed = new Map<string, string>();
	const context = withTypedSecrets(buildContext(input.pair, session, secrets), typed);
	const prepared = signIn ? await noted().then(async () => prepareSignIn(context, integrations, input.pair, {yes, typed})) : undefined;
	if (prepared && !prepared.declined && prepared.plan.kind !== 'skip' && !input.session) {
		// Said before anything exists: even a run killed without a chance to clean up can be finished.
		process.stderr.write(`Until the test user is deleted, session ${start.id} keeps what is needed to delete it (${commandLine(`verify --session ${start.id}`)} finishes it if this run is stopped).\n`);
	}

	const checks = await runVerification(context, {integrations});
	await noted();
	let report: SignInReport | undefined;
	if (prepared?.declined) {
		const {skippedSignIn} = await import('../sign-in/run.js');
		report = skippedSignIn('You chose not to run it, so nothing was created.');
	} else if (prepared) {
		const {runSignIn} = await import('../sign-in/run.js');
		report = await signInWithCleanupOnSignal(async (signal) => runSignIn(context, integrations, {temporarySession: !input.session, signal}), session, retry);
		if (report.status === 'interrupted') {
			// The signal's handler says what the clean-up did and exits with the signal's code.
			return ExitCode.interrupted;
		}

		const dropped = session.dropWhenDone();
		if (dropped && !json) {
			process.stderr.write(`${dropped}\n`);
		}
	}

	const {results, links} = report ? withSignInAuthority(checks, report) : {results: checks, links: []};
	const final = report ? {...report, links} : undefined;
	const exitCode = Math.max(verifyExitCode(results, final), leftoverLeft > 0 ? ExitCode.failed : ExitCode.ok);
	if (json) {
		process.stdout.write(`${redactHandled(toJson(results, {exitCode, ...(final ? {signIn: signInJson(final)} : {})}))}\n`);
	} else {
		const proof = final ? `\n\n${formatSignIn(final, {color, retry: retry()})}` : '';
		process.stdout.write(`${redactHandled(`${formatTable(results, {color})}${proof}`)}\n`);
	}

	return exitCode;
}

/**
 * Runs the sign-in so that Ctrl+C first stops it and cleans up (bounded), then says what is left
 * and how to finish it.
 */
async function signInWithCleanupOnSignal(run: (signal: AbortSignal) => Promise<SignInReport>, session: CleanupRecordSession, retry: () => string): Promise<SignInReport> {
	const abort = new AbortController();
	const running = run(abort.signal);
	finishBeforeExit(async () => {
		abort.abort();
		const report = await running;
		const lines = cleanupLines(report.cleanup, {color: colorEnabled(process.stderr), retry: retry()});
		const dropped = session.dropWhenDone();
		return redactHandled([...lines, ...(dropped ? [dropped] : [])].join('\n')) || undefined;
	});
	try {
		return await running;
	} finally {
		finishBeforeExit(undefined);
	}
}

/**
 * 1 when a check or the sign-in failed or a test user was left behind; 2 when nothing could be
 * checked and no sign-in proved anything; else 0. A passed sign-in is a proof on its own.
 */
export function verifyExitCode(results: readonly CheckResult[], report: SignInReport | undefined): number {
	const checks = verificationExitCode(results);
	if (!report || report.status === 'skipped') {
		return checks;
	}

	if (signInExitCode(report) === ExitCode.failed || checks === ExitCode.failed) {
		return ExitCode.failed;
	}

	return report.status === 'passed' ? ExitCode.ok : checks;
}
