import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {loadFlows, parseSetOptions} from '../../source/commands/inputs.js';
import {UsageError} from '../../source/core/errors.js';
import {checkField, isSecretKey} from '../../source/core/fields.js';
import {getPair, type Pair} from '../../source/core/flows/pair.js';
import {secretKey, secretValue, setItem} from './arbitraries.js';

const shippedFlows = await loadFlows([]);

/** `--set key=value` for every shipped IdP × app pair: a value or a UsageError, and never a secret. */

const catalogue = shippedFlows;
const pairs = new Map<string, Pair>([...catalogue.idps.keys()].flatMap((idp) => [...catalogue.apps.keys()].map((app) => [`${idp}+${app}`, getPair(catalogue, idp, app)] as const)));
/** Pairs by name, so that a counterexample stays readable. */
const pairName = fc.constantFrom(...pairs.keys());
const pairNamed = (name: string) => pairs.get(name)!;
const extraKeys = ['issuer', 'client_id', 'ca_file', 'discovery_url', 'authorize_url', 'token_url', 'userinfo_url', 'end_session_url', 'redirect_uri'];
const extraUrlKeys = new Set(extraKeys.filter((key) => key !== 'client_id' && key !== 'ca_file'));

function flowFields(chosen: Pair) {
	return new Map([...chosen.idp.fields, ...chosen.app.fields].map((field) => [field.key, field]));
}

/** Runs parseSetOptions and lets only a UsageError through as a refusal. */
function parse(items: readonly string[], chosen: Pair): {answers?: Record<string, string>; error?: UsageError; warnings: string[]} {
	const warnings: string[] = [];
	try {
		return {answers: parseSetOptions(items, chosen, (message) => warnings.push(message)), warnings};
	} catch (error) {
		if (!(error instanceof UsageError)) {
			throw error;
		}

		return {error, warnings};
	}
}

describe('--set key=value', () => {
	it('never throws anything but a UsageError, and accepts only known, non-secret keys with valid values', () => {
		fc.assert(
			fc.property(
				pairName.chain((name) => fc.tuple(fc.constant(name), fc.array(setItem([...flowFields(pairNamed(name)).keys(), ...extraKeys]), {maxLength: 4}))),
				([name, items]) => {
					const chosen = pairNamed(name);
					const {answers, error} = parse(
						items.map((item) => item.item),
						chosen,
					);
					if (error) {
						expect(error.exitCode).toBe(2);
						expect(error.message).toMatch(/^(--set |Unknown key |.+ is a secret )/s);
						return;
					}

					const fields = flowFields(chosen);
					for (const [key, value] of Object.entries(answers!)) {
						expect(isSecretKey(key)).toBe(false);
						const field = fields.get(key);
						if (field) {
							expect(field.kind).not.toBe('secret');
							// The same verdict and value as the wizard gives for the same text.
							const last = items.filter((item) => item.key.trim() === key).at(-1)!;
							expect(checkField(field, last.value, chosen.app.scopes.separator)).toMatchObject({ok: true, value});
							if (field.kind === 'url' && value !== '') {
								const url = new URL(value);
								expect([url.username, url.password, url.search, url.hash]).toEqual(['', '', '', '']);
							}
						} else {
							expect(extraKeys).toContain(key);
							// eslint-disable-next-line no-control-regex
							expect(value).not.toMatch(/[\u0000-\u001F\u007F]/);
							if (extraUrlKeys.has(key)) {
								expect(URL.canParse(value), `${key}=${value}`).toBe(true);
								const url = new URL(value);
								expect(['https:', 'http:']).toContain(url.protocol);
								expect([url.username, url.password, url.hash]).toEqual(['', '', '']);
								expect(value).not.toMatch(/\s/);
								if (key === 'issuer') {
									expect(url.search).toBe('');
								}
							}
						}
					}
				},
			),
			{numRuns: 1000},
		);
	});

	it('refuses every secret key, whatever the spacing or separator, without echoing the value', () => {
		const pairSecret = pairName.chain((name) =>
			fc.tuple(
				fc.constant(name),
				fc.oneof(
					fc.constantFrom(...[...pairNamed(name).idp.fields, ...pairNamed(name).app.fields].filter((field) => field.kind === 'secret').map((field) => field.key)),
					secretKey,
				),
			),
		);
		fc.assert(
			fc.property(
				pairSecret,
				fc.constantFrom('', ' ', '  ', '\t', '\n'),
				fc.constantFrom('', ' ', '\t'),
				fc.constantFrom('=', ' = ', ':', ': ', ' ', '=='),
				secretValue,
				([name, key], before, after, separator, value) => {
					const {answers, error} = parse([`${before}${key}${after}${separator}${value}`], pairNamed(name));
					expect(answers).toBeUndefined();
					expect(error).toBeInstanceOf(UsageError);
					const marker = /Sv[A-Za-z0-9]{4}Q/.exec(value)![0];
					expect(error!.message).not.toContain(marker);
					expect(error!.hint ?? '').not.toContain(marker);
					if (separator.includes('=')) {
						expect(error!.message).toContain('is a secret and is not accepted on the command line');
						expect(error!.hint).toContain(`SSO_SETUP_${key.toUpperCase()}`);
					}
				},
			),
			{numRuns: 1000},
		);
	});

	it('keeps the last of repeated keys, and a valid value is never lost', () => {
		fc.assert(
			fc.property(pairName, fc.array(fc.constantFrom('https://a.example.com', 'https://b.example.com/', 'https://c.example.com/x'), {minLength: 1, maxLength: 4}), (name, urls) => {
				const {answers} = parse(
					urls.map((url) => `app_url=${url}`),
					pairNamed(name),
				);
				expect(answers?.['app_url']).toBe(urls.at(-1)!.replace(/\/$/, ''));
			}),
			{numRuns: 300},
		);
	});
});
