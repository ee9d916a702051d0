import * as z from 'zod';
import {describeError} from '../core/errors.js';
import type {TestUserRecord} from '../core/sign-in.js';
import type {AppIntegration, IdpIntegration, IntegrationContext} from '../integrations/types.js';
import {redactHandled} from '../secrets/redact.js';
import {cleanupArtifact} from './pending.js';
import {StepTimeout, withinTime} from '../core/time-limit.js';

/**
 * The sign-in proof's pending clean-up. The record is written to the session (artifact
 * `sign-in-cleanup`) before the test user is created, so a run stopped at any point leaves the
 * next run of any command for that session what it needs to delete the user. It holds names and
 * ids, never a secret.
 */

export {cleanupArtifact, hasPendingCleanup} from './pending.js';

const pendingSchema = z
	.object({
		started_at: z.string().max(64),
		/** The session exists only to keep this record (verify without --session): deleted once it is done. */
		temporary_session: z.boolean().optional(),
		/** The test user sso-setup created at the IdP. Absent for a test account the person named (never deleted). */
		idp: z
			.object({
				username: z.string().min(1).max(256),
				id: z.string().min(1).max(256).optional(),
				where: z.string().max(1024),
			})
			.strict()
			.optional(),
		/** The app's copy of the test user, made by the sign-in. */
		app: z.object({username: z.string().min(1).max(256), where: z.string().max(1024)}).strict().optional(),
	})
	.strict();

export type PendingCleanup = z.infer<typeof pendingSchema>;

/** A user that could not be deleted: what it is, where it lives, and why it is still there. */
export type LeftBehind = {what: string; where: string; reason: string};

export type CleanupReport = {
	/** What was deleted (or found gone), one sentence each. */
	done: string[];
	left: LeftBehind[];
};

export type CleanupOptions = {
	/** Time limit of each deletion (the two sides are cleaned up at the same time). Default 15 s. */
	timeoutMs?: number;
	/** The run stopped while the IdP was creating the user: "absent" then proves nothing, and the record stays for the next run. */
	creationUnsettled?: boolean;
	/** The run stopped while the app was still signing the user in: the same holds for the app's copy. */
	appUnsettled?: boolean;
};

export const defaultCleanupTimeoutMs = 15_000;

type Integrations = {app?: AppIntegration | undefined; idp?: IdpIntegration | undefined};

/** The pending record, `undefined` when there is none, or `invalid` when the session's copy cannot be read. */
export function readPendingCleanup(context: IntegrationContext): PendingCleanup | undefined | 'invalid' {
	const stored = context.artifacts.get(cleanupArtifact);
	if (stored === undefined || stored === null) {
		return undefined;
	}

	const parsed = pendingSchema.safeParse(stored);
	return parsed.success ? parsed.data : 'invalid';
}

/** Saves the record (or clears it with undefined) in the session at once. */
export async function savePendingCleanup(context: IntegrationContext, pending: PendingCleanup | undefined): Promise<void> {
	await context.artifacts.set(cleanupArtifact, pending && (pending.app || pending.idp) ? pendingSchema.parse(pending) : undefined);
}

/**
 * Deletes what the record names, the app's copy and the IdP's test user at the same time, each
 * within its time limit; then saves what is still left (or clears the record). Never throws: a
 * deletion that fails is reported in `left`, with the reason.
 */
export async function cleanUp(context: IntegrationContext, integrations: Integrations, pending: PendingCleanup, options: CleanupOptions = {}): Promise<CleanupReport> {
	const limitMs = options.timeoutMs ?? defaultCleanupTimeoutMs;
	const done: string[] = [];
	const left: LeftBehind[] = [];
	const remaining: PendingCleanup = {...pending};
	delete remaining.app;
	delete remaining.idp;

	const appSide = async () => {
		const copy = pending.app;
		if (!copy) {
			return;
		}

		const what = `user ${copy.username}`;
		const deleteUser = integrations.app?.signIn?.deleteUser;
		if (!deleteUser) {
			left.push({what, where: copy.where, reason: 'sso-setup cannot delete users there: the app has no sign-in support'});
			remaining.app = copy;
			return;
		}

		try {
			const outcome = await withinTime(async () => deleteUser(context, copy.username), limitMs);
			if (outcome === 'absent' && options.appUnsettled) {
				left.push({what, where: copy.where, reason: 'the run stopped while the app was still signing it in, and it was not found yet; the next run looks again'});
				remaining.app = copy;
				return;
			}

			done.push(outcome === 'deleted' ? `Deleted the user ${copy.username} from ${copy.where}.` : `${copy.where} holds no user ${copy.username}: nothing to delete there.`);
		} catch (error) {
			left.push({what, where: copy.where, reason: reasonOf(error)});
			remaining.app = copy;
		}
	};

	const idpSide = async () => {
		const user = pending.idp;
		if (!user) {
			return;
		}

		const what = `test user ${user.username}`;
		const deleteTestUser = integrations.idp?.signIn?.deleteTestUser;
		if (!deleteTestUser) {
			left.push({what, where: user.where, reason: 'sso-setup cannot delete users there: the IdP has no admin API in sso-setup'});
			remaining.idp = user;
			return;
		}

		const record: TestUserRecord = {username: user.username, where: user.where, ...(user.id ? {id: user.id} : {})};
		try {
			const outcome = await withinTime(async () => deleteTestUser(context, record), limitMs);
			if (outcome === 'absent' && options.creationUnsettled) {
				left.push({what, where: user.where, reason: 'the run stopped while it was being created, and it was not found yet; the next run looks again'});
				remaining.idp = user;
				return;
			}

			done.push(outcome === 'deleted' ? `Deleted the test user ${user.username} from ${user.where}.` : `The test user ${user.username} is already gone from ${user.where}.`);
		} catch (error) {
			left.push({what, where: user.where, reason: reasonOf(error)});
			remaining.idp = user;
		}
	};

	await Promise.all([appSide(), idpSide()]);
	try {
		await savePendingCleanup(context, remaining);
	} catch (error) {
		// The users are gone (or reported as left) but the session could not say so: the next run tries again, harmlessly.
		done.push(`The session could not be updated (${reasonOf(error)}); the next run checks again.`);
	}

	return {done, left};
}

/** Finishes a clean-up that an earlier run left pending; undefined when there is none. */
export async function finishPendingCleanup(
	context: IntegrationContext,
	integrations: Integrations,
	options: CleanupOptions = {},
): Promise<{report: CleanupReport; temporarySession: boolean} | undefined> {
	const pending = readPendingCleanup(context);
	if (pending === undefined) {
		return undefined;
	}

	if (pending === 'invalid') {
		return {
			report: {done: [], left: [{what: 'a sign-in test user', where: 'the IdP and the app of this session', reason: "the session's clean-up record (artifact sign-in-cleanup) is not in the expected form, so it was left as it is"}]},
			temporarySession: false,
		};
	}

	return {report: await cleanUp(context, integrations, pending, options), temporarySession: pending.temporary_session === true};
}

function reasonOf(error: unknown): string {
	if (error instanceof StepTimeout) {
		return error.message;
	}

	const {message} = describeError(error);
	return redactHandled(message.replace(/^Unexpected error: /, ''));
}
