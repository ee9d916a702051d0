import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, newHome} from '../faults/helpers/cli.js';
import {binary} from '../helpers/pty.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';

// Issue 13 (files 0600, directories 0700): whatever the umask, what sso-setup creates is private, and its own checks accept it.
const harborPassword = 'Hostile-Umask-Pass-61';
const env = {NO_COLOR: '1', SSO_SETUP_CLIENT_SECRET: 'Hostile-Umask-Secret-62', SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};
const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

/** The built binary in a child process whose umask is set first (process.umask, before the CLI loads). */
function underUmask(umask: number, home: string, args: readonly string[]) {
	return execa('node', ['--import', `data:text/javascript,process.umask(0o${umask.toString(8)})`, binary, ...args], {env: {...env, SSO_SETUP_HOME: home}, reject: false, stdin: 'ignore'});
}

describe('state files under a loose or odd umask', () => {
	const closers: Array<() => Promise<void>> = [];
	beforeAll(ensureBuilt);
	afterEach(async () => {
		for (const close of closers.splice(0)) await close();
	});

	for (const umask of [0o000, 0o002, 0o277]) {
		it(`umask ${umask.toString(8).padStart(3, '0')}: directories 0700, the session and lock files 0600, and sessions lists them`, async () => {
			const harbor: FakeHarbor = await startFakeHarbor({adminPassword: harborPassword});
			closers.push(() => harbor.close());
			// Two levels to create: the state directory's parent is missing too.
			const home = path.join(newHome('sso-setup-umask-'), 'missing', 'state');
			let held: Record<string, string> = {};
			harbor.beforeNext('GET', '/api/v2.0/configurations', () => {
				const locks = path.join(home, 'locks');
				held = {parent: mode(path.dirname(home)), state: mode(home), sessions: mode(path.join(home, 'sessions')), locks: mode(locks), lock: mode(path.join(locks, readdirSync(locks)[0]!))};
			});
			const applied = await underUmask(umask, home, ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`]);
			expect(applied.exitCode, String(applied.all ?? applied.stderr)).toBe(0);
			expect(held).toEqual({parent: '700', state: '700', sessions: '700', locks: '700', lock: '600'});
			const [session] = readdirSync(path.join(home, 'sessions'));
			expect(mode(path.join(home, 'sessions', session!))).toBe('600');

			const listed = await underUmask(umask, home, ['sessions']);
			expect(listed.exitCode, String(listed.stderr)).toBe(0);
			expect(String(listed.stdout)).toContain(session!.replace(/\.json$/, ''));
			expect(String(listed.stderr)).toBe('');
		});
	}
});
