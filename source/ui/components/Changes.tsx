import type {PlanChange} from '../../integrations/types.js';
import {type Line, wrapSegments} from '../layout/wrap.js';

/** A plan as a readable diff: one line per setting (wrapped), current value → new value. */
export function changeLines(changes: readonly PlanChange[], width: number): Line[] {
	if (changes.length === 0) {
		return [[{text: 'No changes.', dim: true}]];
	}

	return changes.flatMap((change) =>
		wrapSegments(
			[
				{text: `${change.label}: `},
				...(change.from === undefined ? [] : [{text: `${change.secret ? '••••••' : JSON.stringify(change.from)} → `, color: 'red'}]),
				{text: change.secret ? '(will be set)' : JSON.stringify(change.to), color: 'green'},
			],
			width,
			'  ',
		),
	);
}
