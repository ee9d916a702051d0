import {commandLine} from '../core/command-line.js';
import {UsageError} from '../core/errors.js';
import {isSecretKey} from '../core/fields.js';
import type {Pair} from '../core/flows/pair.js';
import {buildContext, type SessionHandle} from '../core/session/integration-context.js';
import {deleteSessionFile, saveSession, type Session} from '../core/session/store.js';
import {printable} from '../core/text.js';
import type {IntegrationContext} from '../integrations/types.js';
import {loadPairIntegrations} from '../integrations/registry.js';
import {redactHandled, rememberSecret} from '../secrets/redact.js';
import type {SessionSecrets} from '../secrets/secrets.js';
import {cleanupArtifact, hasPendingCleanup} from '../sign-in/pending.js';
import {cleanupLines, describeSignInPlan} from '../sign-in/format.js';
// The sign-in engine and the clean-up load only when a run needs them: `verify` alone uses neither.
import type {SignInIntegrations, SignInPlan} from '../sign-in/run.js';

/**
 * What the commands share of the sign-in proof: verify's session that stores nothing but the
 * clean-up record, the clean-up an earlier run left (finished by every command that opens a
 * session), and the questions asked before a sign-in.
 */

/**
 * The session verify works on: in memory with the --set overrides, on disk only the clean-up
 * record. Without a saved session, the first record creates one (so that Ctrl+C leaves what the
 * next run needs); it is deleted again once the clean-up is done.
 */
export class CleanupRecordSession implements SessionHandle {
	private memory: Session;
	private stored: Session | undefined;
	/** The file exists only for the record. */
	private onlyForRecord: boolean;

	constructor(memory: Session, stored: Session | undefined) {
		this.memory = memory;
		this.stored = stored;
		this.onlyForRecord = stored === undefined || (hasPendingCleanup(stored.artifacts) && isRecordOnly(stored));
	}

	current(): Session {
		return this.memory;
	}

	update(change: (session: Session) => Session): void {
		const before = JSON.stringify(this.memory.artifacts[cleanupArtifact] ?? null);
		this.memory = change(this.memory);
		const record = this.memory.artifacts[cleanupArtifact];
		if (JSON.stringify(record ?? null) === before) {
			return;
		}

		if (!this.stored) {
			if (record === undefined) {
				return;
			}

			// Finished and at the verify step: the wizard does not offer it for resuming, verify --session opens it.
			this.stored = {...this.memory, step: 'verify', finished: true, secrets: [], acknowledged: [], completed: [], artifacts: {}};
		}

		this.stored = saveSession({...this.stored, artifacts: {...this.stored.artifacts, [cleanupArtifact]: record}});
	}

	/** The id that a later `verify --session` needs while a record is pending, else undefined. */
	pendingId(): string | undefined {
		return this.stored && hasPendingCleanup(this.stored.artifacts) ? this.stored.id : undefined;
	}

	/** Deletes the session file when it existed only for a clean-up that is now done; says so. */
	dropWhenDone(): string | undefined {
		if (!this.stored || !this.onlyForRecord || hasPendingCleanup(this.stored.artifacts)) {
			return undefined;
		}

		deleteSessionFile(this.stored.id);
		const id = this.stored.id;
		this.stored = undefined;
		return `Session ${id} was kept only for the sign-in's clean-up, which is done: it is deleted.`;
	}
}

function isRecordOnly(session: Session): boolean {
	return session.finished && session.completed.length === 0 && Object.keys(session.artifacts).every((name) => name === cleanupArtifact);
}

/**
 * Finishes a clean-up that an earlier sign-in left in this session, saying what it deleted and
 * what is still left (on stderr). Does nothing when none is pending.
 */
export async function finishLeftoverSignIn(
	pair: Pair,
	handle: SessionHandle,
	secrets: SessionSecrets,
	options: {color: boolean; retry: string; integrations?: SignInIntegrations},
): Promise<{left: number} | undefined> {
	if (!hasPendingCleanup(handle.current().artifacts)) {
		return undefined;
	}

	const say = (line: string) => process.stderr.write(`${line}\n`);
	say(`Session ${handle.current().id} holds a sign-in test user that an earlier run did not delete: deleting it first.`);
	const {finishPendingCleanup} = await import('../sign-in/cleanup.js');
	const context = buildContext(pair, handle, secrets);
	const finished = await finishPendingCleanup(context, options.integrations ?? (await loadPairIntegrations(pair)));
	if (!finished) {
		return undefined;
	}

	for (const line of cleanupLines(finished.report, {color: options.color, retry: options.retry})) {
		say(redactHandled(line));
	}

	return {left: finished.report.left.length};
}

/** Keeps a secret typed at a prompt for this run only (never in the keychain of a session verify does not save). */
export function withTypedSecrets(context: IntegrationContext, typed: Map<string, string>): IntegrationContext {
	return {
		...context,
		async secret(key) {
			return typed.get(key) ?? context.secret(key);
		},
	};
}

/**
 * Before the sign-in: asks on a terminal for the secret it lacks (the IdP's admin credential or
 * the test account's password), says what it will create and delete and where, and asks to go
 * on. Without a terminal, --yes is the consent (else exit 2 with the sentence).
 */
export async function prepareSignIn(
	context: IntegrationContext,
	integrations: SignInIntegrations,
	pair: Pair,
	options: {yes: boolean; typed: Map<string, string>},
): Promise<{plan: SignInPlan; declined?: boolean}> {
	const [{planSignIn}, {askSecret, askYesNo, canAsk}] = await Promise.all([import('../sign-in/run.js'), import('./prompt.js')]);
	let plan = await planSignIn(context, integrations);
	const missing = plan.kind === 'skip' ? plan.missing[0] : undefined;
	if (missing && isSecretKey(missing) && canAsk()) {
		process.stderr.write(`${plan.kind === 'skip' ? plan.reason.replace(/, so no sign-in was tried\./, '.') : ''}\n`);
		const value = await askSecret(secretLabel(pair, missing, context.values['test_user']));
		if (value !== '') {
			rememberSecret(value);
			options.typed.set(missing, value);
			plan = await planSignIn(context, integrations);
		}
	}

	if (plan.kind === 'skip') {
		return {plan};
	}

	const sentence = printable(describeSignInPlan(plan));
	if (options.yes) {
		process.stderr.write(`${sentence}\n`);
		return {plan};
	}

	if (!canAsk()) {
		throw new UsageError(`${sentence} There is no terminal to ask whether to go on: add --yes to allow it.`, {hint: `For example: ${commandLine('verify … --sign-in --yes')}`});
	}

	process.stderr.write(`${sentence}\n`);
	const go = await askYesNo('Run the sign-in proof?');
	return go ? {plan} : {plan, declined: true};
}

function secretLabel(pair: Pair, key: string, testUser: string | undefined): string {
	if (key === 'test_user_password') {
		return `Password of the test account ${testUser ?? ''} (not shown, not stored)`;
	}

	const field = [...pair.idp.fields, ...pair.app.fields].find((candidate) => candidate.key === key);
	return `${field?.label ?? key} (${key}; not shown, kept for this run only)`;
}
