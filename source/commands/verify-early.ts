import {commandLine} from '../core/command-line.js';
import {onInterrupt} from '../core/interrupt.js';
import {buildContext} from '../core/session/integration-context.js';
import {newSession, type Session} from '../core/session/session.js';
import {memoryStore} from '../secrets/keychain.js';
import {SessionSecrets} from '../secrets/secrets.js';
import {sendFirstRequests} from '../verify/first-requests.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, type PairInput, resolvePairInput} from './inputs.js';

/**
 * verify's first requests, sent by the launcher (bundle/cli.cjs) through bundle/verify-early.cjs
 * before Node's ES module loader and the ES module bundle load: some 25 ms sooner on a small
 * machine. verify then sends the same requests again, and HttpClient.early keeps the answers
 * already on their way (they are shared through the global object). Only for a new setup given on
 * the command line with the shipped flows; a saved session or `--flows` wait for verify itself.
 * Silent: whatever is wrong with the command line, verify says it.
 */
export async function sendVerifyFirstRequestsEarly(parsed: ParsedCommand): Promise<void> {
	if (parsed.options['session'] !== undefined || parsed.flows.length > 0) {
		return;
	}

	try {
		const input = await resolvePairInput(parsed, await loadFlows([]), () => {});
		// Until verify sets its own: a signal while these requests are out still says what to do.
		onInterrupt(() => rerunVerify());
		await sendFirstRequestsOfNewSetup(input);
	} catch {
		// verify reports it.
	}
}

/** What a verification stopped by a signal says: it changed nothing. */
export function rerunVerify(sessionId?: string): string {
	return `verify changes nothing; run it again${sessionId ? ` with: ${commandLine(`verify --session ${sessionId}`)}` : ' with the same options'}.`;
}

/**
 * A new setup has nothing in the keychain: the environment's secrets are all its first requests
 * can have, and they leave before Node's crypto loads to name the session.
 */
export async function sendFirstRequestsOfNewSetup(input: PairInput): Promise<void> {
	const unnamed = newSession(input.pair.idp.id, input.pair.app.id, new Date(), 'verify-first-requests');
	await sendFirstRequests(firstRequestsContext(input, unnamed, new SessionSecrets(memoryStore(), unnamed.id)), input.pair);
}

/** The context the first requests go out with: the answers as the checks will see them. */
export function firstRequestsContext(input: PairInput, session: Session, secrets: SessionSecrets) {
	const current = {...session, answers: {...session.answers, ...input.answers}};
	return buildContext(input.pair, {current: () => current, update() {}}, secrets);
}
