import type {CheckOutcome} from '../core/check-outcome.js';
import type {HttpClient} from '../core/http.js';
import type {ProviderMetadata} from '../core/provider-metadata.js';
import type {Browser} from '../core/browser.js';
import type {TestUser, TestUserClaims, TestUserRecord} from '../core/sign-in.js';

/**
 * What every integration (one module per IdP and per app) gets to work with. Plain TypeScript:
 * no Ink, no prompts. The wizard and the `apply`/`verify`/`rollback` commands build this context.
 *
 * `values` holds every non-secret value of the session, already validated and normalised by the
 * flow files, plus the values the flows derive. Keys (see flows/ and the README):
 * - answered: app_url, idp_url, client_id, slug, realm, scopes, username_claim, groups_claim,
 *   admin_group, primary_auth_mode, auto_onboard, auto_create_users, harbor_admin_user,
 *   portainer_admin_user, keycloak_admin_user, ovh_endpoint, ovh_application_key,
 *   ovh_service_name, ovh_registry_id, ca_file, …
 * - derived by the IdP flow: issuer (byte-exact, authentik keeps its trailing slash),
 *   discovery_url, authorize_url, token_url, userinfo_url, end_session_url
 * - derived by the app flow: redirect_uri, post_logout_redirect_uri, launch_url,
 *   fallback_login_url, pkce ("true"/"false"), scopes (joined with the app's separator),
 *   scope_separator ("," or " ")
 * Booleans are the strings "true" / "false". A value that was not given is absent.
 *
 * Secrets (client_secret, *_password, *_token, *_api_key, ovh_application_secret,
 * ovh_consumer_key) are never in `values`: read them with `secret(key)`.
 */
export type Values = Readonly<Record<string, string>>;

export type IntegrationContext = {
	values: Values;
	/** Reads a secret from the keychain (saved session), the environment (SSO_SETUP_<KEY>) or this run's memory. */
	secret(key: string): Promise<string | undefined>;
	/** Stores a secret produced by the run (e.g. the client secret minted by the IdP) in the keychain. */
	setSecret(key: string, value: string): Promise<void>;
	/** Records a non-secret value produced by the run (e.g. the client_id the IdP assigned). */
	setValue(key: string, value: string): Promise<void>;
	/**
	 * Per-session notes that survive an interruption, saved to the session file at once: created
	 * object ids (so a resumed run updates instead of creating twice), the app settings backup, …
	 * Never put a secret here. Validate what you read back with a schema.
	 */
	artifacts: {
		get(name: string): unknown;
		set(name: string, value: unknown): Promise<void>;
	};
	http: HttpClient;
	/** A short line for the spinner: "authentik: looking up the signing keys". */
	progress(message: string): void;
};

/** One row of a plan: what a setting is now and what it will be. */
export type PlanChange = {
	key: string;
	label: string;
	/** Absent when there is no current value (or it cannot be read, e.g. a secret). */
	from?: string;
	to: string;
	/** Shown as "will be set" instead of the value. */
	secret?: boolean;
};

/** A choice an integration needs from the user (e.g. which authentik signing key). */
export type Question = {
	/** The values key the answer is stored under. */
	key: string;
	label: string;
	options: Array<{value: string; label: string}>;
	default: string;
	help?: string;
};

// ---------------------------------------------------------------- identity providers

export type IdpPlan = {
	action: 'create' | 'update' | 'none';
	/** Sentences a person reads before confirming: "Create OAuth2 provider "harbor" with …". */
	summary: string[];
	changes: PlanChange[];
	/** Asked in the wizard (defaults used by `apply`); answers go to `values`, then plan again. */
	questions: Question[];
	warnings: string[];
};

export type IdpRegistration = {
	clientId: string;
	issuer: string;
	/** What was created or updated, for the result screen: "authentik application harbor (created)". */
	done: string[];
	warnings: string[];
};

/** What the verification says about an IdP beyond the generic checks. */
export type IdpVerification = {
	/** The IdP inside a sentence, when the flow's name does not fit ("the identity provider"). */
	name?: string;
	/** What the issuer of this IdP looks like, for a discovery that failed. */
	issuerShape?: string;
	/** How to offer the offline_access scope, in parentheses after "Offer offline_access at …". */
	offlineAccessHow?: string;
	/** Said before the advice when claims_supported lacks a claim. */
	claimsNote?: string;
	/** Said after the advice when the client credentials were refused. */
	refusedCredentialsNote?: string;
	/**
	 * The token endpoint refuses the client (invalid_client) for a redirect URI the client does not
	 * have, whatever the secret (authentik): such a refusal blames the secret only once the redirect
	 * URI check passed.
	 */
	refusesClientForUnregisteredRedirect?: boolean;
	/** Where the authorization code flow is turned on, in parentheses. */
	codeFlowHow?: string;
};

/**
 * The IdP's part of the sign-in proof (`verify --sign-in`). Each method throws a SignInFailure
 * naming the link that broke ('idp-authorize' or 'idp-login'); any other error is a failure of the
 * step it happened in.
 */
export type IdpSignIn = {
	/**
	 * Creates the throw-away user (in the admin group when one is configured, and in the groups the
	 * client is restricted to). Absent for an IdP without an admin API: the person's `test_user`
	 * (password: secret `test_user_password`) is then used and never deleted.
	 * Returns the record (with the IdP's id) and the claims the IdP will send for the user.
	 */
	createTestUser?(context: IntegrationContext, user: TestUser): Promise<{record: TestUserRecord; claims: TestUserClaims}>;
	/** Deletes the test user, found by record.id or else by record.username; no error when it is already gone. */
	deleteTestUser?(context: IntegrationContext, record: TestUserRecord): Promise<'deleted' | 'absent'>;
	/**
	 * Plays the browser at the IdP: opens the authorization URL the app sent it to ('idp-authorize'
	 * when the IdP refuses the request), signs the user in ('idp-login' when the IdP refuses the user
	 * or its password) and returns the URL the IdP redirects back to (the app's callback with the
	 * code, or with an error the caller reports).
	 */
	logIn(context: IntegrationContext, browser: Browser, authorizeUrl: string, credentials: {username: string; password: string}): Promise<{callbackUrl: string; authorizeSeen: string; loginSeen: string}>;
};

export type IdpIntegration = {
	id: string;
	verification?: IdpVerification;
	signIn?: IdpSignIn;
	/**
	 * Values the IdP can read before registration for the checklist (a generic provider's
	 * endpoints from its discovery document); undefined when there is nothing to add.
	 */
	enrichAnswers?(context: IntegrationContext): Promise<Record<string, string> | undefined>;
	/** The admin credential (a secret key) whose presence turns on automatic registration. */
	adminCredentialKeys: readonly string[];
	/** Connects, checks credentials and version, looks up what it needs, finds an existing client. */
	plan(context: IntegrationContext): Promise<IdpPlan>;
	/** Creates or updates the client; stores client_secret with setSecret and client_id with setValue. */
	register(context: IntegrationContext, plan: IdpPlan): Promise<IdpRegistration>;
};

// ---------------------------------------------------------------- apps

export type Blocker = {
	id: string;
	/** What stops the write, for a person who has never read the docs. */
	message: string;
	/** What to do about it. */
	hint: string;
	/** Users that block it and may be deleted after explicit confirmation (Harbor local users, OVH). */
	users?: string[];
};

export type AppPreflight = {
	/** What was found: "Harbor v2.13.1", "auth mode: db_auth", … */
	facts: string[];
	warnings: string[];
	blockers: Blocker[];
};

export type AppPlan = {
	changes: PlanChange[];
	warnings: string[];
	/** Integration-specific data that apply/confirm need (validated by the integration). */
	data: unknown;
};

export type ApplyOptions = {
	/** Exactly the users the person confirmed for deletion (never implied). */
	deleteUsers: readonly string[];
};

/** An item of a list the integration offers for a field (`options_from` in the flow). */
export type FieldOption = {
	value: string;
	label: string;
	/** Other answers that come with this choice (e.g. the registry's URL as app_url). */
	values?: Record<string, string>;
};

/** What the verification checks on the app's side; an app without it gets the generic checks only. */
export type AppVerification = {
	/** The app inside a sentence, when the flow's name does not fit ("the OVHcloud registry"). */
	name?: string;
	/** False when the app is given every endpoint and never compares the issuer (a mismatch is then a warning). */
	comparesIssuer: boolean;
	/** True when the app needs refresh tokens (Harbor's CLI secret for docker login). */
	needsOfflineAccess: boolean;
	/** The local sign-in page under app_url, when the flow derives no fallback_login_url. */
	fallbackPath: string;
	/** How the app comes to trust the IdP's private CA too. */
	trustPrivateCa: string;
	/** Reads the app's settings back: what it will really send to the IdP (named `idpName` in sentences). */
	readSettings(context: IntegrationContext, facts: {discovery: Promise<ProviderMetadata | undefined>; idpName: string}): Promise<CheckOutcome>;
	/** The local fallback sign-in still works; `where` is "If the IdP fails, sign in at <url>". */
	wayBackIn(context: IntegrationContext, fallback: {url: string; where: string}): Promise<CheckOutcome>;
};

/** A user of the app that a follow-up action can pick. */
export type AppUser = {id: string; label: string};

/** Actions offered once the setup works. */
export type AppFollowUps = {
	/** Makes a user who has signed in once an administrator (OVH's setAsAdmin). */
	admins?: {
		listUsers(context: IntegrationContext): Promise<AppUser[]>;
		makeAdmin(context: IntegrationContext, id: string): Promise<void>;
	};
};

/** What the app made of the sign-in (read with the app's admin credential). */
export type AppSignInResult = {
	/** The user the app signed in or onboarded. */
	username: string;
	/** Undefined when the app cannot tell yet (Harbor's onboarding prompt). */
	admin: boolean | undefined;
	/** Harbor with auto-onboard off: the sign-in worked and the app asks the user to confirm a name. */
	onboardingPrompt?: boolean;
	/** What the callback and the code exchange looked like, one sentence each. */
	callbackSeen: string;
	exchangeSeen: string;
};

/**
 * The app's part of the sign-in proof. Each method throws a SignInFailure naming the link that
 * broke ('app-start', 'app-callback', 'code-exchange', 'app-user').
 */
export type AppSignIn = {
	/** Starts the app's own sign-in as a browser does; returns the authorization URL the app sends the browser to. */
	start(context: IntegrationContext, browser: Browser): Promise<{authorizeUrl: string; seen: string}>;
	/** Brings the IdP's redirect back to the app, which exchanges the code itself; then looks the user up. */
	finish(context: IntegrationContext, browser: Browser, callbackUrl: string, expected: {username: string}): Promise<AppSignInResult>;
	/** Deletes the app's copy of the test user; no error when there is none. */
	deleteUser(context: IntegrationContext, username: string): Promise<'deleted' | 'absent'>;
	/** The claim the app takes the user name from when username_claim is not set. */
	defaultUsernameClaim: string;
};

/**
 * Sends ahead (`HttpClient.early`) the GETs an integration's checks make first, from a module that
 * loads no schema and none of the checks: verify calls it before it loads the rest, so that the
 * answers are on their way meanwhile. Best effort: any problem is left for the checks to report.
 */
export type FirstRequests = (context: IntegrationContext) => Promise<void>;

export type AppIntegration = {
	id: string;
	verification?: AppVerification;
	signIn?: AppSignIn;
	followUps?: AppFollowUps;
	/** Lists to pick a field's value from, by the flow's `options_from` name; undefined when unknown. */
	options?(name: string, context: IntegrationContext): Promise<FieldOption[] | undefined>;
	preflight(context: IntegrationContext): Promise<AppPreflight>;
	/** Reads the current settings and returns current → new; saves the backup artifact before any write. */
	plan(context: IntegrationContext, preflight: AppPreflight): Promise<AppPlan>;
	apply(context: IntegrationContext, plan: AppPlan, options: ApplyOptions): Promise<string[]>;
	/** Reads back and returns the settings that differ from the plan (empty when all match). */
	confirm(context: IntegrationContext, plan: AppPlan): Promise<PlanChange[]>;
	/** Restores the backup saved by plan(); returns notes ("the client secret cannot be restored"). */
	rollback(context: IntegrationContext): Promise<string[]>;
};

export function defineIdp(integration: IdpIntegration): IdpIntegration {
	return integration;
}

export function defineApp(integration: AppIntegration): AppIntegration {
	return integration;
}
