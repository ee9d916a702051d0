import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {Session} from '../../source/core/session/store.js';
import {requireKeychain} from '../helpers/keychain.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {cli, ensureBuilt, expectOneSentenceFailure, expectOriginalBackup, forgetAll, newHome, tidySessions} from './helpers/cli.js';

/**
 * The one time limit met through the command line (the others are module tests with 300 ms): Harbor
 * accepts the configuration write and never answers. The CLI's limit is its default (15 s), so
 * this is the slowest test of the suite; it runs in a file of its own to run beside the others.
 */
const keychain = await requireKeychain();
const harborPassword = 'Timeout-Harbor-Pass-64';
const clientSecret = 'Timeout-Client-Secret-08';
const env = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword};

describe.runIf(keychain.available)('apply when Harbor never answers', () => {
	const home = newHome();
	let harbor: FakeHarbor | undefined;

	beforeAll(ensureBuilt);

	afterEach(async () => {
		await harbor?.close();
		await forgetAll(home);
	});

	it('gives up after its time limit naming the step and the host, and the session finishes later', async () => {
		harbor = await startFakeHarbor({adminPassword: harborPassword});
		const original = structuredClone(harbor.config);
		let hung = false;
		harbor.beforeNext('PUT', '/api/v2.0/configurations', async () => {
			hung = true;
			await new Promise(() => {});
		});
		const args = ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--yes'];
		const failed = await cli(home, args, env);
		expect(hung).toBe(true);
		expectOneSentenceFailure(failed, {step: 'harbor: save configuration', host: new URL(harbor.url).host});
		expect(failed.stderr).toMatch(/no answer within \d+ s/);
		expect(harbor.config).toEqual(original);

		const [session] = tidySessions(home) as [Session];
		expectOriginalBackup(session, original);
		const resumed = await cli(home, ['apply', '--session', session.id, '--yes'], env);
		expect(resumed.code, resumed.all).toBe(0);
		expect(harbor.config['auth_mode']).toBe('oidc_auth');
		expectOriginalBackup(tidySessions(home)[0]!, original);
	}, 60_000);
});
