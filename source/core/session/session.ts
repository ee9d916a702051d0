import {randomHex} from '../random.js';

/**
 * What a saved session holds, and a new one. Kept apart from the store (which reads and checks
 * saved files with a schema) so that a command that only starts one loads no schema.
 */

export const sessionSchemaVersion = 1;

export const sessionIdPattern = /^[a-z0-9][a-z0-9-]{2,80}$/;

/** The wizard's steps, in order. `step` is the furthest one reached. */
export const wizardSteps = ['pair', 'fields', 'warnings', 'review', 'register', 'apply', 'verify', 'checklist', 'done'] as const;
export type WizardStep = (typeof wizardSteps)[number];

export type Session = {
	schema_version: typeof sessionSchemaVersion;
	id: string;
	idp: string;
	app: string;
	created_at: string;
	updated_at: string;
	step: WizardStep;
	/** Non-secret answers, by field key. */
	answers: Record<string, string>;
	/** Keys of the secrets stored in the keychain under "<id>/<key>". Never the values. */
	secrets: string[];
	acknowledged: string[];
	/** Per-integration notes that make resumed runs idempotent (created ids, backups). */
	artifacts: Record<string, unknown>;
	/** Operation ids that finished (e.g. "register", "apply"). */
	completed: string[];
	finished: boolean;
};

/** A new session, named at random unless `id` is given. */
export function newSession(idp: string, app: string, now = new Date(), id = `${idp}-${app}-${randomHex(3)}`): Session {
	const stamp = now.toISOString();
	return {
		schema_version: sessionSchemaVersion,
		id,
		idp,
		app,
		created_at: stamp,
		updated_at: stamp,
		step: 'pair',
		answers: {},
		secrets: [],
		acknowledged: [],
		artifacts: {},
		completed: [],
		finished: false,
	};
}
