import * as z from 'zod';
import {redirectTarget, type Browser} from '../../../core/browser.js';
import type {HttpResponse} from '../../../core/http-types.js';
import {SignInFailure} from '../../../core/sign-in.js';
import {printable} from '../../../core/text.js';
import type {PocketIdApi} from './pocket-id-api.js';

/**
 * The browser's side of a Pocket ID sign-in, without JavaScript. Pocket ID has no passwords
 * (passkeys only), so the administrator issues a one-time access token for the test user and the
 * browser exchanges it for a session, as a "login code" link does. Then it does what Pocket ID's
 * front end does:
 * - v2.10 and later (fosite): GET /authorize answers with the app's callback, or sends the browser
 *   to /interaction?interaction=<id>, whose page completes the steps it asks for
 *   (POST /api/oidc/interactions/<id>/complete) and follows the redirect URL it gets back to
 *   /authorize; a refusal goes to /interaction/error?error=<message>.
 * - before v2.10: /authorize is the web app itself; its page POSTs the request to
 *   /api/oidc/authorize and builds the callback URL from the code it gets.
 */

const step = 'pocket-id: sign in the test user';

const interactionSchema = z.object({
	id: z.string().max(200),
	currentStep: z.string().max(50).optional(),
	requiredSteps: z.array(z.string().max(50)).max(10).nullable().optional(),
});
const completeSchema = z.object({interaction: interactionSchema.optional(), redirectUrl: z.string().max(16_000).optional()});
const legacySchema = z.object({
	code: z.string().max(2000).optional(),
	callbackURL: z.string().max(16_000).optional(),
	issuer: z.string().max(2000).optional(),
	error: z.string().max(2000).optional(),
	requiresRedirect: z.boolean().optional(),
});

type Request = {clientId: string; redirectUri: string; username: string};

export async function logIn(api: PocketIdApi, browser: Browser, authorizeUrl: string, username: string): Promise<{callbackUrl: string; authorizeSeen: string; loginSeen: string}> {
	const start = new URL(authorizeUrl);
	const origin = start.origin;
	// Both come from the app's authorization URL: only ever shown.
	const request: Request = {clientId: quoted(start.searchParams.get('client_id') ?? ''), redirectUri: quoted(start.searchParams.get('redirect_uri') ?? ''), username};
	await signInWithOneTimeToken(api, browser, origin, username);

	const steps: string[] = [];
	let response = await browser.request({url: authorizeUrl, step});
	for (let round = 0; round < 8; round++) {
		const target = redirectTarget(response);
		if (!target) {
			if (response.status === 200 && /text\/html/i.test(response.headers['content-type'] ?? '')) {
				return legacyAuthorize(browser, start, request);
			}

			throw new SignInFailure('idp-authorize', `Pocket ID answered the authorization request with HTTP ${response.status}${detailOf(response)}.`, "Look at Pocket ID's log for the cause.");
		}

		const next = new URL(target);
		if (next.origin !== origin) {
			return finished(next, request, steps);
		}

		if (next.pathname === '/interaction/error') {
			throw refused(next.searchParams.get('error') ?? '', request);
		}

		if (next.pathname === '/interaction') {
			const redirect = await interact(browser, origin, next.searchParams.get('interaction') ?? '', steps);
			response = await browser.request({url: new URL(redirect, origin).href, step});
			continue;
		}

		response = await browser.request({url: next.href, step});
	}

	throw new SignInFailure('idp-login', 'Pocket ID kept redirecting the browser without coming back to the app.', "Look at Pocket ID's log and at the client's settings (re-authentication, PAR).");
}

/** The test user's session: a one-time access token issued with the API key, exchanged by the browser. The password of the engine's test user is not used. */
async function signInWithOneTimeToken(api: PocketIdApi, browser: Browser, origin: string, username: string): Promise<void> {
	const user = await api.userNamed(username);
	if (!user) {
		throw new SignInFailure('idp-login', `Pocket ID has no user ${username} to sign in.`, 'The test user was deleted in between: run the sign-in again.');
	}

	const token = await api.oneTimeAccessToken(user.id);
	const exchanged = await browser.request({url: `${origin}/api/one-time-access-token/${encodeURIComponent(token)}`, method: 'POST', api: true, step});
	if (exchanged.status !== 200) {
		throw new SignInFailure(
			'idp-login',
			`Pocket ID refused the one-time access token it had just issued for ${username} (HTTP ${exchanged.status}${detailOf(exchanged)}).`,
			exchanged.status === 429 ? 'Pocket ID limits sign-ins with access tokens: wait a minute and run it again.' : "Look at Pocket ID's log; a proxy in front of /api/one-time-access-token may drop it.",
		);
	}
}

/** What the /interaction page does once signed in: complete each required step, then follow the redirect URL. */
async function interact(browser: Browser, origin: string, id: string, steps: string[]): Promise<string> {
	const read = await browser.request({url: `${origin}/api/oidc/interactions/${encodeURIComponent(id)}`, api: true, step});
	let interaction = parse(interactionSchema, read, 'read the interaction');
	for (let turn = 0; turn < 6; turn++) {
		const wanted = interaction.currentStep ?? interaction.requiredSteps?.[0] ?? 'authenticate';
		if (wanted === 'reauthenticate') {
			throw new SignInFailure(
				'idp-login',
				'The OIDC client asks every sign-in to re-authenticate with a passkey, which a test user does not have.',
				'Turn off "Requires re-authentication" for the client (Settings → Admin → OIDC Clients) to let sso-setup prove the sign-in, or check it by hand.',
			);
		}

		steps.push(quoted(wanted));
		const answer = await browser.request({url: `${origin}/api/oidc/interactions/${encodeURIComponent(interaction.id)}/complete`, method: 'POST', json: {step: wanted}, api: true, step, headers: {origin}});
		const completed = parse(completeSchema, answer, `complete the step "${wanted}"`);
		if (completed.redirectUrl) {
			return completed.redirectUrl;
		}

		if (!completed.interaction) {
			break;
		}

		interaction = completed.interaction;
	}

	throw new SignInFailure('idp-login', `Pocket ID's interaction asked for more steps than expected (${steps.join(', ')}).`, 'Look at the client\'s settings in Pocket ID (re-authentication, consent).');
}

/** Before v2.10: the authorize page's POST /api/oidc/authorize, and the callback URL it builds. */
async function legacyAuthorize(browser: Browser, start: URL, request: Request): Promise<{callbackUrl: string; authorizeSeen: string; loginSeen: string}> {
	const query = start.searchParams;
	const optional = (key: string, name: string) => (query.get(key) ? {[name]: query.get(key)} : {});
	const response = await browser.request({
		url: `${start.origin}/api/oidc/authorize`,
		json: {
			clientId: query.get('client_id') ?? '',
			scope: query.get('scope') ?? '',
			callbackURL: query.get('redirect_uri') ?? '',
			...optional('nonce', 'nonce'),
			...optional('code_challenge', 'codeChallenge'),
			...optional('code_challenge_method', 'codeChallengeMethod'),
			...optional('prompt', 'prompt'),
			...optional('response_mode', 'responseMode'),
		},
		api: true,
		step,
		headers: {origin: start.origin},
	});
	if (response.status !== 200) {
		throw refused(messageOf(response), request, response.status);
	}

	const answer = parse(legacySchema, response, 'authorize the client');
	if (answer.error || !answer.code || !answer.callbackURL) {
		throw new SignInFailure('idp-login', `Pocket ID did not authorize the client${answer.error ? `: "${quoted(answer.error)}"` : ''}.`, "Look at the client's settings in Pocket ID (re-authentication, PAR).");
	}

	const callback = new URL(answer.callbackURL);
	const fragment = query.get('response_mode') === 'fragment';
	const parameters = fragment ? new URLSearchParams(callback.hash.slice(1)) : callback.searchParams;
	for (const [key, value] of Object.entries({code: answer.code, state: query.get('state') ?? '', iss: answer.issuer ?? ''})) {
		if (value) parameters.set(key, value);
	}

	if (fragment) callback.hash = parameters.toString();
	return finished(callback, request, ['authorize']);
}

/** Pocket ID's refusals: the interaction error page's message, or the JSON error of /api/oidc/authorize. */
function refused(message: string, request: Request, status?: number): SignInFailure {
	const said = quoted(message);
	if (/not allowed to access/i.test(message) || status === 403) {
		return new SignInFailure(
			'idp-login',
			`Pocket ID refused the test user ${request.username} for client ${request.clientId}: "${said}".`,
			`The client lets only its allowed user groups in (Settings → Admin → OIDC Clients → the client → Allowed user groups): sso-setup puts its test user in them when it creates it, so the restriction changed since; put the app's users in an allowed group.`,
		);
	}

	if (/redirect|callback/i.test(message)) {
		return new SignInFailure(
			'idp-authorize',
			`Pocket ID refused the callback URL ${request.redirectUri}: "${said}".`,
			`Add ${request.redirectUri} to the Callback URLs of the OIDC client ${request.clientId} (Settings → Admin → OIDC Clients).`,
		);
	}

	if (status === 404 || (/client/i.test(message) && /not exist|not found/i.test(message))) {
		return new SignInFailure('idp-authorize', `Pocket ID does not know the client ${request.clientId}: "${said}".`, "Set the app's client ID to the one of its Pocket ID client, or run apply again.");
	}

	return new SignInFailure('idp-authorize', `Pocket ID refused the authorization request${status ? ` (HTTP ${status})` : ''}: "${said}".`, "Look at the client's settings in Pocket ID (PKCE, scopes, callback URLs).");
}

function finished(callback: URL, request: Request, steps: readonly string[]): {callbackUrl: string; authorizeSeen: string; loginSeen: string} {
	const done = steps.length > 0 ? ` and completed ${steps.join(', ')}` : '';
	return {
		callbackUrl: callback.href,
		authorizeSeen: `Pocket ID accepted the authorization request of client ${request.clientId} with the callback URL ${request.redirectUri}.`,
		loginSeen: `The test user ${request.username} signed in with a one-time access token (Pocket ID has no passwords; the test user's password is not used)${done}; Pocket ID sent the browser back to ${callback.origin}${callback.pathname}.`,
	};
}

function parse<T>(schema: z.ZodType<T>, response: HttpResponse, what: string): T {
	let body: unknown;
	try {
		body = JSON.parse(response.text);
	} catch {
		body = undefined;
	}

	const parsed = schema.safeParse(body);
	if (response.status === 200 && parsed.success) {
		return parsed.data;
	}

	throw new SignInFailure('idp-login', `Pocket ID did not let the browser ${what} (HTTP ${response.status}${detailOf(response)}).`, "Look at Pocket ID's log; the session from the one-time access token may not have been kept (a proxy dropping cookies).");
}

function messageOf(response: HttpResponse): string {
	try {
		const body = JSON.parse(response.text) as Record<string, unknown>;
		return typeof body['error'] === 'string' ? body['error'] : '';
	} catch {
		return '';
	}
}

function detailOf(response: HttpResponse): string {
	const message = messageOf(response);
	return message ? `: "${quoted(message)}"` : '';
}

/** Text from Pocket ID inside a sentence: one line, bounded, no control characters. */
function quoted(text: string): string {
	const line = printable(text.replace(/\s+/g, ' ').trim());
	return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
