import type {z} from 'zod';
import type {IntegrationContext} from '../types.js';

/**
 * The session note that makes registration resumable: each IdP records the ids of what it created
 * right after creating it, so a resumed run updates those objects instead of creating twice.
 * Never holds a secret.
 */
export const registrationArtifact = 'idp-registration';

/** The stored note when it parses with this IdP's schema; undefined when absent or from another IdP. */
export function readRegistration<T>(context: IntegrationContext, schema: z.ZodType<T>): T | undefined {
	const parsed = schema.safeParse(context.artifacts.get(registrationArtifact));
	return parsed.success ? parsed.data : undefined;
}

export async function writeRegistration<T>(context: IntegrationContext, value: T): Promise<void> {
	await context.artifacts.set(registrationArtifact, value);
}
