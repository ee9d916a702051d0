import {checkedAnswers, checkField} from '../core/fields.js';
import {describeError} from '../core/errors.js';
import type {Field} from '../core/flows/schema.js';
import type {SessionSecrets} from '../secrets/secrets.js';
import {type SessionView, visibleFields} from './machine.js';

export type Answered = {ok: true; view: SessionView} | {ok: false; error: string};

/**
 * One answer, validated by the field's rules: a value goes into the session's answers, a secret
 * into the keychain (Enter keeps a stored one). Values that come with a picked option (e.g. the
 * registry's URL) are validated like answers. Nothing is saved here: the controller persists.
 */
export async function answerField(view: SessionView, field: Field, raw: string, companions: Record<string, string>, secrets: SessionSecrets): Promise<Answered> {
	let session = view.session;
	const presentSecrets = new Set(view.presentSecrets);
	const separator = view.pair.app.scopes.separator;
	if (field.kind === 'secret') {
		const keepsStored = raw === '' && presentSecrets.has(field.key);
		if (!keepsStored) {
			const check = checkField(field, raw);
			if (!check.ok) {
				return {ok: false, error: check.error};
			}

			if (check.value !== '') {
				try {
					await secrets.set(field.key, check.value);
				} catch (error) {
					return {ok: false, error: `The keychain refused to store it: ${describeError(error).message}`};
				}

				presentSecrets.add(field.key);
				session = {...session, secrets: [...new Set([...session.secrets, field.key])]};
			}
		}
	} else {
		const check = checkField(field, raw, separator);
		if (!check.ok) {
			return {ok: false, error: check.error};
		}

		session = {...session, answers: {...session.answers, ...checkedAnswers(field.key, check)}};
	}

	for (const [key, rawCompanion] of Object.entries(companions)) {
		const companion = visibleFields(view).find((candidate) => candidate.key === key && candidate.kind !== 'secret');
		const check = companion ? checkField(companion, rawCompanion, separator) : undefined;
		if (check?.ok) {
			session = {...session, answers: {...session.answers, [key]: check.value}};
		}
	}

	return {ok: true, view: {...view, session, presentSecrets}};
}
