import {afterEach, expect, it} from 'vitest';
import {harbor as harborApp} from '../../source/integrations/app/harbor/index.js';
import {oidcGeneric} from '../../source/integrations/idp/oidc/index.js';
import {memoryContext} from '../helpers/context.js';
import {describeWithRealServers} from '../real-servers/availability.js';
import {startDex} from '../real-servers/dex.js';
import {startFakeHarbor} from '../servers/harbor.js';
import {expectNoSecrets, linkOf, runChain} from './sign-in-helpers.js';

/**
 * The sign-in proof with the generic `oidc` IdP against the real Dex: no admin API, so the person's
 * test account (Dex's static password user) signs in through Dex's HTML form; the fake Harbor
 * exchanges the code at the real Dex. Each broken setup breaks its own link.
 */

const harborAdminPassword = 'Harbor-Admin-Pass-77d';
const clientSecret = 'Dex-Sign-In-Secret-51c';
const account = {username: 'admin@example.com', password: 'password'};

let closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	const mine = closers;
	closers = [];
	for (const close of mine.reverse()) await close();
}, 60_000);

async function setUp(dir: string, options: {harbor?: Record<string, unknown>; redirectUris?: (harborUrl: string) => string[]} = {}) {
	const harbor = await startFakeHarbor({goOidcPing: false, adminPassword: harborAdminPassword});
	closers.push(async () => harbor.close());
	const redirectUri = `${harbor.url}/c/oidc/callback`;
	const dex = await startDex(dir, {clients: [{id: 'harbor', secret: clientSecret, redirectURIs: options.redirectUris?.(harbor.url) ?? [redirectUri]}]});
	closers.push(async () => dex.stop());
	Object.assign(harbor.config, {
		auth_mode: 'oidc_auth',
		oidc_endpoint: dex.issuer,
		oidc_client_id: 'harbor',
		oidc_client_secret: clientSecret,
		oidc_scope: 'openid,profile,email,offline_access',
		// Dex sends no preferred_username for its static users.
		oidc_user_claim: 'email',
		oidc_auto_onboard: true,
		...options.harbor,
	});
	const context = memoryContext(
		{app: 'harbor', issuer: dex.issuer, client_id: 'harbor', app_url: harbor.url, redirect_uri: redirectUri, username_claim: 'email', test_user: account.username},
		{harbor_admin_password: harborAdminPassword, test_user_password: account.password},
		{timeoutMs: 20_000},
	);
	return {harbor, dex, context, redirectUri, origins: [harbor.url, dex.url]};
}

const onboarded = (harbor: Awaited<ReturnType<typeof startFakeHarbor>>) => harbor.users.filter((user) => user.oidc && !user.deleted).map((user) => user.username);

await describeWithRealServers('the sign-in proof: real Dex (generic oidc) → fake Harbor', ['dex'], ({dex: found}) => {
	it("signs the person's test account in through Dex's form; Harbor onboards it under the email and its copy is deleted", {timeout: 60_000}, async () => {
		const {harbor, context, origins} = await setUp(found!.dir);
		expect(oidcGeneric.signIn?.createTestUser).toBeUndefined();
		const outcome = await runChain(context, {idp: oidcGeneric, app: harborApp}, {origins, credentials: account});
		expect(linkOf(outcome), outcome.failure?.seen).toBe('passed');
		expect(outcome.result).toMatchObject({username: account.username, admin: false});
		expect(outcome.sentences[1]).toContain('showed its password form for client harbor');
		expect(outcome.cleanUp).toEqual({app: 'deleted'});
		expect(onboarded(harbor)).toEqual([]);
		expectNoSecrets(outcome);
	});

	it('a wrong password breaks the IdP login with what Dex said', {timeout: 60_000}, async () => {
		const {harbor, context, origins} = await setUp(found!.dir);
		const outcome = await runChain(context, {idp: oidcGeneric, app: harborApp}, {origins, credentials: {...account, password: 'not-the-password'}});
		expect(linkOf(outcome)).toBe('idp-login');
		expect(outcome.failure?.seen).toBe('The identity provider refused "admin@example.com": "Invalid Email Address and password." (HTTP 401).');
		expect(outcome.sentences.join('\n')).not.toContain('not-the-password');
		expect(harbor.signIns).toEqual([]);
		expectNoSecrets(outcome);
	});

	it('a redirect URI Dex does not have breaks the IdP authorize', {timeout: 60_000}, async () => {
		const {harbor, context, origins, redirectUri} = await setUp(found!.dir, {redirectUris: () => ['https://elsewhere.example/c/oidc/callback']});
		const outcome = await runChain(context, {idp: oidcGeneric, app: harborApp}, {origins, credentials: account});
		expect(linkOf(outcome)).toBe('idp-authorize');
		expect(outcome.failure?.seen).toContain('Unregistered redirect_uri');
		expect(outcome.failure?.fix).toContain(`refused the redirect URI ${redirectUri}: register it, exactly as written, for client harbor`);
		expect(harbor.signIns).toEqual([]);
	});

	it('a wrong client secret in Harbor breaks the code exchange', {timeout: 60_000}, async () => {
		const {harbor, context, origins} = await setUp(found!.dir, {harbor: {oidc_client_secret: 'not-the-secret'}});
		const outcome = await runChain(context, {idp: oidcGeneric, app: harborApp}, {origins, credentials: account});
		expect(linkOf(outcome)).toBe('code-exchange');
		expect(outcome.failure?.seen).toContain('invalid_client');
		expect(outcome.cleanUp).toEqual({app: 'absent'});
		expect(onboarded(harbor)).toEqual([]);
	});

	it("Harbor's default name claim gives Dex's user the name admin, which Harbor already has: the user in the app fails; admin is never deleted", {timeout: 60_000}, async () => {
		const {harbor, context, origins} = await setUp(found!.dir, {harbor: {oidc_user_claim: ''}});
		const outcome = await runChain(context, {idp: oidcGeneric, app: harborApp}, {origins, credentials: account});
		expect(linkOf(outcome)).toBe('app-user');
		expect(outcome.failure?.seen).toContain('a user with the same name or email exists');
		expect(harbor.signIns.at(-1)).toMatchObject({status: 409, outcome: 'refused'});
		await expect(harborApp.signIn!.deleteUser(context, 'admin')).rejects.toThrow(/did not sign in through the identity provider \(it is the admin\)/);
		expect(harbor.users.find((user) => user.user_id === 1)?.deleted).toBe(false);
	});
});
