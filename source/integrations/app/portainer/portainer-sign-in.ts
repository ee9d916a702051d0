import {randomUUID} from 'node:crypto';
import * as z from 'zod';
import type {Browser} from '../../../core/browser.js';
import {commandLine} from '../../../core/command-line.js';
import {jsonOrUndefined} from '../../../core/check-outcome.js';
import {SsoSetupError} from '../../../core/errors.js';
import {isLoopback} from '../../../core/hosts.js';
import type {HttpClient} from '../../../core/http.js';
import type {HttpResponse} from '../../../core/http-types.js';
import {SignInFailure} from '../../../core/sign-in.js';
import {printable} from '../../../core/text.js';
import {readArtifact} from '../../kit/artifacts.js';
import {appBaseUrl, optionalValue} from '../../kit/values.js';
import type {AppSignIn, IntegrationContext} from '../../types.js';
import {portainerApi, type PortainerApi, type PortainerOAuthSettings} from './portainer-api.js';
import {defaultUserIdentifier, methodName, oauthMethod} from './portainer-decide.js';

/**
 * Portainer's side of the sign-in proof, as its login page does it (app/portainer/views/auth/
 * authController.js): the OAuth link from the public settings with `&state=<uuid>` added, then,
 * back at the redirect URL, POST /api/auth/oauth/validate {code}. Portainer exchanges the code
 * itself with its client secret, reads the user info and takes the user name from its User
 * identifier (api/oauth/oauth.go, handler/auth/authenticate_oauth.go); the admin API then says
 * who it signed in and whether that user is an administrator (Role 1).
 */

const publicSettingsSchema = z.looseObject({AuthenticationMethod: z.number(), OAuthLoginURI: z.string().nullish()});
const validateAnswerSchema = z.looseObject({jwt: z.string().optional(), message: z.string().optional(), details: z.string().optional()});
/** Portainer's JWT carries the user's id and name (api/jwt/jwt.go claims). */
const jwtClaimsSchema = z.looseObject({id: z.number(), username: z.string().optional()});

/**
 * Written before the validate call: the highest user id then (Portainer never reuses ids), and the
 * users sign-ins created, so that the clean-up deletes those and nothing else.
 */
const markArtifact = 'portainer-sign-in-users';
const markSchema = z.object({usersUpTo: z.number(), created: z.array(z.object({id: z.number(), username: z.string()})).max(100).default([])});
type Mark = z.infer<typeof markSchema>;

/** The name every test user of the engine gets (core/sign-in.ts TestUser). */
const testUserPrefix = 'sso-setup-test-';

const fixSettings = `Run ${commandLine('apply')} again, or correct it under Settings → Authentication → OAuth in Portainer.`;

/** What the login page keeps between the link and the way back (its localStorage): per browser. */
const begun = new WeakMap<Browser, {state: string; redirectUri: string}>();

export const portainerSignIn: AppSignIn = {
	defaultUsernameClaim: defaultUserIdentifier,

	async start(context, browser) {
		const base = appBaseUrl(context.values, 'portainer');
		const url = `${base}/api/settings/public`;
		const response = await browser.request({url, step: 'portainer: read the public settings', api: true});
		const parsed = publicSettingsSchema.safeParse(jsonOrUndefined(response.text));
		if (response.status !== 200 || !parsed.success) {
			throw new SignInFailure('app-start', `${url} answered HTTP ${response.status}${parsed.success ? '' : ', not with Portainer\'s public settings'}.`, `Check app_url (${base}): it must be the address of Portainer itself.`);
		}

		const settings = parsed.data;
		if (settings.AuthenticationMethod !== oauthMethod) {
			throw new SignInFailure(
				'app-start',
				`Portainer signs people in with ${methodName(settings.AuthenticationMethod)} authentication, not OAuth: its login page offers no OAuth sign-in.`,
				`Turn OAuth on: run ${commandLine('apply')}, or choose OAuth under Settings → Authentication in Portainer.`,
			);
		}

		// settings_public.go pastes the settings in without encoding; the page links to it plus a state.
		const loginUri = settings.OAuthLoginURI ?? '';
		const state = randomUUID();
		const link = `${loginUri}&state=${state}`;
		const authorize = URL.canParse(link) ? new URL(link) : undefined;
		if (!authorize || (authorize.protocol !== 'https:' && authorize.protocol !== 'http:') || !authorize.searchParams.get('redirect_uri')) {
			throw new SignInFailure(
				'app-start',
				`Portainer's OAuth sign-in link "${printable(loginUri)}" is not a usable URL: its Authorization URL or Redirect URL setting is empty or wrong.`,
				fixSettings,
			);
		}

		const parameters = authorize.searchParams;
		const redirectUri = parameters.get('redirect_uri') ?? '';
		begun.set(browser, {state, redirectUri});
		return {
			authorizeUrl: authorize.href,
			seen: printable(
				`Portainer's login page sends the browser to ${authorize.origin}${authorize.pathname} for client "${parameters.get('client_id') ?? ''}", redirect URL ${redirectUri} and scopes "${parameters.get('scope') ?? ''}", with a state of its own.`,
			),
		};
	},

	async finish(context, browser, callbackUrl, expected) {
		const base = appBaseUrl(context.values, 'portainer');
		const started = begun.get(browser);
		if (!started) {
			throw new SsoSetupError('portainer: the sign-in was not started in this browser.');
		}

		const {code, callbackSeen} = await backAtRedirectUrl(browser, callbackUrl, started, base);
		const api = await portainerApi(context);
		// Written before the call that may create the user, so that a clean-up after an interruption knows it too.
		const before = await api.users();
		const earlier = readArtifact(context, markArtifact, markSchema)?.created ?? [];
		await context.artifacts.set(markArtifact, {usersUpTo: Math.max(0, ...before.map((user) => user.Id)), created: earlier} satisfies Mark);

		const url = `${base}/api/auth/oauth/validate`;
		// The page sends the code as it stands in its address (URLHelper.getParameter); Portainer unescapes it.
		const response = await browser.request({url, json: {code}, step: 'portainer: finish the OAuth sign-in', api: true});
		const answer = validateAnswerSchema.catch({}).parse(jsonOrUndefined(response.text));
		if (response.status !== 200 || !answer.jwt) {
			throw await refusal(context, api, {status: response.status, said: [answer.message, answer.details].filter(Boolean).join(': '), code});
		}

		const claims = jwtClaimsSchema.safeParse(jwtPayload(answer.jwt));
		const users = await api.users();
		const user = claims.success
			? users.find((entry) => entry.Id === claims.data.id)
			: users.find((entry) => entry.Username.toLowerCase() === expected.username.toLowerCase());
		if (!user) {
			throw new SignInFailure('app-user', 'Portainer answered the sign-in with a session, but its user list has no such user.', 'Look at Portainer\'s log (docker logs portainer), then try again.');
		}

		const created = !before.some((entry) => entry.Id === user.Id);
		if (created) {
			const mark = readArtifact(context, markArtifact, markSchema);
			await context.artifacts.set(markArtifact, {usersUpTo: mark?.usersUpTo ?? 0, created: [...(mark?.created ?? []), {id: user.Id, username: user.Username}]} satisfies Mark);
		}

		return {
			username: user.Username,
			admin: user.Role === 1,
			callbackSeen,
			exchangeSeen: printable(
				`Portainer exchanged the code itself (POST /api/auth/oauth/validate → HTTP 200) and signed in ${created ? 'a new' : 'its existing'} user "${user.Username}" (${user.Role === 1 ? 'administrator' : 'standard user'}).`,
			),
		};
	},

	async deleteUser(context, username) {
		const api = await portainerApi(context);
		const users = await api.users();
		const mark = readArtifact(context, markArtifact, markSchema);
		// Only what a sign-in made: never the initial administrator, the account sso-setup signs in
		// with, nor a person's own account that the sign-in merely used.
		const self = (id: number, name: string) => api.identity.kind === 'password' && (api.identity.userId === id || api.identity.username === name);
		const madeBySignIn = (id: number, name: string) => name.startsWith(testUserPrefix) || (mark !== undefined && id > mark.usersUpTo) || (mark?.created.some((entry) => entry.id === id) ?? false);
		const named = users.filter((user) => user.Username === username);
		// No user by that name (the app made another name of the claims): the users the sign-ins created.
		const candidates = named.length > 0 ? named : users.filter((user) => mark?.created.some((entry) => entry.id === user.Id && entry.username === user.Username));
		const targets = candidates.filter((user) => user.Id !== 1 && !self(user.Id, user.Username) && madeBySignIn(user.Id, user.Username));
		let deleted = false;
		for (const user of targets) {
			deleted = (await api.deleteUser(user.Id)) === 'deleted' || deleted;
		}

		if (mark) {
			const gone = new Set(targets.map((user) => user.Id));
			await context.artifacts.set(markArtifact, {usersUpTo: mark.usersUpTo, created: mark.created.filter((entry) => !gone.has(entry.id) && users.some((user) => user.Id === entry.id))} satisfies Mark);
		}

		return deleted ? 'deleted' : 'absent';
	},
};

/** The IdP's redirect must come back to Portainer's page, with a code and the state the page sent. */
async function backAtRedirectUrl(browser: Browser, callbackUrl: string, started: {state: string; redirectUri: string}, base: string): Promise<{code: string; callbackSeen: string}> {
	const callback = new URL(callbackUrl);
	const redirect = URL.canParse(started.redirectUri) ? new URL(started.redirectUri) : undefined;
	const here = `${callback.origin}${callback.pathname}`;
	if (!redirect || here !== `${redirect.origin}${redirect.pathname}`) {
		throw new SignInFailure('app-callback', printable(`The IdP sent the browser to ${here}, not to Portainer's redirect URL ${started.redirectUri}.`), `Register exactly ${started.redirectUri} at the IdP.`);
	}

	const home = new URL(`${base}/`);
	if (redirect.origin !== home.origin || !redirect.pathname.startsWith(home.pathname)) {
		throw new SignInFailure(
			'app-callback',
			printable(`Portainer's redirect URL ${started.redirectUri} is not an address of Portainer (${home.href}): no Portainer page is there to finish the sign-in.`),
			`Set Portainer's Redirect URL to ${home.href} (with the final slash) in Portainer and at the IdP.`,
		);
	}

	const page = await browser.request({url: callbackUrl, step: 'portainer: open the redirect URL'});
	if (page.status !== 200) {
		throw new SignInFailure('app-callback', printable(`Portainer's redirect URL ${started.redirectUri} answered HTTP ${page.status}: its page is not there to finish the sign-in.`), `Set Portainer's Redirect URL to ${home.href} (with the final slash) in Portainer and at the IdP.`);
	}

	// URLHelper.getParameter: the query split on "&" and "=", the values left as they stand.
	const parameters = new Map(callback.search.replace(/^\?/, '').split('&').map((pair) => [pair.split('=')[0] ?? '', pair.split('=')[1] ?? ''] as const));
	const code = parameters.get('code') ?? '';
	const state = parameters.get('state') ?? '';
	if (code === '' || state === '') {
		throw new SignInFailure('app-callback', `The IdP came back to Portainer's redirect URL without ${code === '' ? 'a code' : 'the state'}.`, 'Look at the IdP\'s log: it redirected without finishing the authorization.');
	}

	if (state !== started.state) {
		throw new SignInFailure('app-callback', 'The state that came back is not the one Portainer\'s page sent ("Invalid OAuth state, try again.").', 'Sign in again; if it repeats, the IdP changes the state parameter on its way back.');
	}

	return {code, callbackSeen: printable(`The IdP sent the browser back to Portainer's redirect URL ${started.redirectUri} with a code and the page's state; the page answered HTTP 200.`)};
}

function jwtPayload(jwt: string): unknown {
	try {
		return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

type Refused = {status: number; said: string; code: string};

/** Which link Portainer's refusal of the code points at (its messages: handler/auth/authenticate_oauth.go). */
async function refusal(context: IntegrationContext, api: PortainerApi, refused: Refused): Promise<SignInFailure> {
	const answer = printable(`HTTP ${refused.status}${refused.said ? ` "${refused.said}"` : ''}`);
	if (/not created beforehand/i.test(refused.said)) {
		return new SignInFailure(
			'app-user',
			`Portainer signed the user in at the IdP but has no such user, and does not create users on their first sign-in (${answer}).`,
			`Turn on automatic user provisioning: set auto_create_users=true and run ${commandLine('apply')}, or switch on Automatic user provisioning under Settings → Authentication → OAuth in Portainer.`,
		);
	}

	if (/unable to authenticate through oauth/i.test(refused.said)) {
		return diagnoseExchange(context, api, refused, answer);
	}

	if (refused.status === 403 && /access denied/i.test(refused.said)) {
		return new SignInFailure('app-callback', `Portainer refused the sign-in (${answer}): after more than 10 sign-ins a second it blocks the address for an hour.`, 'Wait an hour, or restart Portainer, then try again.');
	}

	return new SignInFailure('app-callback', `Portainer refused the code (${answer}).`, 'Look at Portainer\'s log (docker logs portainer) for the cause, then try again.');
}

/**
 * Portainer answers the same 500 for a failed code exchange, a failed user-info call and a missing
 * user identifier claim (the cause goes to its log). The settings and one exchange of the same
 * code with sso-setup's client secret tell them apart: a code the IdP still accepts was never
 * exchanged by Portainer; one it calls invalid was (then the user name is what failed).
 */
async function diagnoseExchange(context: IntegrationContext, api: PortainerApi, refused: Refused, answer: string): Promise<SignInFailure> {
	const oauth = (await api.settings()).OAuthSettings;
	const {values} = context;
	const clientId = optionalValue(values, 'client_id') ?? oauth.ClientID ?? '';
	const tokenUrl = optionalValue(values, 'token_url');
	const userinfoUrl = optionalValue(values, 'userinfo_url');
	const wrong = [
		...(tokenUrl && oauth.AccessTokenURI !== tokenUrl ? [`its Access token URL is "${oauth.AccessTokenURI ?? ''}", not the IdP's token endpoint ${tokenUrl}`] : []),
		...(clientId && oauth.ClientID !== clientId ? [`its Client ID is "${oauth.ClientID ?? ''}", not "${clientId}"`] : []),
		...(userinfoUrl && oauth.ResourceURI !== userinfoUrl ? [`its Resource URL is "${oauth.ResourceURI ?? ''}", not the IdP's userinfo endpoint ${userinfoUrl}`] : []),
	];
	if (wrong.length > 0) {
		return new SignInFailure('code-exchange', printable(`Portainer could not exchange the code or read the user info (${answer}): ${wrong.join('; ')}.`), fixSettings);
	}

	const secret = await context.secret('client_secret');
	const tried = tokenUrl && secret && sendable(tokenUrl) ? await exchangeOnce(context.http, {tokenUrl, clientId, secret, code: refused.code, redirectUri: oauth.RedirectURI ?? ''}) : undefined;
	const claim = oauth.UserIdentifier ?? '';
	switch (tried) {
		case 'accepted': {
			return new SignInFailure(
				'code-exchange',
				printable(`Portainer could not exchange the code (${answer}), while the IdP accepted the same code with sso-setup's client secret${authStyleNote(oauth)}.`),
				`Send the client secret of client "${clientId}" to Portainer again (${commandLine('apply')} does, or paste it under Settings → Authentication → OAuth → Client secret). If it is right, Portainer cannot reach ${tokenUrl ?? 'the token endpoint'}: look at its log (docker logs portainer), e.g. for a certificate it does not trust.`,
			);
		}

		case 'used': {
			return new SignInFailure(
				'app-user',
				printable(`Portainer exchanged the code (the IdP no longer accepts it), but found no user name: the user info and ID token have no "${claim}" claim, Portainer's User identifier (${answer}).`),
				`Set username_claim to a claim the IdP sends (preferred_username or email) and run ${commandLine('apply')}, or make the IdP send "${claim}" (a scope or claim mapper).`,
			);
		}

		case 'refused': {
			return new SignInFailure(
				'code-exchange',
				printable(`Portainer could not exchange the code (${answer}), and the IdP refuses sso-setup's client secret for client "${clientId}" too.`),
				`Copy the client secret of client "${clientId}" from the IdP into Portainer and into sso-setup's client_secret, then run ${commandLine('apply')} again.`,
			);
		}

		default: {
			return new SignInFailure(
				'code-exchange',
				printable(`Portainer could not exchange the code, read the user info or find the "${claim}" claim in it (${answer}); it writes which to its log only.`),
				`Check Portainer's Client secret against client "${clientId}" at the IdP, and look at Portainer's log (docker logs portainer) for the cause.`,
			);
		}
	}
}

function authStyleNote(oauth: PortainerOAuthSettings): string {
	const styles: Record<number, string> = {1: 'in the form', 2: 'in a Basic header'};
	const style = oauth.AuthStyle === undefined ? undefined : styles[oauth.AuthStyle];
	return style ? ` (Portainer sends its credentials ${style} only: its Auth style setting)` : ': the client secret Portainer holds is not the client\'s';
}

/** The client secret never goes over plain HTTP to another machine. */
function sendable(tokenUrl: string): boolean {
	const url = new URL(tokenUrl);
	return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}

/** One exchange of the code, Basic first and then the form (as Portainer's AuthStyle 0): what the IdP made of it. */
async function exchangeOnce(http: HttpClient, facts: {tokenUrl: string; clientId: string; secret: string; code: string; redirectUri: string}): Promise<'accepted' | 'used' | 'refused' | 'unclear'> {
	const form = {grant_type: 'authorization_code', code: safeUnescape(facts.code), redirect_uri: facts.redirectUri};
	const secureOrigin = facts.tokenUrl.startsWith('https:') ? new URL(facts.tokenUrl).origin : undefined;
	const step = 'portainer: tell the failed code exchange apart';
	const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
	const attempts: Array<{form: Record<string, string>; headers: Record<string, string>}> = [
		{form, headers: {authorization: `Basic ${Buffer.from(`${encode(facts.clientId)}:${encode(facts.secret)}`).toString('base64')}`}},
		{form: {...form, client_id: facts.clientId, client_secret: facts.secret}, headers: {}},
	];
	let verdict: 'accepted' | 'used' | 'refused' | 'unclear' = 'unclear';
	for (const attempt of attempts) {
		let response: HttpResponse;
		try {
			response = await http.request({method: 'POST', url: facts.tokenUrl, step, form: attempt.form, headers: attempt.headers, expect: 'any', ...(secureOrigin ? {secureOrigin} : {})});
		} catch {
			// Unreachable from here: the diagnosis says less, the sign-in's failure stands.
			return 'unclear';
		}

		const body = z.looseObject({error: z.string().optional(), access_token: z.string().optional()}).catch({}).parse(jsonOrUndefined(response.text));
		verdict = response.status === 200 && body.access_token ? 'accepted' : body.error === 'invalid_grant' ? 'used' : response.status === 401 || body.error === 'invalid_client' ? 'refused' : 'unclear';
		if (verdict !== 'refused') {
			break;
		}
	}

	return verdict;
}

/** url.QueryUnescape, as Portainer reads the code. */
function safeUnescape(code: string): string {
	try {
		return decodeURIComponent(code.replaceAll('+', ' '));
	} catch {
		return code;
	}
}
