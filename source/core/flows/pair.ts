import {UsageError} from '../errors.js';
import {renderComplete, renderTemplate} from '../template.js';
import type {Catalogue} from './load.js';
import {splitScopes} from '../scopes.js';
import type {AppFlow, Condition, Derived, Field, IdpFlow, PairFlow, TextBlock, Warning} from './schema.js';

/** An IdP × app combination: the two flows plus the optional pair-specific file. */
export type Pair = {idp: IdpFlow; app: AppFlow; pair?: PairFlow};

export type Values = Record<string, string>;

export function getPair(catalogue: Catalogue, idpId: string, appId: string): Pair {
	const idp = catalogue.idps.get(idpId);
	if (!idp) {
		throw new UsageError(`Unknown identity provider "${idpId}".`, {hint: `Use one of: ${[...catalogue.idps.keys()].join(', ')}.`});
	}

	const app = catalogue.apps.get(appId);
	if (!app) {
		throw new UsageError(`Unknown app "${appId}".`, {hint: `Use one of: ${[...catalogue.apps.keys()].join(', ')}.`});
	}

	return {idp, app, pair: catalogue.pairs.get(`${idpId}+${appId}`)};
}

export function builtinValues(pair: Pair): Values {
	return {
		idp: pair.idp.id,
		app: pair.app.id,
		idp_name: pair.idp.name,
		app_name: pair.app.name,
		scope_separator: pair.app.scopes.separator,
	};
}

/**
 * The fields to ask, in order: the app's `early` fields first (where it is: the IdP side needs the
 * redirect URI); then the IdP; then the rest of the app. Conditions are evaluated on `values`; a
 * field whose `required_when` holds is no longer optional.
 */
export function pairFields(pair: Pair, values: Values = {}, presentSecrets: ReadonlySet<string> = new Set()): Field[] {
	const appLocation = pair.app.fields.filter((field) => field.early);
	const appRest = pair.app.fields.filter((field) => !field.early);
	const seen = new Set<string>();
	const all = builtinValues(pair);
	const known = {...all, ...values};
	return [...appLocation, ...pair.idp.fields, ...appRest]
		.filter((field) => {
			if (seen.has(field.key)) {
				return false;
			}

			seen.add(field.key);
			return matchesCondition(field.when, known, presentSecrets);
		})
		.map((field) => (field.optional && field.required_when && matchesCondition(field.required_when, known, presentSecrets) ? {...field, optional: false} : field));
}

/** A field's default for this pair, rendered with the values known so far. */
export function fieldDefault(pair: Pair, field: Field, values: Values): string | undefined {
	const pairDefault = pair.pair?.defaults[field.key] ?? pair.idp.defaults[field.key];
	if (pairDefault !== undefined) {
		return renderComplete(pairDefault, {...builtinValues(pair), ...values});
	}

	if (field.kind === 'scopes') {
		return [...new Set([...pair.app.scopes.default, ...pair.idp.extra_scopes])].join(pair.app.scopes.separator);
	}

	return field.default === undefined ? undefined : renderComplete(field.default, {...builtinValues(pair), ...values});
}

/**
 * Every value an integration or the checklist may use: built-ins, answers (non-empty ones),
 * defaults of unanswered fields, then the derived values whose inputs are all known.
 */
export function computeValues(pair: Pair, answers: Values, options: {withDefaults?: boolean} = {}): Values {
	const values: Values = {...builtinValues(pair)};
	for (const [key, value] of Object.entries(answers)) {
		if (value !== '') {
			values[key] = value;
		}
	}

	if (options.withDefaults ?? true) {
		for (const field of pairFields(pair, values)) {
			if (values[field.key] === undefined && field.kind !== 'secret') {
				const fallback = fieldDefault(pair, field, values);
				if (fallback !== undefined && fallback !== '') {
					values[field.key] = fallback;
				}
			}
		}
	}

	const derived = derivedTemplates(pair);
	// Derived values may build on each other: render until nothing changes.
	for (let round = 0; round < 4; round++) {
		let changed = false;
		for (const [key, entry] of Object.entries(derived)) {
			if (answers[key] !== undefined && answers[key] !== '') {
				continue;
			}

			const template = derivedTemplate(entry, values);
			const rendered = template === undefined ? undefined : renderComplete(template, values);
			if (rendered !== undefined && values[key] !== rendered) {
				values[key] = rendered;
				changed = true;
			}
		}

		if (!changed) {
			break;
		}
	}

	return values;
}

/** Like computeValues, but every derived value exists, with <placeholders> for unknown inputs. */
export function checklistValues(pair: Pair, answers: Values): Values {
	const values = computeValues(pair, answers);
	for (const [key, entry] of Object.entries(derivedTemplates(pair))) {
		const template = derivedTemplate(entry, values);
		if (template !== undefined) {
			values[key] ??= renderTemplate(template, values);
		}
	}

	return values;
}

function derivedTemplates(pair: Pair): Record<string, Derived> {
	return {...pair.idp.derived, ...pair.app.derived, ...pair.pair?.derived};
}

/** The template of a derived value for these values: the first alternative whose condition holds. */
export function derivedTemplate(entry: Derived, values: Values): string | undefined {
	return typeof entry === 'string' ? entry : entry.find((alternative) => matchesCondition(alternative.when, values))?.value;
}

/**
 * Answers that need another one which is missing (the flow's `requires`), each with the reason:
 * e.g. an admin group without a groups claim, which the app would silently ignore.
 */
export function unmetRequirements(pair: Pair, values: Values): string[] {
	// Every field, hidden ones too: a script may --set a field the wizard would not ask.
	return [...pair.app.fields, ...pair.idp.fields].flatMap((field) => {
		const missing = (field.requires ?? []).filter((key) => !values[key]);
		if (!values[field.key] || missing.length === 0) {
			return [];
		}

		return [field.requires_message ?? `${field.key} needs ${missing.join(' and ')}.`];
	});
}

export function matchesCondition(condition: Condition | undefined, values: Values, presentSecrets: ReadonlySet<string> = new Set()): boolean {
	if (!condition) {
		return true;
	}

	const has = (key: string) => (values[key] !== undefined && values[key] !== '') || presentSecrets.has(key);
	const oneOf = (wanted: string | string[] | undefined, actual: string | undefined) => wanted === undefined || (Array.isArray(wanted) ? wanted : [wanted]).includes(actual ?? '');
	return (
		oneOf(condition.app, values['app']) &&
		oneOf(condition.idp, values['idp']) &&
		Object.entries(condition.equals ?? {}).every(([key, value]) => (values[key] ?? '') === value) &&
		Object.entries(condition.not_equals ?? {}).every(([key, value]) => (values[key] ?? '') !== value) &&
		Object.entries(condition.contains ?? {}).every(([key, item]) => splitScopes(values[key] ?? '').includes(item)) &&
		Object.entries(condition.not_contains ?? {}).every(([key, item]) => !splitScopes(values[key] ?? '').includes(item)) &&
		(condition.set ?? []).every((key) => has(key)) &&
		(condition.unset ?? []).every((key) => !has(key))
	);
}

export function applicableBlocks<T extends TextBlock>(blocks: readonly T[], values: Values, presentSecrets?: ReadonlySet<string>): T[] {
	return blocks.filter((block) => matchesCondition(block.when, values, presentSecrets));
}

/** Warnings of the app, the IdP and the pair that apply to these values. */
export function pairWarnings(pair: Pair, values: Values, presentSecrets?: ReadonlySet<string>): Warning[] {
	return applicableBlocks([...pair.app.warnings, ...pair.idp.warnings, ...(pair.pair?.warnings ?? [])], values, presentSecrets);
}
