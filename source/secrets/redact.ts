/** Last line of defence: replaces any known secret value in text meant for a screen or a file. */
export function redact(text: string, secrets: readonly string[]): string {
	let result = text;
	// Longest first, so a secret that contains another is masked whole.
	for (const secret of [...secrets].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length)) {
		result = result.split(secret).join('••••••');
	}

	return result;
}

/** Every secret value this process has read or written, so any message can be scrubbed of them. */
const handled = new Set<string>();

export function rememberSecret(value: string | undefined): void {
	if (value && value.length >= 4) {
		handled.add(value);
	}
}

/** Masks every secret this process has handled: the last step before an error reaches the screen. */
export function redactHandled(text: string): string {
	return handled.size === 0 ? text : redact(text, [...handled]);
}
