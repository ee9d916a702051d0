/**
 * Text quoted from a file or a server, with control characters (C0, C1, line and paragraph
 * separators) escaped as \uXXXX: it stays on its line and cannot move the cursor or colour the terminal.
 */
export function printable(text: string): string {
	return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** C0 and C1 control characters (and DEL): never part of a value a person typed on purpose. */
export function hasControlCharacters(text: string): boolean {
	return /[\u0000-\u001F\u007F-\u009F]/.test(text);
}

/** A URL with its user-info masked, for messages about a URL that should not carry one. */
export function maskUserInfo(text: string): string {
	return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}
