import {commandLine} from '../core/command-line.js';
import {UsageError} from '../core/errors.js';
import {onInterrupt} from '../core/interrupt.js';
import {newSession, type Session} from '../core/session/session.js';
import {sendFirstRequests} from '../verify/first-requests.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, resolvePairInput} from './inputs.js';
import {openSecretsOnDemand} from './secrets.js';
import {firstRequestsContext, rerunVerify, sendFirstRequestsOfNewSetup} from './verify-early.js';

/**
 * `sso-setup verify`: every check against a live setup; changes nothing. With --sign-in, then the
 * sign-in proof (a test user created and deleted): the only thing verify saves is its clean-up
 * record, so that an interrupted run leaves the next one what to delete.
 *
 * This part reads the command line and sends the first requests; the checks, the sign-in and the
 * report (verify-checks.ts) load while their answers are on the way.
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
	let pendingId: () => string | undefined = () => undefined;
	onInterrupt(() => {
		const pending = pendingId();
		if (pending) {
			return `The sign-in's clean-up is not finished: finish it with: ${commandLine(`verify --session ${pending}`)}`;
		}

		return rerunVerify(input.session?.id);
	});
	const say = (note: string) => {
		if (!json) process.stderr.write(`${note}\n`);
	};
	// The checks start without the keychain: the secrets the environment gives are read at once, and
	// the keychain is asked for the others when one is needed (at once for a saved session's clean-up
	// or a sign-in, which need it). Its note, if any, comes first.
	const open = (session: Session) => openSecretsOnDemand(session.id, {say, writes: false, now: Boolean(input.session) || signIn});
	let start: Session;
	let opened: ReturnType<typeof open>;
	if (input.session) {
		start = input.session;
		opened = open(start);
		await sendFirstRequests(firstRequestsContext(input, start, opened.secrets), input.pair);
	} else {
		await sendFirstRequestsOfNewSetup(input);
		start = newSession(input.pair.idp.id, input.pair.app.id);
		opened = open(start);
	}

	const {secrets, noted} = opened;
	const {checkAndReport} = await import('./verify-checks.js');
	return checkAndReport({
		input,
		start,
		secrets,
		noted,
		options: {signIn, yes, json},
		watchPending(watched) {
			pendingId = watched;
		},
	});
}
