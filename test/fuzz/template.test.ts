import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {placeholderFor, referencedKeys, renderComplete, renderTemplate} from '../../source/core/template.js';
import {anyText, fieldKey} from './arbitraries.js';

/** `{{key}}` substitution: whatever the template and the values, a string, and unknown keys show as <key>. */

const runs = {numRuns: 1000};
/** Text that cannot form a placeholder on its own. */
const literal = anyText(12).map((text) => text.replaceAll('{', '(').replaceAll('}', ')'));
const spaces = fc.constantFrom('', ' ', '  ', '\t');
type Part = {text: string} | {key: string; before: string; after: string};
const part: fc.Arbitrary<Part> = fc.oneof(
	literal.map((text) => ({text})),
	fc.record({key: fieldKey, before: spaces, after: spaces}),
);
const values = fc.dictionary(fieldKey, fc.oneof(anyText(10), fc.constant(''), fc.constantFrom('{{app_url}}', '$&', '$1', "$'", '<x>')), {maxKeys: 6});

describe('templates', () => {
	it('never throw on any text and any values', () => {
		fc.assert(
			fc.property(fc.oneof(anyText(60), fc.array(fc.oneof(anyText(5), fc.constantFrom('{{', '}}', '{', '}', 'app_url', ' ', 'constructor')), {maxLength: 12}).map((items) => items.join(''))), values, (template, given) => {
				expect(typeof renderTemplate(template, given)).toBe('string');
				const complete = renderComplete(template, given);
				expect(complete === undefined || typeof complete === 'string').toBe(true);
				expect(Array.isArray(referencedKeys(template))).toBe(true);
			}),
			runs,
		);
	});

	it('put each value in its place, once, and show a missing or empty one as <key>', () => {
		fc.assert(
			fc.property(fc.array(part, {maxLength: 8}), values, (parts, given) => {
				const template = parts.map((item) => ('text' in item ? item.text : `{{${item.before}${item.key}${item.after}}}`)).join('');
				const has = (key: string) => Object.hasOwn(given, key) && given[key] !== '';
				const expected = parts.map((item) => ('text' in item ? item.text : has(item.key) ? given[item.key]! : placeholderFor(item.key))).join('');
				expect(renderTemplate(template, given)).toBe(expected);
				expect(referencedKeys(template)).toEqual(parts.flatMap((item) => ('key' in item ? [item.key] : [])));
				// Complete only when every key has a value; then the same text.
				const complete = parts.every((item) => 'text' in item || has(item.key));
				expect(renderComplete(template, given)).toBe(complete ? expected : undefined);
			}),
			runs,
		);
	});

	it('render missing keys with the given function, and nothing else through it', () => {
		fc.assert(
			fc.property(fc.array(part, {maxLength: 6}), (parts) => {
				const template = parts.map((item) => ('text' in item ? item.text : `{{${item.key}}}`)).join('');
				const asked: string[] = [];
				renderTemplate(template, {}, (key) => {
					asked.push(key);
					return '';
				});
				expect(asked).toEqual(parts.flatMap((item) => ('key' in item ? [item.key] : [])));
			}),
			runs,
		);
	});
});
