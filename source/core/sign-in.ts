/**
 * The vocabulary of the sign-in proof (`verify --sign-in`): the links of the chain, what each one
 * ended in, and the failure an integration throws to say which link broke. Knows no integration.
 */

export const signInLinkIds = ['app-start', 'idp-authorize', 'idp-login', 'app-callback', 'code-exchange', 'app-user', 'admin-rights'] as const;
export type SignInLinkId = (typeof signInLinkIds)[number];

export const signInLinkTitles: Readonly<Record<SignInLinkId, string>> = {
	'app-start': 'app sign-in start',
	'idp-authorize': 'IdP authorize',
	'idp-login': 'IdP login',
	'app-callback': 'back at the app',
	'code-exchange': 'code exchanged by the app',
	'app-user': 'user in the app',
	'admin-rights': 'admin rights',
};

/** `skipped`: the link does not apply (no admin group configured); `not-reached`: an earlier link broke. */
export type SignInLinkStatus = 'passed' | 'failed' | 'not-reached' | 'skipped';

export type SignInLink = {id: SignInLinkId; title: string; status: SignInLinkStatus; seen: string; fix?: string};

/**
 * Thrown by an integration's sign-in step to say which link broke, what was seen and the fix
 * ("Keycloak refused the redirect URI …: add it to client harbor's Valid redirect URIs").
 * `seen` and `fix` are plain sentences: never a password, token, code or cookie.
 */
export class SignInFailure extends Error {
	constructor(
		readonly link: SignInLinkId,
		readonly seen: string,
		readonly fix: string,
	) {
		super(seen);
		this.name = 'SignInFailure';
	}
}

/** The throw-away user the IdP creates: random name and password, never shown or stored (the password). */
export type TestUser = {
	/** `sso-setup-test-<random>`: says what it is. */
	username: string;
	password: string;
	email: string;
	/** Groups to put the user in: the admin group when one is configured. */
	groups: readonly string[];
};

/**
 * What the clean-up needs to find the user again. Saved in the session (artifact `sign-in-cleanup`)
 * before the user is created, so it never holds a secret.
 */
export type TestUserRecord = {
	username: string;
	/** The IdP's id for the user, once it is known. */
	id?: string;
	/** Where the user lives, for "left behind" sentences: "Keycloak realm demo at https://…". */
	where: string;
};

/** The claims the IdP will send for the test user, to know the name the app should give it. */
export type TestUserClaims = Readonly<Record<string, string>>;
