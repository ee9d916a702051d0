import {describe, expect, it} from 'vitest';
import {UsageError} from '../../../source/core/errors.js';
import {requireSecret} from '../../../source/integrations/kit/require-secret.js';
import type {IntegrationContext} from '../../../source/integrations/types.js';

function withSecrets(secrets: Record<string, string>): IntegrationContext {
	return {secret: async (key: string) => secrets[key]} as unknown as IntegrationContext;
}

describe('requireSecret', () => {
	it('gives an app secret exactly as stored, and says how to give a missing one', async () => {
		expect(await requireSecret(withSecrets({client_secret: ' s3cret '}), 'client_secret', 'harbor')).toBe(' s3cret ');
		const error = await requireSecret(withSecrets({}), 'client_secret', 'harbor').catch((error: unknown) => error);
		expect(error).toBeInstanceOf(UsageError);
		expect((error as UsageError).message).toContain('harbor: the secret "client_secret" is missing.');
		expect((error as UsageError).hint).toContain('SSO_SETUP_CLIENT_SECRET');
	});

	it('trims an admin credential, and treats white space alone as missing', async () => {
		expect(await requireSecret(withSecrets({authentik_token: ' tok\n'}), 'authentik_token', 'authentik', 'Make a token.')).toBe('tok');
		const error = await requireSecret(withSecrets({authentik_token: '  '}), 'authentik_token', 'authentik', 'Make a token.').catch((error: unknown) => error);
		expect((error as UsageError).message).toContain('authentik: the authentik_token credential is missing');
		expect((error as UsageError).hint).toBe('Make a token. Then enter it in the wizard or set SSO_SETUP_AUTHENTIK_TOKEN in the environment.');
	});
});
