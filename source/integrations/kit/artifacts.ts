import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto';
import * as z from 'zod';
import {SsoSetupError} from '../../core/errors.js';
import type {IntegrationContext} from '../types.js';

/** The session notes integrations keep: the app settings backup, completed writes, secret fingerprints, the IdP registration. */

export const backupArtifact = 'app-backup';

/** Reads an artifact; a missing or unreadable one is `undefined`. */
export function readArtifact<T>(context: IntegrationContext, name: string, schema: z.ZodType<T>): T | undefined {
	const parsed = schema.safeParse(context.artifacts.get(name));
	return parsed.success ? parsed.data : undefined;
}

/** Set just before an integration's first write: from then on the backup is the original. */
const writtenArtifact = 'app-written';

/**
 * Saves the settings as they are now, as the backup for rollback, until this session first writes:
 * a plan that was never applied (a dry run, "save and quit") must not leave a stale backup, and a
 * resumed or repeated run after a write must keep the original, not the values it changed itself.
 * Returns true when it saved.
 */
export async function saveBackupUntilWritten(context: IntegrationContext, backup: unknown): Promise<boolean> {
	if (context.artifacts.get(writtenArtifact) === true && context.artifacts.get(backupArtifact) !== undefined) {
		return false;
	}

	await context.artifacts.set(backupArtifact, backup);
	return true;
}

/** Call before the first write of apply(): the backup taken by plan() is now the one to keep. */
export async function markWritten(context: IntegrationContext): Promise<void> {
	if (context.artifacts.get(writtenArtifact) !== true) {
		await context.artifacts.set(writtenArtifact, true);
	}
}

export function readBackup<T>(context: IntegrationContext, app: string, schema: z.ZodType<T>): T {
	const raw = context.artifacts.get(backupArtifact);
	if (raw === undefined) {
		throw new SsoSetupError(`${app}: this session has no saved settings to restore.`, {
			hint: 'A backup is saved when the plan is made, before anything is written; nothing was changed by this session.',
		});
	}

	const parsed = schema.safeParse(raw);
	if (!parsed.success) {
		throw new SsoSetupError(`${app}: the saved settings of this session cannot be read.`, {
			hint: 'The session file may come from another version of sso-setup; restore the settings by hand.',
		});
	}

	return parsed.data;
}

/**
 * Remembers which client secret was written without storing it: an HMAC whose key lives in the
 * keychain, not in the session file (a file reader cannot test guesses against it), so a re-run
 * with the same secret sends nothing (the apps never return the secret to compare with). Without
 * the key (e.g. secrets kept in memory for one run) the secret is simply sent again.
 */
const fingerprintSchema = z.object({digest: z.string()});
const fingerprintKey = 'secret_fingerprint_key';

function digest(secret: string, key: string): string {
	return createHmac('sha256', key).update(secret).digest('hex');
}

/** True when the artifact `name` records this very secret as written. */
export async function secretAlreadyWritten(context: IntegrationContext, name: string, secret: string): Promise<boolean> {
	const stored = readArtifact(context, name, fingerprintSchema);
	const key = await context.secret(fingerprintKey);
	if (!stored || !key) {
		return false;
	}

	const expected = Buffer.from(stored.digest, 'hex');
	const actual = Buffer.from(digest(secret, key), 'hex');
	return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export async function recordSecretWritten(context: IntegrationContext, name: string, secret: string): Promise<void> {
	let key = await context.secret(fingerprintKey);
	if (!key) {
		key = randomBytes(32).toString('hex');
		await context.setSecret(fingerprintKey, key);
	}

	await context.artifacts.set(name, {digest: digest(secret, key)});
}

/**
 * The session note that makes registration resumable: each IdP records the ids of what it created
 * right after creating it, so a resumed run updates those objects instead of creating twice.
 * Never holds a secret.
 */
export const registrationArtifact = 'idp-registration';

/** The stored note when it parses with this IdP's schema; undefined when absent or from another IdP. */
export function readRegistration<T>(context: IntegrationContext, schema: z.ZodType<T>): T | undefined {
	return readArtifact(context, registrationArtifact, schema);
}

export async function writeRegistration<T>(context: IntegrationContext, value: T): Promise<void> {
	await context.artifacts.set(registrationArtifact, value);
}
