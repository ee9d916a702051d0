import {randomBytes, randomInt} from 'node:crypto';
import type {TestUser} from '../core/sign-in.js';
import {rememberSecret} from '../secrets/redact.js';

/** Every test user's name starts with this: it says what the account is to anyone who finds it. */
export const testUserPrefix = 'sso-setup-test-';

const lower = 'abcdefghijkmnopqrstuvwxyz';
const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const digits = '23456789';
// Symbols that need no quoting in a form, a JSON string or a URL query once encoded.
const symbols = '!#%+-.=@_~';

/**
 * A throw-away test user: `sso-setup-test-<random>`, a random password that meets the usual
 * password policies (length, upper and lower case, digits, symbols), and an address in the
 * reserved `.invalid` domain so that no mail can reach anyone. The password is remembered for
 * redaction at once: no message can show it.
 */
export function newTestUser(groups: readonly string[] = []): TestUser {
	const username = `${testUserPrefix}${randomBytes(4).toString('hex')}`;
	const password = strongPassword();
	rememberSecret(password);
	return {username, password, email: `${username}@example.invalid`, groups: [...new Set(groups.filter((group) => group !== ''))]};
}

/** `length` random characters with at least one of each class, in random order. */
export function strongPassword(length = 28): string {
	const all = lower + upper + digits + symbols;
	const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)]!;
	const characters = [pick(lower), pick(upper), pick(digits), pick(symbols)];
	while (characters.length < length) {
		characters.push(pick(all));
	}

	for (let index = characters.length - 1; index > 0; index--) {
		const other = randomInt(index + 1);
		[characters[index], characters[other]] = [characters[other]!, characters[index]!];
	}

	return characters.join('');
}
