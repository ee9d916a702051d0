import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {startFakeHarbor} from '../servers/harbor.js';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

// Issue 13, class 14: a dry run, or a run that failed before anything was done, leaves no session behind.
const harborPassword = 'Hostile-DryRun-Pass-44';
const clientSecret = 'Hostile-DryRun-Secret-9';
const sessionFiles = (home: string) => (existsSync(path.join(home, 'sessions')) ? readdirSync(path.join(home, 'sessions')) : []);

describe('sessions left behind by apply (issue 13, class 14)', () => {
	const closers: Array<() => Promise<void>> = [];
	beforeAll(ensureBuilt);
	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
	});

	it('--dry-run shows the plan, writes nothing to the app and leaves no session file', async () => {
		const harbor = await startFakeHarbor({adminPassword: harborPassword});
		closers.push(() => harbor.close());
		const home = newHome('sso-setup-hostile-');
		const result = await cli(home, ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--yes', '--dry-run'], {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(result.code, result.all).toBe(0);
		expect(harbor.requests.filter((request) => request.method !== 'GET')).toEqual([]);
		expect(sessionFiles(home)).toEqual([]);
	});

	it('runs that fail at their first remote call (the IdP unreachable) do not pile up sessions, and offer none to continue', async () => {
		const home = newHome('sso-setup-hostile-');
		// A person correcting the address between runs: each run is a new session.
		for (const port of [9, 10, 11]) {
			const result = await cli(home, ['apply', '--idp', 'authentik', '--app', 'harbor', '--set', 'app_url=https://harbor.example.com', '--set', `idp_url=https://127.0.0.1:${port}`, '--set', 'slug=harbor', '--yes'], {SSO_SETUP_AUTHENTIK_TOKEN: 'Hostile-Token-45', SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
			expect(result.code, result.all).toBe(1);
			expect(result.stderr).toContain(`(127.0.0.1:${port})`);
			expect(result.stderr).toContain('Nothing was done yet, so no session was kept.');
			expect(result.stderr).not.toContain('--session');
		}

		expect(sessionFiles(home)).toEqual([]);
	});

	it('a run that failed after recording something keeps its session, and says how to continue', async () => {
		const harbor = await startFakeHarbor({adminPassword: harborPassword});
		closers.push(() => harbor.close());
		harbor.failNext('PUT', '/api/v2.0/configurations', 500);
		const home = newHome('sso-setup-hostile-');
		const result = await cli(home, ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--yes'], {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword});
		expect(result.code, result.all).toBe(1);
		const id = /--session (\S+) to continue/.exec(result.stderr)?.[1];
		expect(sessionFiles(home)).toEqual([`${id}.json`]);
	});
});
