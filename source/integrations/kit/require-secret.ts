import {UsageError} from '../../core/errors.js';
import type {IntegrationContext} from '../types.js';

/**
 * A secret `owner` cannot do without, or a usage error that names it and how to give it. With
 * `adminHint` (where to get the admin credential) it is an IdP's admin credential: trimmed, since
 * pasted tokens pick up white space, and missing means no automatic registration. Other secrets are
 * used exactly as given.
 */
export async function requireSecret(context: IntegrationContext, key: string, owner: string, adminHint?: string): Promise<string> {
	const raw = await context.secret(key);
	const value = adminHint === undefined ? raw : raw?.trim();
	if (value) {
		return value;
	}

	const variable = `SSO_SETUP_${key.toUpperCase()}`;
	if (adminHint === undefined) {
		throw new UsageError(`${owner}: the secret "${key}" is missing.`, {hint: `Enter it in the wizard, or set the environment variable ${variable}.`});
	}

	throw new UsageError(`${owner}: the ${key} credential is missing, so the client cannot be registered automatically.`, {
		hint: `${adminHint} Then enter it in the wizard or set ${variable} in the environment.`,
	});
}
