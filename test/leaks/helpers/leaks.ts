import {randomBytes} from 'node:crypto';
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';

/**
 * Finding secrets where they must not be: every output and file a run produced, searched for each
 * secret as written, URL-encoded (as in a query or a form) and base64-encoded (as in a Basic
 * header or a JWT), at any alignment inside a longer base64 string.
 */

export type Secret = {name: string; value: string};
export type Haystack = {where: string; text: string};

/** A value no program would print by chance, and that names itself when found. */
export function leakSecret(name: string): string {
	return `LEAK-${name}-${randomBytes(6).toString('hex')}`;
}

/** The forms a secret takes once encoded, each with a label for the report. */
export function encodedForms(secret: string): Array<{form: string; text: string}> {
	const forms = [
		{form: 'as is', text: secret},
		{form: 'URL-encoded', text: encodeURIComponent(secret)},
		{form: 'form-encoded', text: new URLSearchParams({s: secret}).toString().slice(2)},
	];
	// Inside a longer base64 string the secret starts at byte offset 0, 1 or 2 of a 3-byte group:
	// the groups it shares with its neighbours differ, the ones in between do not.
	for (let offset = 0; offset < 3; offset++) {
		const bytes = Buffer.concat([Buffer.alloc(offset, 0x3a), Buffer.from(secret, 'utf8')]);
		for (const encoding of ['base64', 'base64url'] as const) {
			const encoded = bytes.toString(encoding).replace(/=+$/, '');
			const stable = encoded.slice(offset === 0 ? 0 : 4, -4);
			if (stable.length >= 12) {
				forms.push({form: `${encoding} (offset ${offset})`, text: stable});
			}
		}
	}

	// The first label of each distinct text (a plain secret is its own URL-encoded form).
	return forms.filter((entry, index) => forms.findIndex((other) => other.text === entry.text) === index);
}

/** Every place a secret shows up, as "name (form) in where"; empty when none does. */
export function findLeaks(haystacks: readonly Haystack[], secrets: readonly Secret[]): string[] {
	const found: string[] = [];
	for (const secret of secrets) {
		if (secret.value.length < 8) {
			throw new Error(`The secret ${secret.name} is too short to search for reliably.`);
		}

		for (const {form, text} of encodedForms(secret.value)) {
			for (const haystack of haystacks) {
				if (haystack.text.includes(text)) {
					found.push(`${secret.name} (${form}) in ${haystack.where}`);
				}
			}
		}
	}

	return found;
}

/** Every file under a directory, read as text (binary files too: a secret in them is a leak all the same). */
export function filesUnder(directory: string, label = directory): Haystack[] {
	if (!existsSync(directory)) {
		return [];
	}

	const haystacks: Haystack[] = [];
	for (const entry of readdirSync(directory)) {
		const file = path.join(directory, entry);
		const where = `${label}/${entry}`;
		if (statSync(file).isDirectory()) {
			haystacks.push(...filesUnder(file, where));
		} else {
			haystacks.push({where, text: readFileSync(file).toString('latin1')}, {where: `${where} (utf-8)`, text: readFileSync(file, 'utf8')});
		}
	}

	return haystacks;
}

/** Counts the files under a directory (so a test can see that there was something to search). */
export function countFiles(directory: string): number {
	return filesUnder(directory).length / 2;
}
