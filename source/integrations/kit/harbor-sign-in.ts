import * as z from 'zod';
import {skipped, type CheckOutcome} from '../../core/check-outcome.js';
import {RemoteError} from '../../core/errors.js';
import type {HttpClient, HttpResponse} from '../../core/http.js';
import type {AppSignIn, IntegrationContext} from '../types.js';
import {redirectTarget} from '../../core/browser.js';
import {extractErrorDetail} from '../../core/http-errors.js';
import {SignInFailure} from '../../core/sign-in.js';
import {printable} from '../../core/text.js';
import {appHttp, parseAnswer} from './http-advice.js';
import {shortText} from './html-form.js';
import {authorizeRequest, describeUrl} from './sign-in-pages.js';
import type {Findings} from '../../core/findings.js';
import type {ProviderMetadata} from '../../core/provider-metadata.js';

/** Starts a sign-in the way the browser does (harbor.md §5); no cookie is kept, nothing follows the redirect. */
export async function startSignIn(http: HttpClient, baseUrl: string): Promise<HttpResponse> {
	return http.request({url: `${baseUrl}/c/oidc/login`, step: 'verify: harbor sign-in redirect', expect: 'any'});
}

/** Harbor's answer to /c/oidc/login: a 302 to the IdP with the client, the redirect URI and PKCE. */
export function compareSignIn(
	findings: Findings,
	login: HttpResponse,
	expected: {app: string; clientId: string; redirectUri: string | undefined; metadata: ProviderMetadata | undefined},
): void {
	const location = login.headers['location'];
	if (login.status !== 302 || !location) {
		findings.fail(
			`Starting a sign-in (/c/oidc/login) gave HTTP ${login.status}${login.status === 500 ? `: ${expected.app} could not discover the IdP` : ''}.`,
			login.status === 412 ? `${expected.app} is not in OIDC mode: apply the settings again.` : `Look at the ${expected.app} core log for the cause (usually the issuer, the network path to the IdP, or its certificate).`,
		);
		return;
	}

	const target = new URL(location);
	const parameters = target.searchParams;
	const problems: string[] = [];
	const authorizeAt = `${target.origin}${target.pathname}`;
	if (expected.metadata && authorizeAt !== expected.metadata.authorization_endpoint) {
		problems.push(`goes to ${authorizeAt}, not to the IdP's authorization endpoint ${expected.metadata.authorization_endpoint}`);
	}

	if (parameters.get('client_id') !== expected.clientId) {
		problems.push(`carries client_id "${parameters.get('client_id') ?? ''}" instead of "${expected.clientId}"`);
	}

	if (expected.redirectUri && parameters.get('redirect_uri') !== expected.redirectUri) {
		problems.push(`carries redirect_uri "${parameters.get('redirect_uri') ?? ''}" instead of "${expected.redirectUri}"`);
	}

	if (problems.length > 0) {
		findings.fail(`${expected.app}'s sign-in redirect ${problems.join(', and ')}.`, 'Apply the settings again; if the redirect URI is wrong, fix the external URL Harbor was installed with.');
		return;
	}

	if (parameters.get('code_challenge')) {
		findings.ok('A sign-in starts with the right client, redirect URI and PKCE.');
	} else {
		findings.warn(`${expected.app} starts the sign-in without PKCE (code_challenge).`, 'Harbor adds PKCE from v2.13 on: upgrade Harbor, or keep PKCE optional for this client at the IdP.');
	}
}

/**
 * The local admin still signs in with its password (Harbor and the OVH registry, a managed Harbor,
 * keep their login form for it). `currentUser` signs in and returns the user name.
 */
export async function localAdminSignIn(context: IntegrationContext, where: string, currentUser: () => Promise<string>): Promise<CheckOutcome> {
	if (!(await context.secret('harbor_admin_password'))) {
		return skipped(`Not checked: no harbor_admin_password. ${where} with the admin password.`);
	}

	try {
		return {status: 'pass', seen: `"${await currentUser()}" signs in with its password. ${where}.`};
	} catch (error) {
		if (error instanceof RemoteError && error.status === 401) {
			return {status: 'fail', seen: `The local admin's password was refused (HTTP 401). ${where}, but only with the right password.`, fix: error.hint ?? 'Check harbor_admin_user and its password.'};
		}

		throw error;
	}
}

const currentUserSchema = z.looseObject({username: z.string()});

/** Harbor's /users/current with the local admin's password, for a managed Harbor that has no client of its own here. */
export async function harborCurrentUser(context: IntegrationContext, baseUrl: string): Promise<string> {
	const user = context.values['harbor_admin_user'] || 'admin';
	const password = (await context.secret('harbor_admin_password')) ?? '';
	const url = `${baseUrl}/api/v2.0/users/current`;
	const step = 'harbor: check admin sign-in';
	const {body} = await appHttp(context).json({url, step, headers: {authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`}});
	return parseAnswer(currentUserSchema, body, {url, step, product: 'Harbor'}).username;
}

// ---------------------------------------------------------------- the sign-in proof (verify --sign-in)

/** How Harbor and the OVH registry (a managed Harbor) differ in the sign-in proof; the flow is the same. */
export type HarborLikeSignInOptions = {
	/** The integration id, for step names: "harbor", "ovh-mpr". */
	id: string;
	/** The app at the start of a sentence: "Harbor", "The registry". */
	product: string;
	/** The app inside a sentence: "Harbor", "the registry". */
	inSentence: string;
	/** Where the cause of a failure is logged, after "Look at ". */
	coreLog: string;
	/** The base URL the browser opens (Harbor's external URL). */
	baseUrl(context: IntegrationContext): Promise<string>;
	/** Where the client secret is set, after "set the client secret of client X again ". */
	secretWhere: string;
	deleteUser(context: IntegrationContext, username: string): Promise<'deleted' | 'absent'>;
};

/** Harbor replaces blanks in the name it onboards with "_" (src/core/controllers/oidc.go Callback). */
export function harborUsername(name: string): string {
	return name.replaceAll(' ', '_');
}

const sessionUserSchema = z.looseObject({user_id: z.number(), username: z.string(), sysadmin_flag: z.boolean().nullish(), admin_role_in_auth: z.boolean().nullish()});

/** "Harbor's", "the registry's". */
function possessive(name: string): string {
	return `${name}'s`;
}

/** In quotes, unless it has its own (oauth2's messages quote the error code). */
function quoted(text: string): string {
	return text.includes('"') ? text : `"${text}"`;
}

/** Harbor's error envelope ({"errors":[{"message"}]}) or the page's text, for a sentence. */
function harborMessage(response: HttpResponse): string {
	return printable(shortText(extractErrorDetail(response.text) ?? ''));
}

/**
 * What Harbor's Callback answered instead of a redirect, as the link that broke: a state or session
 * problem (400 "State mismatch"), a failed code exchange (400 with golang.org/x/oauth2's error), a
 * user it could not create (409, 500: the cause is only in its log), or not in OIDC mode (412).
 */
function callbackRefused(response: HttpResponse, facts: {product: string; inSentence: string; clientId: string; base: string; secretWhere: string; coreLog: string}): SignInFailure {
	const said = harborMessage(response);
	const {product, inSentence, clientId, base} = facts;
	const answered = `(HTTP ${response.status}${said ? `: ${quoted(said)}` : ''})`;
	if (response.status === 400 && /state mismatch/i.test(said)) {
		return new SignInFailure(
			'app-callback',
			`${product} refused the callback ${answered}: it did not find the sign-in it had started in its session.`,
			`The browser must come back to ${product} at the host where the sign-in started (the session cookie is per host): the redirect URI's host and ${base} must be the same address. Set Harbor's external URL to the address people use.`,
		);
	}

	const idpError = /OIDC callback returned error: ([^\s-]+)/i.exec(said)?.[1];
	if (response.status === 400 && idpError) {
		return new SignInFailure(idpError === 'access_denied' ? 'idp-login' : 'idp-authorize', `The identity provider sent an error back to ${inSentence} ${answered}.`, `Look at the identity provider's log for why it refused client ${clientId}.`);
	}

	if (response.status === 400) {
		const seen = `${product} could not exchange the code for tokens ${answered}.`;
		if (/invalid_client|unauthorized_client|client credentials|client secret|401 unauthorized/i.test(said)) {
			return new SignInFailure('code-exchange', seen, `The identity provider refused ${possessive(inSentence)} client secret: set the client secret of client ${clientId} again ${facts.secretWhere} (or run sso-setup apply with the right client_secret).`);
		}

		if (/failed to create OIDC provider|discover|issuer/i.test(said)) {
			return new SignInFailure('code-exchange', seen, `${product} could not read the identity provider's discovery document at the callback: check the issuer, and that ${inSentence} reaches it and trusts its certificate.`);
		}

		if (/invalid_grant/i.test(said)) {
			return new SignInFailure('code-exchange', seen, `The identity provider refused the code: the redirect URI, the PKCE verifier or the client did not match the authorization. Check that client ${clientId} is the one ${inSentence} uses and that the redirect URI is registered exactly.`);
		}

		return new SignInFailure('code-exchange', seen, `Look at the identity provider's log for why it refused the token request of client ${clientId}.`);
	}

	if (response.status === 409) {
		return new SignInFailure(
			'app-user',
			`${product} exchanged the code but could not create the user ${answered}: a user with the same name or email exists.`,
			`${product} onboards a new identity-provider user under the name the username claim gives: delete or rename the existing user, or choose another username_claim.`,
		);
	}

	if (response.status === 412) {
		return new SignInFailure('app-callback', `${product} refused the callback ${answered}: it is not in OIDC mode.`, 'Apply the OIDC settings again (sso-setup apply).');
	}

	if (response.status >= 500) {
		return new SignInFailure(
			'app-user',
			`${product} exchanged the code but failed after that ${answered}; the cause is only in its log.`,
			`Usually the ID token did not verify (its issuer or audience must be client ${clientId}) or, with automatic onboarding, no user name came from the username claim or the name claim. Look at ${facts.coreLog} for "Failed to" lines.`,
		);
	}

	return new SignInFailure('app-callback', `${product} answered the callback ${answered} instead of signing the user in.`, `Look at ${facts.coreLog} for the cause.`);
}

export function harborLikeSignIn(options: HarborLikeSignInOptions): AppSignIn {
	const {product, inSentence} = options;
	return {
		defaultUsernameClaim: 'name',

		async start(context, browser) {
			const base = await options.baseUrl(context);
			const response = await browser.request({url: `${base}/c/oidc/login`, step: `${options.id}: start the sign-in`});
			const authorizeUrl = redirectTarget(response);
			if (response.status === 302 && authorizeUrl) {
				const {clientId, redirectUri} = authorizeRequest(authorizeUrl);
				return {authorizeUrl, seen: `${product} sent the browser to ${describeUrl(authorizeUrl)} for client "${printable(clientId)}" with the redirect URI ${printable(redirectUri)}.`};
			}

			const said = harborMessage(response);
			const seen = `Starting a sign-in at ${base}/c/oidc/login gave HTTP ${response.status}${said ? `: ${quoted(said)}` : ''}.`;
			if (response.status === 412) {
				throw new SignInFailure('app-start', seen, `${product} is not in OIDC mode: apply the settings (sso-setup apply).`);
			}

			if (response.status >= 500) {
				throw new SignInFailure('app-start', seen, `${product} could not read the identity provider's discovery document: check the issuer (${context.values['issuer'] ?? 'oidc_endpoint'}), that ${inSentence} reaches it and that it trusts its certificate (or verify_cert).`);
			}

			throw new SignInFailure('app-start', seen, `Check app_url (${base}): it must be ${possessive(inSentence)} own address, not a proxy's login page.`);
		},

		async finish(context, browser, callbackUrl, expected) {
			const callback = new URL(callbackUrl);
			const base = `${callback.origin}${callback.pathname.replace(/\/c\/oidc\/callback\/?$/, '')}`;
			const clientId = context.values['client_id'] ?? '?';
			const response = await browser.request({url: callbackUrl, step: `${options.id}: bring the sign-in back`});
			const next = redirectTarget(response);
			if (!next) {
				throw callbackRefused(response, {product, inSentence, clientId, base, secretWhere: options.secretWhere, coreLog: options.coreLog});
			}

			// Harbor names the user after the claim with blanks made "_": that is the name the claim gives.
			const asExpected = (name: string) => (name === harborUsername(expected.username) ? expected.username : name);
			const callbackSeen = `${product} accepted the callback with its session cookie and state.`;
			const target = new URL(next);
			if (target.pathname.endsWith('/oidc-onboard')) {
				const name = target.searchParams.get('username') ?? '';
				return {
					username: asExpected(name),
					admin: undefined,
					onboardingPrompt: true,
					callbackSeen,
					exchangeSeen: `${product} exchanged the code and asks the user to confirm the name "${printable(name)}" (automatic onboarding is off): the sign-in works, and the user is created once someone confirms.`,
				};
			}

			const current = await browser.request({url: `${base}/api/v2.0/users/current`, step: `${options.id}: read the signed-in user`, api: true});
			const parsed = current.status === 200 ? sessionUserSchema.safeParse(safeJson(current.text)) : undefined;
			if (!parsed?.success) {
				throw new SignInFailure(
					'app-user',
					`${product} sent the browser on to ${describeUrl(next)}, but its session is not signed in (users/current: HTTP ${current.status}).`,
					`Look at ${options.coreLog} for the cause.`,
				);
			}

			const user = parsed.data;
			const admin = Boolean(user.sysadmin_flag) || Boolean(user.admin_role_in_auth);
			return {
				username: asExpected(user.username),
				admin,
				callbackSeen,
				exchangeSeen: `${product} exchanged the code and signed in "${printable(user.username)}" (user id ${user.user_id}${admin ? ', an administrator' : ''}).`,
			};
		},

		deleteUser: (context, username) => options.deleteUser(context, harborUsername(username)),
	};
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
