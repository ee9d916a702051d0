import {randomBytes} from 'node:crypto';
import {expect} from 'vitest';
import {Browser} from '../../source/core/browser.js';
import {SignInFailure, type SignInLinkId, type TestUser, type TestUserClaims, type TestUserRecord} from '../../source/core/sign-in.js';
import type {AppIntegration, AppSignInResult, IdpIntegration, IntegrationContext} from '../../source/integrations/types.js';

/**
 * Drives the integrations' sign-in methods in the engine's order (source/sign-in/ runs them for
 * real): the test user, the app's start, the IdP's login, the app's finish, then the clean-up on
 * both sides, after a failure too. Returns what each step said, or the link that broke.
 */

export type ChainOutcome = {
	/** The sentences every step said (seen and fix), to check that no secret is among them. */
	sentences: string[];
	record?: TestUserRecord;
	claims?: TestUserClaims;
	result?: AppSignInResult;
	failure?: SignInFailure;
	/** What the clean-up said on each side. */
	cleanUp: {app?: 'deleted' | 'absent'; idp?: 'deleted' | 'absent'};
	/** Cookie values the browser holds at the end (never to be seen in a sentence). */
	cookieValues: string[];
	password: string;
	/** The code the IdP sent back (never to be seen in a sentence). */
	code?: string;
};

export function testUser(groups: string[] = []): TestUser {
	const username = `sso-setup-test-${randomBytes(4).toString('hex')}`;
	return {username, password: `Pw-${randomBytes(12).toString('base64url')}-9a`, email: `${username}@example.org`, groups};
}

export async function runChain(
	context: IntegrationContext,
	integrations: {idp: IdpIntegration; app: AppIntegration},
	options: {
		/** The app's and the IdP's URLs, whose cookies must never show in a sentence. */
		origins: string[];
		user?: TestUser; credentials?: {username: string; password: string}; usernameClaim?: string; beforeLogin?: (record: TestUserRecord) => Promise<void>;
	},
): Promise<ChainOutcome> {
	const idp = integrations.idp.signIn!;
	const app = integrations.app.signIn!;
	const browser = new Browser(context.http);
	const user = options.user ?? testUser();
	const outcome: ChainOutcome = {sentences: [], cleanUp: {}, cookieValues: [], password: options.credentials?.password ?? user.password};
	let expected: string | undefined;
	try {
		let credentials = options.credentials;
		if (!credentials) {
			const created = await idp.createTestUser!(context, user);
			outcome.record = created.record;
			outcome.claims = created.claims;
			credentials = {username: user.username, password: user.password};
			expected = created.claims[options.usernameClaim ?? app.defaultUsernameClaim];
			await options.beforeLogin?.(created.record);
		}

		const start = await app.start(context, browser);
		outcome.sentences.push(start.seen);
		const login = await idp.logIn(context, browser, start.authorizeUrl, credentials);
		outcome.sentences.push(login.authorizeSeen, login.loginSeen);
		outcome.code = new URL(login.callbackUrl).searchParams.get('code') ?? undefined;
		const result = await app.finish(context, browser, login.callbackUrl, {username: expected ?? credentials.username});
		outcome.sentences.push(result.callbackSeen, result.exchangeSeen);
		outcome.result = result;
	} catch (error) {
		if (!(error instanceof SignInFailure)) throw error;
		outcome.failure = error;
		outcome.sentences.push(error.seen, error.fix);
	} finally {
		const appName = outcome.result?.username ?? expected ?? options.credentials?.username;
		if (appName) outcome.cleanUp.app = await app.deleteUser(context, appName);
		if (outcome.record) outcome.cleanUp.idp = await idp.deleteTestUser!(context, outcome.record);
		for (const url of options.origins) {
			for (const name of browser.cookieNames(url)) {
				const value = browser.cookie(name, url);
				if (value) outcome.cookieValues.push(value);
			}
		}
	}

	return outcome;
}

/** The link that broke, or "passed". */
export function linkOf(outcome: ChainOutcome): SignInLinkId | 'passed' {
	return outcome.failure?.link ?? 'passed';
}

/** No password, code or cookie value in anything the steps said (a password that is a plain word, like Dex's example "password", is not looked for). */
export function expectNoSecrets(outcome: ChainOutcome): void {
	const text = outcome.sentences.join('\n');
	if (!/^[a-z]+$/.test(outcome.password)) expect(text).not.toContain(outcome.password);
	if (outcome.code) expect(text).not.toContain(outcome.code);
	for (const value of outcome.cookieValues.filter((cookie) => cookie.length >= 8)) expect(text).not.toContain(value);
}
