import {RemoteError, SsoSetupError} from '../core/errors.js';
import {computeValues, type Pair} from '../core/flows/pair.js';
import type {Field} from '../core/flows/schema.js';
import type {Side} from './machine.js';

/**
 * The answers a failed automatic step is about, most likely first, so that "Edit the answers" opens
 * the field to fix instead of question 1: a key the message names, the credential a server refused
 * (401/403), the URL of the host that could not be reached, a value the message quotes; else the
 * first field of that side. The controller opens the first of them that is asked.
 */
export function concernedKeys(error: unknown, pair: Pair, answers: Record<string, string>, side: Side): string[] {
	const fields = side === 'idp' ? pair.idp.fields : pair.app.fields;
	const values = computeValues(pair, answers);
	const message = error instanceof Error ? error.message : String(error);
	const keys: string[] = [];

	// "ovh-mpr: the value "ovh_application_key" is missing", "the secret "client_secret" is missing".
	for (const match of message.matchAll(/"([a-z][a-z0-9_]*)"/g)) {
		if (fields.some((field) => field.key === match[1])) keys.push(match[1]!);
	}

	// A hint that names a key ("Check ovh_application_key: …"); only keys with an underscore, which are no common words.
	const hint = error instanceof SsoSetupError ? (error.hint ?? '') : '';
	const named = fields.filter((field) => field.key.includes('_') && new RegExp(`\\b${field.key}\\b`).test(`${message} ${hint}`));
	if (error instanceof RemoteError && (error.status === 401 || error.status === 403)) {
		// A refused credential: a secret the text names, the credential whose name the message says
		// ("Invalid application key"), else the secret (a user name is rarely what is wrong).
		const credentials = fields.filter((field) => field.role === 'admin-credential' || field.role === 'app-credential');
		const lower = message.toLowerCase();
		keys.push(...named.filter((field) => field.kind === 'secret').map((field) => field.key));
		keys.push(...credentials.filter((field) => lower.includes(labelPhrase(field))).map((field) => field.key));
		keys.push(...credentials.filter((field) => field.kind === 'secret').map((field) => field.key));
	}

	keys.push(...named.map((field) => field.key));
	if (error instanceof RemoteError) {
		if (error.status !== undefined) {
			// The server answered: a realm or a slug it does not know is named in the message.
			keys.push(...fields.filter((field) => field.kind === 'text' && quotes(message, values[field.key])).map((field) => field.key));
		}

		keys.push(...fields.filter((field) => hostOf(values[field.key]) === error.host.toLowerCase()).map((field) => field.key));
	}

	keys.push(...fields.map((field) => field.key));
	return [...new Set(keys)];
}

/** The last two words of a label, without its note: "application key" of "OVHcloud application key (optional)". */
function labelPhrase(field: Field): string {
	return field.label.replace(/\s*\(.*\)$/, '').toLowerCase().split(/\s+/).slice(-2).join(' ');
}

function hostOf(value: string | undefined): string | undefined {
	return value && URL.canParse(value) && /^https?:/i.test(value) ? new URL(value).host.toLowerCase() : undefined;
}

/** The value appears in the message as a word of its own (not inside a longer name or a URL). */
function quotes(message: string, value: string | undefined): boolean {
	if (!value || value.length < 2) {
		return false;
	}

	const escaped = value.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return new RegExp(`(^|[\\s"'“(])${escaped}($|[\\s"'”).,:;])`).test(message);
}
