/** Last line of defence: replaces any known secret value in text meant for a screen or a file. */
export function redact(text: string, secrets: readonly string[]): string {
	let result = text;
	// Longest first, so a secret that contains another is masked whole.
	for (const secret of [...secrets].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length)) {
		result = result.split(secret).join('••••••');
	}

	return result;
}

/** How a secret shows on screen: its length hinted, never its content. */
export function maskSecret(value: string | undefined): string {
	return value ? '•'.repeat(Math.min(Math.max(value.length, 6), 12)) : '';
}
