import {commandLine} from '../core/command-line.js';
import {ExitCode, UsageError} from '../core/errors.js';
import {finishBeforeExit, onInterrupt} from '../core/interrupt.js';
import {buildContext} from '../core/session/integration-context.js';
import {newSession, type Session} from '../core/session/store.js';
import {colorEnabled} from '../core/style.js';
import {withSignInAuthority} from '../verify/authority.js';
import {formatTable, toJson, verificationExitCode} from '../verify/format.js';
import {runVerification} from '../verify/run.js';
import type {CheckResult} from '../verify/types.js';
import {loadPairIntegrations} from '../integrations/registry.js';
import {redactHandled} from '../secrets/redact.js';
import {cleanupLines, formatSignIn, signInExitCode, signInJson} from '../sign-in/format.js';
import type {SignInReport} from '../sign-in/run.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, resolvePairInput} from './inputs.js';
import {openSecretsOnDemand} from './secrets.js';
import {CleanupRecordSession, finishLeftoverSignIn, prepareSignIn, withTypedSecrets} from './sign-in.js';
import {fillReportedValues} from '../wizard/option-values.js';

/**
 * `sso-setup verify`: every check against a live setup; changes nothing. With --sign-in, then the
 * sign-in proof (a test user created and deleted): the only thing verify saves is its clean-up
 * record, so that an interrupted run leaves the next one what to delete.
 */
export async function verifyCommand(parsed: ParsedCommand): Promise<number> {
	const signIn = parsed.options['sign-in'] === true;
	const yes = parsed.options['yes'] === true;
	const json = parsed.options['json'] === true;
	if (yes && !signIn) {
		throw new UsageError('--yes goes with --sign-in: verify alone changes nothing, so there is nothing to allow.', {hint: `See: ${commandLine('verify --help')}`});
	}

	const catalogue = await loadFlows(parsed.flows);
	const input = await resolvePairInput(parsed, catalogue);
	const start: Session = input.session ?? newSession(input.pair.idp.id, input.pair.app.id);
	const session = new CleanupRecordSession({...start, answers: {...start.answers, ...input.answers}}, input.session);
	const retry = () => commandLine(`verify --session ${session.pendingId() ?? start.id}`);
	onInterrupt(() => {
		const pending = session.pendingId();
		if (pending) {
			return `The sign-in's clean-up is not finished: finish it with: ${commandLine(`verify --session ${pending}`)}`;
		}

		return `verify changes nothing; run it again${input.session ? ` with: ${commandLine(`verify --session ${input.session.id}`)}` : ' with the same options'}.`;
	});
	// The checks start without the keychain: the secrets the environment gives are read at once, and
	// the keychain is asked for the others when one is needed (at once for a saved session's clean-up
	// or a sign-in, which need it). Its note, if any, comes first.
	const say = (note: string) => {
		if (!json) process.stderr.write(`${note}\n`);
	};
	const {secrets, noted} = openSecretsOnDemand(start.id, {say, writes: false, now: Boolean(input.session) || signIn});
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
