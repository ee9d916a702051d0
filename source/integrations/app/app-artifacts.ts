import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto';
import {z} from 'zod';
import {SsoSetupError} from '../../core/errors.js';
import type {IntegrationContext} from '../types.js';

/** The session notes app integrations keep: the settings backup, completed writes, secret fingerprints. */

export const backupArtifact = 'app-backup';

/** Reads an artifact; a missing or unreadable one is `undefined`. */
export function readArtifact<T>(context: IntegrationContext, name: string, schema: z.ZodType<T>): T | undefined {
	const parsed = schema.safeParse(context.artifacts.get(name));
	return parsed.success ? parsed.data : undefined;
}

/**
 * Saves the settings as they were before sso-setup touched them, once: a resumed or repeated run
 * must keep the original, not the values it changed itself. Returns true when it saved.
 */
export async function saveBackupOnce(context: IntegrationContext, backup: unknown): Promise<boolean> {
	if (context.artifacts.get(backupArtifact) !== undefined) {
		return false;
	}

	await context.artifacts.set(backupArtifact, backup);
	return true;
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
 * Remembers which client secret was written without storing it: a salted HMAC, so a re-run with the
 * same secret sends nothing (the apps never return the secret to compare with).
 */
const fingerprintSchema = z.object({salt: z.string(), digest: z.string()});
export type SecretFingerprint = z.infer<typeof fingerprintSchema>;

function digest(secret: string, salt: string): string {
	return createHmac('sha256', salt).update(secret).digest('hex');
}

export function secretFingerprint(secret: string): SecretFingerprint {
	const salt = randomBytes(16).toString('hex');
	return {salt, digest: digest(secret, salt)};
}

/** True when the artifact `name` records this very secret as written. */
export function secretAlreadyWritten(context: IntegrationContext, name: string, secret: string): boolean {
	const stored = readArtifact(context, name, fingerprintSchema);
	if (!stored) {
		return false;
	}

	const expected = Buffer.from(stored.digest, 'hex');
	const actual = Buffer.from(digest(secret, stored.salt), 'hex');
	return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export async function recordSecretWritten(context: IntegrationContext, name: string, secret: string): Promise<void> {
	await context.artifacts.set(name, secretFingerprint(secret));
}
