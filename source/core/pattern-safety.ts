/**
 * Whether a field pattern from a flow file can backtrack catastrophically: a repeated group that
 * itself holds a repeated element or an alternation, like ^(a+)+$ or ^(a|aa)*$. JavaScript's
 * regular expressions have no time limit, so such a pattern is refused when the flow loads.
 * Returns the offending group, or undefined.
 */
export function nestedRepetition(pattern: string): string | undefined {
	type Group = {start: number; risky: boolean};
	const stack: Group[] = [];
	let lastAtom: {start: number; risky: boolean} | undefined;
	let index = 0;
	while (index < pattern.length) {
		const character = pattern[index]!;
		if (character === '\\') {
			lastAtom = {start: index, risky: false};
			index += 2;
			continue;
		}

		if (character === '[') {
			const start = index;
			index++;
			while (index < pattern.length && pattern[index] !== ']') {
				index += pattern[index] === '\\' ? 2 : 1;
			}

			lastAtom = {start, risky: false};
			index++;
			continue;
		}

		if (character === '(') {
			stack.push({start: index, risky: false});
			lastAtom = undefined;
			index++;
			continue;
		}

		if (character === ')') {
			const group = stack.pop();
			lastAtom = group ? {start: group.start, risky: group.risky} : undefined;
			if (group && stack.length > 0 && group.risky) {
				stack.at(-1)!.risky = true;
			}

			index++;
			continue;
		}

		if (character === '|') {
			if (stack.length > 0) stack.at(-1)!.risky = true;
			lastAtom = undefined;
			index++;
			continue;
		}

		const repeat = repetitionAt(pattern, index);
		if (repeat) {
			if (repeat.repeats && lastAtom?.risky) {
				return pattern.slice(lastAtom.start, index + repeat.length);
			}

			if (repeat.repeats && stack.length > 0) {
				stack.at(-1)!.risky = true;
			}

			lastAtom = undefined;
			index += repeat.length;
			continue;
		}

		lastAtom = {start: index, risky: false};
		index++;
	}

	return undefined;
}

/** A quantifier at index: its length (a lazy "?" included) and whether it repeats (more than once). */
function repetitionAt(pattern: string, index: number): {length: number; repeats: boolean} | undefined {
	const character = pattern[index];
	let length = 0;
	let repeats = false;
	if (character === '*' || character === '+') {
		length = 1;
		repeats = true;
	} else if (character === '?') {
		length = 1;
	} else if (character === '{') {
		const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
		if (!match) return undefined;
		length = match[0].length;
		repeats = match[2] !== undefined && (match[3] === '' || Number(match[3]) > 1);
		repeats ||= match[2] === undefined && Number(match[1]) > 1;
	} else {
		return undefined;
	}

	return {length: pattern[index + length] === '?' ? length + 1 : length, repeats};
}
