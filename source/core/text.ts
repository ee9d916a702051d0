/**
 * Text quoted from a file or a server, with control characters (C0, C1, line and paragraph
 * separators) escaped as \uXXXX: it stays on its line and cannot move the cursor or colour the terminal.
 */
export function printable(text: string): string {
	return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** printable() for text of several lines (a flow's help or steps): line breaks and tabs are kept. */
export function printableText(text: string): string {
	return text.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/g, (character) => printable(character));
}

/** Every string inside `value` (objects and arrays, as parsed from YAML or JSON) through printableText(). */
export function printableStrings<T>(value: T): T {
	if (typeof value === 'string') {
		return printableText(value) as T;
	}

	if (Array.isArray(value)) {
		return value.map((item: unknown) => printableStrings(item)) as T;
	}

	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [printableText(key), printableStrings(item)])) as T;
	}

	return value;
}

/** C0 and C1 control characters (and DEL): never part of a value a person typed on purpose. */
export function hasControlCharacters(text: string): boolean {
	return /[\u0000-\u001F\u007F-\u009F]/.test(text);
}

/** A URL with its user-info masked, for messages about a URL that should not carry one. */
export function maskUserInfo(text: string): string {
	return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}
