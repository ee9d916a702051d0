/** The same items in any order; each list is expected to hold no duplicates. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((item) => b.includes(item));
}
