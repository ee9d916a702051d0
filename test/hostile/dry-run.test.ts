import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {startFakeHarbor} from '../servers/harbor.js';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

// Issue 13, class 14: a dry run leaves no session behind.
const harborPassword = 'Hostile-DryRun-Pass-44';
const sessionFiles = (home: string) => (existsSync(path.join(home, 'sessions')) ? readdirSync(path.join(home, 'sessions')) : []);

describe('apply --dry-run (issue 13, class 14)', () => {
	const closers: Array<() => Promise<void>> = [];
	beforeAll(ensureBuilt);
	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
	});

	it('shows the plan, writes nothing to the app and leaves no session file', async () => {
		const harbor = await startFakeHarbor({adminPassword: harborPassword});
		closers.push(() => harbor.close());
		const home = newHome('sso-setup-hostile-');
		const result = await cli(home, ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--yes', '--dry-run'], {SSO_SETUP_CLIENT_SECRET: 'Hostile-DryRun-Secret-9', SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(result.code, result.all).toBe(0);
		expect(harbor.requests.filter((request) => request.method !== 'GET')).toEqual([]);
		expect(sessionFiles(home)).toEqual([]);
	});
});
