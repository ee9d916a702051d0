/** `{{key}}` substitution, nothing more: flow files stay data, not code. */

const placeholder = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

export function referencedKeys(template: string): string[] {
	return [...template.matchAll(placeholder)].map((match) => match[1]!);
}

/** Renders a template; a key with no value becomes what `missing(key)` returns. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>, missing: (key: string) => string = placeholderFor): string {
	return template.replace(placeholder, (_match, key: string) => {
		const value = valueOf(values, key);
		return value === undefined || value === '' ? missing(key) : value;
	});
}

/** Renders only when every referenced key has a value; otherwise undefined. */
export function renderComplete(template: string, values: Readonly<Record<string, string>>): string | undefined {
	const complete = referencedKeys(template).every((key) => valueOf(values, key) !== undefined && valueOf(values, key) !== '');
	return complete ? renderTemplate(template, values) : undefined;
}

/** Own values only: "{{constructor}}" must not find Object.prototype.constructor. */
function valueOf(values: Readonly<Record<string, string>>, key: string): string | undefined {
	return Object.hasOwn(values, key) ? values[key] : undefined;
}

/** How an unknown value shows in the checklist: clearly a placeholder, never a plausible value. */
export function placeholderFor(key: string): string {
	return `<${key}>`;
}
