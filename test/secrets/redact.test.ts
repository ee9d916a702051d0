import {describe, expect, it} from 'vitest';
import {redactHandled, rememberSecret} from '../../source/secrets/redact.js';
import {memoryStore} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';

describe('redactHandled', () => {
	it('masks every secret the process read or wrote, wherever it appears', async () => {
		const secrets = new SessionSecrets(memoryStore(), 'redact-test', {SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'from-Env-Pass-1'});
		await secrets.set('client_secret', 'written-Secret-2');
		await secrets.get('harbor_admin_password');
		rememberSecret('abc');
		const text = 'refused: {"password":"from-Env-Pass-1","secret":"written-Secret-2","short":"abc"}';
		expect(redactHandled(text)).toBe('refused: {"password":"••••••","secret":"••••••","short":"abc"}');
	});
});
