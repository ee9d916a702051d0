/**
 * Splits a scope list on commas and white space, or only on `separator` when given (to read it as
 * the app does); drops empty entries and duplicates.
 */
export function splitScopes(text: string, separator?: string): string[] {
	const parts = separator ? text.split(separator) : text.split(/[\s,]+/);
	return [...new Set(parts.map((part) => part.trim()).filter((part) => part !== ''))];
}
