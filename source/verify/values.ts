import type {Values} from '../integrations/types.js';
import type {CheckOutcome} from './types.js';

export function skipped(seen: string, missing?: readonly string[]): CheckOutcome {
	return {status: 'skipped', seen, ...(missing ? {missing} : {})};
}

/** The listed values, or the 'skipped' outcome that names the first missing ones. */
export function requireValues<K extends string>(values: Values, keys: readonly K[]): {values: Record<K, string>} | {outcome: CheckOutcome} {
	const missing = keys.filter((key) => !values[key]);
	if (missing.length > 0) {
		return {outcome: skipped(`Not checked: no ${missing.join(', ')} value (give it with --set ${missing[0]}=…).`, missing)};
	}

	return {values: Object.fromEntries(keys.map((key) => [key, values[key] as string])) as Record<K, string>};
}

export function missingSecret(key: string): CheckOutcome {
	return skipped(`Not checked: no ${key} (from the saved session, the environment as SSO_SETUP_${key.toUpperCase()}, or the prompt).`, [key]);
}

const appNames: Record<string, string> = {harbor: 'Harbor', portainer: 'Portainer', 'ovh-mpr': 'the OVHcloud registry'};
const idpNames: Record<string, string> = {authentik: 'authentik', 'pocket-id': 'Pocket ID', keycloak: 'Keycloak', oidc: 'the identity provider'};

export function appName(values: Values): string {
	return appNames[values['app'] ?? ''] ?? 'the app';
}

export function idpName(values: Values): string {
	return idpNames[values['idp'] ?? ''] ?? 'the identity provider';
}

/** Harbor and the OVH registry (a managed Harbor) behave the same on the OIDC side. */
export function isHarborLike(values: Values): boolean {
	return values['app'] === 'harbor' || values['app'] === 'ovh-mpr';
}

/** The same scopes, in any order. */
export function sameScopes(actual: readonly string[], wanted: readonly string[]): boolean {
	return actual.length === wanted.length && wanted.every((scope) => actual.includes(scope));
}

/** A body parsed as JSON, or undefined when it is not JSON (then the status alone decides). */
export function jsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
