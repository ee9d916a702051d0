import {SignInFailure, type SignInLinkId, type TestUser, type TestUserRecord} from '../../source/core/sign-in.js';
import type {AppIntegration, AppSignInResult, IdpIntegration} from '../../source/integrations/types.js';

/**
 * In-test integration sides for the sign-in engine: they keep their users in memory, play the
 * browser without HTTP, and can break any link on demand, as the real integrations do by throwing
 * SignInFailure.
 */

export const appOrigin = 'https://harbor.test';
export const idpOrigin = 'https://idp.test';
export const redirectUri = `${appOrigin}/c/oidc/callback`;
export const adminPassword = 'Stub-Admin-Password-41';
export const authorizationCode = 'stub-authorization-code-Zq81';

export type Breaks = {
	/** The link whose step throws SignInFailure. */
	link?: SignInLinkId;
	/** What the IdP's callback carries instead of a code. */
	callbackError?: string;
	/** The callback goes to another address than the redirect URI. */
	callbackElsewhere?: boolean;
	/** The name the app gives the user (default: the claim's value). */
	appUsername?: string;
	/** The app makes the user an admin (default: when it is in the admin group). */
	admin?: boolean;
	onboardingPrompt?: boolean;
	/** A step that never answers. */
	hang?: 'create' | 'start' | 'login' | 'finish';
	/** Deletions that throw, per side, for this many calls. */
	deleteIdpFails?: number;
	deleteAppFails?: number;
	/** Called when the IdP's login starts (a test interrupts the run there). */
	onLogIn?: () => void;
	/** Values put in `seen` sentences by the stubs (secrets must never come out). */
	leak?: string[];
};

const never = async <T>(): Promise<T> => new Promise<T>(() => undefined);

export type StubIdp = IdpIntegration & {users: Map<string, TestUser & {id: string}>; created: TestUser[]; deleted: TestUserRecord[]; pendingSeenAtCreate: unknown[]};

export function stubIdp(breaks: Breaks = {}, options: {withAdminApi?: boolean} = {}): StubIdp {
	const users = new Map<string, TestUser & {id: string}>();
	const created: TestUser[] = [];
	const deleted: TestUserRecord[] = [];
	const pendingSeenAtCreate: unknown[] = [];
	let deleteFailures = breaks.deleteIdpFails ?? 0;
	const leak = (breaks.leak ?? []).join(' ');
	const idp: StubIdp = {
		id: 'stub-idp',
		adminCredentialKeys: ['stub_admin_password'],
		users,
		created,
		deleted,
		pendingSeenAtCreate,
		async plan() {
			throw new Error('not used');
		},
		async register() {
			throw new Error('not used');
		},
		signIn: {
			...(options.withAdminApi === false
				? {}
				: {
						async createTestUser(context, user) {
							pendingSeenAtCreate.push(context.artifacts.get('sign-in-cleanup'));
							if (breaks.hang === 'create') {
								return never();
							}

							if ((await context.secret('stub_admin_password')) !== adminPassword) {
								throw new Error('stub IdP: wrong admin password');
							}

							const id = `id-${users.size + 1}`;
							users.set(user.username, {...user, id});
							created.push(user);
							return {record: {username: user.username, id, where: `Stub IdP realm demo at ${idpOrigin}`}, claims: {preferred_username: user.username, email: user.email, sub: id}};
						},
						async deleteTestUser(_context, record) {
							deleted.push(record);
							if (deleteFailures > 0) {
								deleteFailures--;
								throw new Error(`stub IdP: cannot delete ${record.username} right now`);
							}

							return users.delete(record.username) ? 'deleted' : 'absent';
						},
					}),
			async logIn(context, _browser, authorizeUrl, credentials) {
				breaks.onLogIn?.();
				if (breaks.hang === 'login') {
					return never();
				}

				if (breaks.link === 'idp-authorize') {
					throw new SignInFailure('idp-authorize', `Stub IdP refused the redirect URI ${redirectUri}.`, `add it to client harbor's Valid redirect URIs ${leak}`);
				}

				const known = users.get(credentials.username);
				if (breaks.link === 'idp-login' || (known && known.password !== credentials.password)) {
					throw new SignInFailure('idp-login', `Stub IdP refused the user ${credentials.username}.`, 'Put the user in the allowed group.');
				}

				const state = new URL(authorizeUrl).searchParams.get('state') ?? '';
				const callback = context.values['redirect_uri'] ?? redirectUri;
				const base = breaks.callbackElsewhere ? `${new URL(callback).origin}/elsewhere` : callback;
				const query = breaks.callbackError ? `error=${breaks.callbackError}&error_description=nope&state=${state}` : `code=${authorizationCode}&state=${state}`;
				return {callbackUrl: `${base}?${query}`, authorizeSeen: 'Stub IdP showed its sign-in page.', loginSeen: `Stub IdP signed ${credentials.username} in (${credentials.password} ${leak}).`};
			},
		},
	};
	return idp;
}

export type StubApp = AppIntegration & {users: Map<string, {admin: boolean}>; deletedUsers: string[]; finishCalls: Array<{callbackUrl: string; expected: string}>};

export function stubApp(breaks: Breaks = {}, claims: {adminGroup?: string; idp?: StubIdp} = {}): StubApp {
	const users = new Map<string, {admin: boolean}>();
	const deletedUsers: string[] = [];
	const finishCalls: StubApp['finishCalls'] = [];
	let deleteFailures = breaks.deleteAppFails ?? 0;
	const leak = (breaks.leak ?? []).join(' ');
	return {
		id: 'stub-app',
		users,
		deletedUsers,
		finishCalls,
		async preflight() {
			throw new Error('not used');
		},
		async plan() {
			throw new Error('not used');
		},
		async apply() {
			return [];
		},
		async confirm() {
			return [];
		},
		async rollback() {
			return [];
		},
		signIn: {
			defaultUsernameClaim: 'preferred_username',
			async start(context) {
				const callback = context.values['redirect_uri'] ?? redirectUri;
				if (breaks.hang === 'start') {
					return never();
				}

				if (breaks.link === 'app-start') {
					throw new SignInFailure('app-start', 'Starting a sign-in gave HTTP 500.', 'Look at the Harbor core log.');
				}

				return {authorizeUrl: `${idpOrigin}/authorize?client_id=harbor&redirect_uri=${encodeURIComponent(callback)}&state=s1`, seen: `Harbor sent the browser to ${idpOrigin}/authorize.`};
			},
			async finish(_context, _browser, callbackUrl, expected): Promise<AppSignInResult> {
				finishCalls.push({callbackUrl, expected: expected.username});
				if (breaks.hang === 'finish') {
					return never();
				}

				for (const link of ['app-callback', 'code-exchange', 'app-user'] as const) {
					if (breaks.link === link) {
						throw new SignInFailure(link, `Stub app broke at ${link} (${authorizationCode} ${leak}).`, `Fix ${link}.`);
					}
				}

				const username = breaks.appUsername ?? expected.username;
				const inGroup = claims.adminGroup !== undefined && [...(claims.idp?.users.values() ?? [])].some((user) => user.groups.includes(claims.adminGroup!));
				const admin = breaks.admin ?? inGroup;
				users.set(username, {admin});
				return {
					username,
					admin: breaks.onboardingPrompt ? undefined : admin,
					...(breaks.onboardingPrompt ? {onboardingPrompt: true} : {}),
					callbackSeen: 'Harbor took the code at its callback.',
					exchangeSeen: 'Harbor exchanged the code for tokens.',
				};
			},
			async deleteUser(_context, username) {
				deletedUsers.push(username);
				if (deleteFailures > 0) {
					deleteFailures--;
					throw new Error(`stub app: cannot delete ${username} right now`);
				}

				return users.delete(username) ? 'deleted' : 'absent';
			},
		},
	};
}

export const stubValues = (extra: Record<string, string> = {}): Record<string, string> => ({
	idp: 'stub-idp',
	app: 'stub-app',
	idp_name: 'Stub IdP',
	app_name: 'Harbor',
	idp_url: idpOrigin,
	app_url: appOrigin,
	client_id: 'harbor',
	redirect_uri: redirectUri,
	scopes: 'openid profile email',
	...extra,
});
