import {describeError} from '../core/errors.js';
import {printable} from '../core/text.js';
import type {Pair} from '../core/flows/pair.js';
import {buildContext, type SessionHandle} from '../core/session/integration-context.js';
import type {Session} from '../core/session/store.js';
import {loadPairIntegrations} from '../integrations/registry.js';
import type {AppIntegration, IntegrationContext} from '../integrations/types.js';
import type {SessionSecrets} from '../secrets/secrets.js';

export type OptionValues = {
	/** Values that come with the answers (e.g. app_url, the OVH registry's URL), as the app's API reports them. */
	values: Record<string, string>;
	/** Given values the API contradicts, one sentence each. */
	notes: string[];
};

/**
 * The values that come with an answer picked from the app's lists (`options_from`), read again from
 * the app's API whenever that answer and the app's credentials are given: the registry ID gives the
 * registry's URL, so `apply`, `verify` and `checklist` derive the redirect URI from the real one
 * instead of a guess or a missing value. The wizard uses it when the ID was typed instead of picked.
 * Errors of the API propagate: the caller decides whether they stop it.
 */
export async function valuesFromOptions(pair: Pair, app: AppIntegration | undefined, context: IntegrationContext): Promise<OptionValues> {
	const result: OptionValues = {values: {}, notes: []};
	const answered = pair.app.fields.filter((field) => field.options_from && context.values[field.key]);
	if (!app?.options || answered.length === 0 || !(await hasAppCredential(pair, context))) {
		return result;
	}

	for (const field of answered) {
		const answer = context.values[field.key];
		const options = await app.options(field.options_from!, context);
		const picked = options?.find((option) => option.value === answer);
		for (const [key, value] of Object.entries(picked?.values ?? {})) {
			const given = context.values[key];
			if (given && given.replace(/\/+$/, '') !== value.replace(/\/+$/, '')) {
				result.notes.push(`${pair.app.name} reports ${value} for ${key}, not ${given} as given: using ${value}.`);
			}

			result.values[key] = value;
		}
	}

	return result;
}

/** Whether a list can be read: every secret credential of the app is at hand (lists are read with them). */
async function hasAppCredential(pair: Pair, context: IntegrationContext): Promise<boolean> {
	const secrets = pair.app.fields.filter((field) => field.role === 'app-credential' && field.kind === 'secret');
	if (secrets.length === 0) {
		return false;
	}

	for (const field of secrets) {
		if (!(await context.secret(field.key))) {
			return false;
		}
	}

	return true;
}

/** valuesFromOptions for a session (nothing is saved): the app's integration and a read-only context. */
export async function sessionOptionValues(pair: Pair, session: Session, secrets: SessionSecrets): Promise<OptionValues> {
	if (!pair.app.fields.some((field) => field.options_from && session.answers[field.key])) {
		return {values: {}, notes: []};
	}

	const {app} = await loadPairIntegrations(pair);
	return valuesFromOptions(pair, app, buildContext(pair, {current: () => session, update: () => {}}, secrets));
}

/**
 * The same for a command that goes on without them (verify, checklist): the values go into the
 * session the handle holds; returns the sentences to show (contradictions, or why the API could not
 * be read).
 */
export async function fillReportedValues(pair: Pair, handle: SessionHandle, secrets: SessionSecrets): Promise<string[]> {
	try {
		const {values, notes} = await sessionOptionValues(pair, handle.current(), secrets);
		if (Object.keys(values).length > 0) {
			handle.update((session) => ({...session, answers: {...session.answers, ...values}}));
		}

		return notes.map((note) => printable(note));
	} catch (error) {
		return [printable(`${pair.app.name}'s API could not be read for the values that come with your answers (${describeError(error).message}); the given ones are used.`)];
	}
}
