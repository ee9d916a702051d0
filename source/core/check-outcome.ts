/**
 * What a verification check decides, and the small helpers every check uses: the generic checks
 * (source/verify/) and the integrations' own checks speak this vocabulary.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export type CheckOutcome = {
	status: CheckStatus;
	/** What was observed, in one or two sentences. Never a secret. */
	seen: string;
	/** What to do about a warning or a failure. */
	fix?: string;
	/** For a skipped check: the values it lacked (field keys). */
	missing?: readonly string[];
};

export function skipped(seen: string, missing?: readonly string[]): CheckOutcome {
	return {status: 'skipped', seen, ...(missing ? {missing} : {})};
}

/** The listed values, or the 'skipped' outcome that names the first missing ones. */
export function requireValues<K extends string>(values: Readonly<Record<string, string>>, keys: readonly K[]): {values: Record<K, string>} | {outcome: CheckOutcome} {
	const missing = keys.filter((key) => !values[key]);
	if (missing.length > 0) {
		return {outcome: skipped(`Not checked: no ${missing.join(', ')} value (give it with --set ${missing[0]}=…).`, missing)};
	}

	return {values: Object.fromEntries(keys.map((key) => [key, values[key] as string])) as Record<K, string>};
}

export function missingSecret(key: string): CheckOutcome {
	return skipped(`Not checked: no ${key} (from the saved session, the environment as SSO_SETUP_${key.toUpperCase()}, or the prompt).`, [key]);
}

/** A body parsed as JSON, or undefined when it is not JSON (then the status alone decides). */
export function jsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
