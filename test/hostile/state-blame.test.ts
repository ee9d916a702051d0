import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

// Issue 13, class 9: a state directory that cannot be used is named, never blamed on sso-setup.
beforeAll(ensureBuilt);

describe('SSO_SETUP_HOME pointing at a file (issue 13, class 9)', () => {
	it('sessions and apply name the path and say what to do, exit 2, no "bug in sso-setup"', async () => {
		const file = path.join(newHome('sso-setup-hostile-'), 'not-a-directory');
		writeFileSync(file, 'x');
		const env = {SSO_SETUP_HOME: file, SSO_SETUP_CLIENT_SECRET: 'Hostile-Blame-Secret-1', SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'Hostile-Blame-Pass-2'};
		for (const args of [['sessions'], ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', 'app_url=https://127.0.0.1:1', '--yes']]) {
			// cli() sets SSO_SETUP_HOME to its first argument.
			const result = await cli(file, args, env);
			expect(result.code, result.all).toBe(2);
			expect(result.stderr).toContain(file);
			expect(result.stderr).not.toMatch(/Unexpected error|bug in sso-setup|\n\s+at /);
		}
	});
});
