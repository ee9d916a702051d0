import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {checkField, type FieldCheck, formatUrl, normaliseScopes, normaliseUrl} from '../../source/core/fields.js';
import {loadCatalogue} from '../../source/core/flows/load.js';
import {type Field, fieldSchema} from '../../source/core/flows/schema.js';
import {shippedFlowsDirectory} from '../../source/core/paths.js';
import {knownAutomation} from '../../source/integrations/registry.js';
import {anyText, canonicalUrl, padding, scopesText, secretValue, urlLike} from './arbitraries.js';

/** Properties of the answer validators: whatever is typed, a clear verdict and never an exception. */

const runs = {numRuns: 1000};
const catalogue = loadCatalogue([shippedFlowsDirectory()], knownAutomation);
const shippedFields = [...catalogue.idps.values(), ...catalogue.apps.values()].flatMap((flow) => flow.fields);

function field(definition: Record<string, unknown>): Field {
	return fieldSchema.parse({key: 'value', label: 'The value', ...definition});
}

const trailingSlash = fc.constantFrom('strip', 'keep', 'require') as fc.Arbitrary<Field['trailing_slash']>;
const urlField = fc
	.record({trailing_slash: trailingSlash, allow_path: fc.boolean(), optional: fc.boolean()})
	.map((options) => field({kind: 'url', ...options}));
/** The shipped URL fields and generated ones with every combination of the rules. */
const anyUrlField = fc.oneof(fc.constantFrom(...shippedFields.filter((item) => item.kind === 'url')), urlField);

// eslint-disable-next-line no-control-regex
const controlOrSpace = /[\u0000-\u0020\u007F-\u009F\u00A0\u2028\u2029\uFEFF]/;

/** Everything an accepted URL answer promises. */
function expectSoundUrl(urlField: Field, value: string): URL {
	expect(URL.canParse(value), value).toBe(true);
	const url = new URL(value);
	expect(['https:', 'http:']).toContain(url.protocol);
	expect(url.hostname).not.toBe('');
	expect(url.username).toBe('');
	expect(url.password).toBe('');
	expect(url.search).toBe('');
	expect(url.hash).toBe('');
	expect(value).not.toMatch(/[?#]/);
	expect(value).not.toMatch(controlOrSpace);
	if (urlField.trailing_slash === 'strip') {
		expect(value.endsWith('/'), value).toBe(false);
	} else if (urlField.trailing_slash === 'require') {
		expect(value.endsWith('/'), value).toBe(true);
	}

	if (!urlField.allow_path) {
		expect(url.pathname).toBe('/');
	}

	return url;
}

/** A refusal names the problem in a sentence; never an empty or technical message. */
function expectClearError(check: FieldCheck, checked: Field): string {
	if (check.ok) {
		throw new Error('expected a refusal');
	}

	expect(check.error.length).toBeGreaterThan(10);
	expect(check.error).toMatch(/[.)]$/);
	if (checked.kind !== 'scopes' && !(checked.pattern_message && check.error === checked.pattern_message)) {
		expect(check.error.startsWith(checked.label)).toBe(true);
	}

	return check.error;
}

describe('URL fields', () => {
	it('never throw, and an accepted answer is an absolute http(s) URL without credentials, query or fragment that obeys the slash rule', () => {
		fc.assert(
			fc.property(anyUrlField, urlLike, (urlField, raw) => {
				const check = checkField(urlField, raw);
				if (!check.ok) {
					expectClearError(check, urlField);
					return;
				}

				if (check.value === '') {
					expect(urlField.optional).toBe(true);
					expect(raw.trim()).toBe('');
					return;
				}

				expectSoundUrl(urlField, check.value);
			}),
			runs,
		);
	});

	it('are idempotent: an accepted answer given again comes back unchanged', () => {
		fc.assert(
			fc.property(anyUrlField, urlLike, (urlField, raw) => {
				const first = checkField(urlField, raw);
				if (!first.ok) {
					return;
				}

				// The value comes back unchanged; what a pasted path filled in (a realm, a slug) and the
				// notice about it belong to the first answer only.
				const again = checkField(urlField, first.value);
				expect(again.ok && again.value).toBe(first.value);
			}),
			runs,
		);
	});

	it('keep the trailing slash as typed in keep mode (unless the path ends in a dot segment)', () => {
		const keepField = field({kind: 'url', trailing_slash: 'keep'});
		fc.assert(
			fc.property(urlLike, (raw) => {
				const check = checkField(keepField, raw);
				const typed = raw.trim();
				if (!check.ok || check.value === '' || /(?:[.\\]|%2e)$/i.test(typed)) {
					return;
				}

				expect(check.value.endsWith('/'), `${JSON.stringify(raw)} → ${check.value}`).toBe(typed.endsWith('/'));
			}),
			runs,
		);
	});

	it('leave a URL already written canonically as it is in keep mode, and only fix its slash otherwise', () => {
		fc.assert(
			fc.property(canonicalUrl, fc.constantFrom('', ' ', '\t', '\n', ' \u00A0'), trailingSlash, ({url}, space, mode) => {
				const check = checkField(field({kind: 'url', trailing_slash: mode}), `${space}${url}${space}`);
				expect(check.ok, `${url}: ${check.ok ? '' : check.error}`).toBe(true);
				if (!check.ok) {
					return;
				}

				const bare = url.replace(/\/+$/, '');
				const expected = mode === 'keep' ? url : mode === 'strip' ? bare : `${bare}/`;
				expect(check.value).toBe(expected);
			}),
			runs,
		);
	});

	it('refuse control characters anywhere, even where URL would silently drop them', () => {
		fc.assert(
			fc.property(anyUrlField, canonicalUrl, fc.nat(), fc.constantFrom('\u0000', '\u0007', '\u001B', '\u001F', '\u007F'), (urlField, {url}, at, control) => {
				const position = at % (url.length + 1);
				const check = checkField(urlField, `${url.slice(0, position)}${control}${url.slice(position)}`);
				expect(check).toEqual({ok: false, error: `${urlField.label} contains control characters.`});
			}),
			runs,
		);
	});

	it('refuse paths where the field allows none, naming the path', () => {
		const bareField = field({kind: 'url', allow_path: false});
		fc.assert(
			fc.property(canonicalUrl, ({url, hasPath}) => {
				const check = checkField(bareField, url);
				expect(check.ok).toBe(!hasPath);
				if (!check.ok) {
					expect(check.error).toContain('without a path');
				}
			}),
			runs,
		);
	});

	it('refuse user names and passwords without echoing the password', () => {
		fc.assert(
			fc.property(anyUrlField, canonicalUrl, fc.stringMatching(/^[a-z]{1,8}$/), secretValue.map((value) => value.replace(/[\uD800-\uDFFF]/g, "x")), (urlField, {url}, user, password) => {
				const withCredentials = url.replace('://', `://${user}:${encodeURIComponent(password)}@`);
				const check = checkField(urlField, withCredentials);
				expect(check.ok).toBe(false);
				if (!check.ok) {
					expect(check.error).not.toContain(encodeURIComponent(password));
				}
			}),
			runs,
		);
	});

	it('normaliseUrl and formatUrl never throw, give absolute http(s) URLs and are stable', () => {
		fc.assert(
			fc.property(urlLike, trailingSlash, (raw, mode) => {
				const url = normaliseUrl(raw, mode);
				if (!url) {
					return;
				}

				expect(['https:', 'http:']).toContain(url.protocol);
				const text = formatUrl(url, mode);
				expect(URL.canParse(text)).toBe(true);
				const again = normaliseUrl(text, mode);
				expect(again).toBeDefined();
				expect(formatUrl(again!, mode)).toBe(text);
			}),
			runs,
		);
	});
});

describe('other field kinds', () => {
	const textField = fc
		.record({optional: fc.boolean(), pattern: fc.option(fc.constantFrom('^[-a-zA-Z0-9_]+$', '^[^/\\s?#]+$', '^(ovh-eu|ovh-ca|ovh-us|https?://\\S+)$', '^\\p{L}+$', 'a|b', '.*'), {nil: undefined})})
		.map((options) => field({kind: 'text', ...options, ...(options.pattern ? {pattern_message: 'Use the documented form.'} : {})}));
	const anyTextField = fc.oneof(fc.constantFrom(...shippedFields.filter((item) => item.kind === 'text')), textField);

	it('text: never throws; an accepted answer is trimmed, free of control characters and matches the pattern', () => {
		fc.assert(
			fc.property(anyTextField, fc.tuple(padding, anyText(40), padding).map((parts) => parts.join('')), (textField, raw) => {
				const check = checkField(textField, raw);
				if (!check.ok) {
					expectClearError(check, textField);
					return;
				}

				expect(check.value).toBe(raw.trim());
				// eslint-disable-next-line no-control-regex
				expect(check.value).not.toMatch(/[\u0000-\u001F\u007F]/);
				if (check.value !== '' && textField.pattern) {
					expect(new RegExp(textField.pattern, 'u').test(check.value)).toBe(true);
				}

				expect(checkField(textField, check.value)).toEqual(check);
			}),
			runs,
		);
	});

	it('secret: never throws, keeps the value exactly (spaces too) and never echoes it in an error', () => {
		const secretField = fc.oneof(
			fc.constantFrom(...shippedFields.filter((item) => item.kind === 'secret')),
			fc.boolean().map((optional) => field({kind: 'secret', optional})),
		);
		fc.assert(
			fc.property(secretField, fc.tuple(padding, secretValue, padding).map((parts) => parts.join('')), (secret, raw) => {
				const check = checkField(secret, raw);
				if (check.ok) {
					expect(check.value).toBe(raw);
					// eslint-disable-next-line no-control-regex
					expect(raw).not.toMatch(/[\u0000-\u001F\u007F]/);
				} else {
					expectClearError(check, secret);
					expect(check.error).not.toContain(/Sv[A-Za-z0-9]{4}Q/.exec(raw)![0]);
				}
			}),
			runs,
		);
	});

	it('boolean: never throws; accepts only yes/no words and answers "true" or "false"', () => {
		const booleanField = fc.boolean().map((optional) => field({kind: 'boolean', optional}));
		const words = fc.oneof(anyText(8), fc.constantFrom('y', 'Yes', 'TRUE', '1', 'on', 'N', 'no', 'False', '0', 'OFF', 'yes please', 'ja', '2', 'tru'));
		fc.assert(
			fc.property(booleanField, fc.tuple(padding, words, padding).map((parts) => parts.join('')), (booleanField, raw) => {
				const check = checkField(booleanField, raw);
				if (!check.ok) {
					expectClearError(check, booleanField);
					return;
				}

				const word = raw.trim().toLowerCase();
				if (word === '') {
					expect(check.value).toBe('');
					expect(booleanField.optional).toBe(true);
				} else {
					expect(check.value).toBe(['y', 'yes', 'true', '1', 'on'].includes(word) ? 'true' : 'false');
					expect(['y', 'yes', 'true', '1', 'on', 'n', 'no', 'false', '0', 'off']).toContain(word);
				}
			}),
			runs,
		);
	});

	it('choice: never throws; an accepted answer is one of the values', () => {
		const choices = fc.uniqueArray(fc.record({value: anyText(8), label: anyText(12)}), {minLength: 1, maxLength: 5, selector: (choice) => choice.value});
		fc.assert(
			fc.property(choices, fc.boolean(), anyText(12), fc.nat(), (items, optional, raw, index) => {
				const choiceField = field({kind: 'choice', choices: items, optional});
				const picked = items[index % items.length]!;
				for (const input of [raw, picked.value, picked.label.toUpperCase(), ` ${picked.label} `]) {
					const check = checkField(choiceField, input);
					if (!check.ok) {
						expectClearError(check, choiceField);
						continue;
					}

					if (input.trim() === '') {
						expect(check.value).toBe('');
					} else {
						expect(items.map((item) => item.value)).toContain(check.value);
					}
				}
			}),
			{numRuns: 300},
		);
	});

	for (const separator of [',', ' '] as const) {
		it(`scopes with "${separator}" as separator: never throw; an accepted list has openid, no duplicates and only that separator`, () => {
			const scopesField = field({kind: 'scopes'});
			fc.assert(
				fc.property(fc.oneof(scopesText, anyText(30)), (raw) => {
					const check = checkField(scopesField, raw, separator);
					if (!check.ok) {
						expect(check.error).toMatch(/^(The value is required\.|The scopes must include openid\.|".*" is not a valid scope name\.)$/s);
						return;
					}

					const scopes = check.value.split(separator);
					expect(scopes).toContain('openid');
					expect(new Set(scopes).size).toBe(scopes.length);
					expect(scopes).not.toContain('');
					for (const scope of scopes) {
						expect(scope).toMatch(/^[\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+$/);
					}

					// Nothing typed is lost: the same scopes, in the order typed.
					expect(scopes).toEqual(normaliseScopes(raw));
					// Saved text given back is accepted as it is, without a separator warning.
					expect(checkField(scopesField, check.value, separator)).toEqual({ok: true, value: check.value});
				}),
				runs,
			);
		});
	}
});
