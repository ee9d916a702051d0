import type {PlanChange} from '../types.js';

/** How a setting's value reads in a plan row; empty means "no current value". */
export function displayValue(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') {
		return undefined;
	}

	return typeof value === 'string' ? value : JSON.stringify(value);
}

export function changeRow(key: string, label: string, from: unknown, to: unknown): PlanChange {
	const shownFrom = displayValue(from);
	return {key, label, ...(shownFrom === undefined ? {} : {from: shownFrom}), to: displayValue(to) ?? ''};
}

/** A secret the app cannot show back: the plan says "will be set". */
export function secretRow(key: string, label: string): PlanChange {
	return {key, label, to: 'will be set', secret: true};
}
