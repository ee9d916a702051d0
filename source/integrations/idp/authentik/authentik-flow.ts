import * as z from 'zod';
import {redirectTarget, type Browser} from '../../../core/browser.js';
import type {HttpResponse} from '../../../core/http-types.js';
import {SignInFailure} from '../../../core/sign-in.js';
import {printable} from '../../../core/text.js';

/**
 * The browser's side of an authentik sign-in, without JavaScript: what authentik's flow interface
 * does with its flow executor API (/api/v3/flows/executor/<slug>/, in the published schema).
 *
 * GET /application/o/authorize/ sends a browser without a session to the authentication flow's
 * interface (/if/flow/<slug>/?next=<the authorize URL>); the interface asks the executor for a
 * challenge and answers it (identification, password, …) until a xak-flow-redirect sends it back
 * to the authorize URL. Signed in, the authorize URL plans the provider's authorization flow
 * (consent, then the code) and sends the browser to its interface; its last challenge redirects
 * to the app's callback.
 */

const step = 'authentik: sign in the test user';
/** authentik's answer when a page is the flow interface: /if/flow/<slug>/ (a slug: letters, digits, "-", "_"). */
const flowInterface = /^\/if\/flow\/([-a-zA-Z0-9_]+)\/?$/;

const errorDetail = z.looseObject({string: z.string().max(2000)});
const challengeSchema = z.looseObject({
	component: z.string().max(200),
	to: z.string().max(16_000).optional(),
	token: z.string().max(2000).optional(),
	password_fields: z.boolean().optional(),
	response_errors: z.record(z.string().max(200), z.array(errorDetail).max(20)).optional(),
	error_message: z.string().max(2000).optional(),
	error: z.string().max(2000).optional(),
});
type Challenge = z.infer<typeof challengeSchema>;

type Credentials = {username: string; password: string};

/** What happened in one flow, for the "seen" sentences: its slug and the stages answered. */
type FlowRun = {slug: string; answered: string[]};

export async function logIn(browser: Browser, authorizeUrl: string, credentials: Credentials): Promise<{callbackUrl: string; authorizeSeen: string; loginSeen: string}> {
	const start = new URL(authorizeUrl);
	const origin = start.origin;
	// Both come from the app's authorization URL: only ever shown.
	const clientId = quoted(start.searchParams.get('client_id') ?? '');
	const redirectUri = quoted(start.searchParams.get('redirect_uri') ?? '');
	const runs: FlowRun[] = [];
	let authorizeSeen: string | undefined;
	let next = authorizeUrl;
	// authorize → authentication flow → authorize → authorization flow → callback; a spare round for a flow in between.
	for (let round = 0; round < 5; round++) {
		const response = await browser.follow({url: next, step}, {within: origin});
		const target = redirectTarget(response);
		if (target && new URL(target).origin !== origin) {
			return finished(target, authorizeSeen ?? accepted(clientId, redirectUri, undefined), runs, credentials.username);
		}

		const page = new URL(response.url);
		const slug = flowInterface.exec(page.pathname)?.[1];
		if (response.status !== 200 || !slug) {
			throw refusedAt(response, {clientId, redirectUri, username: credentials.username, signedIn: runs.length > 0});
		}

		authorizeSeen ??= accepted(clientId, redirectUri, slug);
		const run: FlowRun = {slug, answered: []};
		runs.push(run);
		const redirect = await runFlow(browser, page, run, credentials);
		next = new URL(redirect, origin).href;
		if (new URL(next).origin !== origin) {
			return finished(next, authorizeSeen, runs, credentials.username);
		}
	}

	throw new SignInFailure('idp-login', `authentik kept sending the browser from flow to flow (${runs.map((run) => `"${run.slug}"`).join(', ')}) without coming back to the app.`, 'Check the authorization flow of the provider and the policies bound to its stages.');
}

/** Answers the executor's challenges until one redirects; returns where to. */
async function runFlow(browser: Browser, page: URL, run: FlowRun, credentials: Credentials): Promise<string> {
	const executor = `${page.origin}/api/v3/flows/executor/${encodeURIComponent(run.slug)}/?query=${encodeURIComponent(page.search.replace(/^\?/, ''))}`;
	let challenge = await readChallenge(await browser.follow({url: executor, step, api: true}, {within: page.origin}), run);
	for (let turn = 0; turn < 12; turn++) {
		if (challenge.component === 'xak-flow-redirect') {
			if (!challenge.to) {
				throw new SignInFailure('idp-login', `authentik's flow "${run.slug}" ended with a redirect that goes nowhere.`, 'Look at the flow in authentik (Flows and Stages → Flows).');
			}

			const to = new URL(challenge.to, page.origin);
			if (to.origin !== page.origin || !to.pathname.startsWith('/api/v3/flows/executor/')) {
				return challenge.to;
			}

			// authentik sends the executor's own URL as a redirect challenge when its query was written differently: fetch it again.
			challenge = await readChallenge(await browser.follow({url: to.href, step, api: true}, {within: page.origin}), run);
			continue;
		}

		refuseRepeated(challenge, run, credentials.username);
		const answer = answerTo(challenge, run, credentials);
		run.answered.push(challenge.component);
		const csrf = browser.cookie('authentik_csrf', page.href);
		// Like the interface's fetch: same-origin POST with the CSRF cookie echoed in authentik's header.
		const response = await browser.follow(
			{url: executor, method: 'POST', json: answer, api: true, step, headers: {origin: page.origin, referer: page.href, ...(csrf ? {'x-authentik-csrf': csrf} : {})}},
			{within: page.origin},
		);
		challenge = await readChallenge(response, run);
	}

	throw new SignInFailure('idp-login', `authentik's flow "${run.slug}" asked more than 12 questions (${run.answered.join(', ')}).`, 'Look at the stages of the flow in authentik (Flows and Stages → Flows).');
}

function answerTo(challenge: Challenge, run: FlowRun, credentials: Credentials): Record<string, unknown> {
	switch (challenge.component) {
		case 'ak-stage-identification': {
			return {component: challenge.component, uid_field: credentials.username, ...(challenge.password_fields ? {password: credentials.password} : {})};
		}

		case 'ak-stage-password': {
			return {component: challenge.component, password: credentials.password};
		}

		case 'ak-stage-consent': {
			return {component: challenge.component, token: challenge.token ?? ''};
		}

		case 'ak-stage-user-login': {
			return {component: challenge.component, remember_me: false};
		}

		case 'ak-stage-access-denied': {
			const said = challenge.error_message ? `: ${quoted(challenge.error_message)}` : '';
			throw new SignInFailure(
				'idp-login',
				`authentik denied the test user ${credentials.username} in the flow "${run.slug}"${said}.`,
				`Look at the policies bound to the flow "${run.slug}" and to its stages, and at who may use the application (its Policy / Group / User Bindings).`,
			);
		}

		case 'ak-stage-flow-error': {
			throw new SignInFailure('idp-login', `authentik failed in the flow "${run.slug}"${challenge.error ? `: ${quoted(challenge.error)}` : ''}.`, "Look at authentik's server log and events (Events → Logs) for the error.");
		}

		default: {
			throw new SignInFailure(
				'idp-login',
				`authentik's flow "${run.slug}" asks for "${quoted(challenge.component)}", which a test user cannot answer without a person (after ${run.answered.join(', ') || 'no other stage'}).`,
				`Give the application a flow with identification and password stages only, or let the stage skip users who have not set it up (e.g. "Not configured action: skip" on an authenticator validation stage).`,
			);
		}
	}
}

/** The same stage again, with errors: authentik refused what was sent. */
function refuseRepeated(challenge: Challenge, run: FlowRun, username: string): void {
	const errors = Object.values(challenge.response_errors ?? {}).flat();
	if (errors.length === 0 || run.answered.at(-1) !== challenge.component) {
		return;
	}

	const said = quoted(errors.map((error) => error.string).join(' '));
	if (challenge.component === 'ak-stage-password') {
		throw new SignInFailure(
			'idp-login',
			`authentik refused the password of the test user ${username} in the flow "${run.slug}" (${said}).`,
			`sso-setup set that password through the API just before: look at the password stage's backends in the flow "${run.slug}" (an LDAP source or another backend may come first).`,
		);
	}

	throw new SignInFailure('idp-login', `authentik refused the answer to "${challenge.component}" in the flow "${run.slug}" (${said}).`, `Look at that stage of the flow "${run.slug}" in authentik (Flows and Stages).`);
}

async function readChallenge(response: HttpResponse, run: FlowRun): Promise<Challenge> {
	let body: unknown;
	try {
		body = JSON.parse(response.text);
	} catch {
		body = undefined;
	}

	const parsed = challengeSchema.safeParse(body);
	if (response.status !== 200 || !parsed.success) {
		throw new SignInFailure(
			'idp-login',
			`authentik's flow executor for "${run.slug}" answered HTTP ${response.status}${parsed.success ? '' : ' without a challenge'}${detailOf(response) ? `: ${detailOf(response)}` : ''}.`,
			'Check that nothing between sso-setup and authentik (a proxy) changes /api/v3/flows/executor/, and look at authentik\'s server log.',
		);
	}

	return parsed.data;
}

type Where = {clientId: string; redirectUri: string; username: string; signedIn: boolean};

/** authentik's own pages for a refused authorization: its error page (400) or "Permission denied" (policies/denied.html). */
function refusedAt(response: HttpResponse, where: Where): SignInFailure {
	const title = titleOf(response.text);
	if (/redirect uri/i.test(title)) {
		return new SignInFailure(
			'idp-authorize',
			`authentik refused the redirect URI ${where.redirectUri} (HTTP ${response.status}, "${title}").`,
			`Add ${where.redirectUri} to the Redirect URIs of the OAuth2 provider with client ID ${where.clientId} (Applications → Providers), matching mode strict.`,
		);
	}

	if (/client id/i.test(title)) {
		return new SignInFailure('idp-authorize', `authentik does not know the client ID ${where.clientId} (HTTP ${response.status}, "${title}").`, "Set the app's client ID to the one of the authentik provider, or run apply again.");
	}

	if (/permission denied|access denied/i.test(title) || /request has been denied/i.test(response.text)) {
		return new SignInFailure(
			'idp-login',
			`authentik denied the test user ${where.username} the application of client ${where.clientId} ("${title || 'Permission denied'}").`,
			"The application's bindings (Applications → Applications → the application → Policy / Group / User Bindings) let only some users in, and the test user is not among them: the people who should sign in must pass them. For the test user to pass too, bind a group (sso-setup puts its test user in it) rather than a policy or a single-user binding, which it cannot meet.",
		);
	}

	return new SignInFailure(
		where.signedIn ? 'idp-login' : 'idp-authorize',
		`authentik answered the authorization request with HTTP ${response.status}${title ? ` ("${title}")` : ''} at ${response.url.split('?')[0] ?? ''}.`,
		"Look at authentik's events (Events → Logs) for a configuration error of the provider.",
	);
}

function accepted(clientId: string, redirectUri: string, slug: string | undefined): string {
	return `authentik accepted the authorization request of client ${clientId} with the redirect URI ${redirectUri}${slug ? ` and opened the flow "${slug}"` : ''}.`;
}

function finished(callbackUrl: string, authorizeSeen: string, runs: readonly FlowRun[], username: string): {callbackUrl: string; authorizeSeen: string; loginSeen: string} {
	const flows = runs.map((run) => `"${run.slug}"${run.answered.length > 0 ? ` (${run.answered.map((component) => component.replace(/^ak-stage-/, '')).join(', ')})` : ''}`);
	const callback = new URL(callbackUrl);
	const loginSeen =
		flows.length > 0
			? `The test user ${username} went through the flow${flows.length > 1 ? 's' : ''} ${flows.join(' and ')}; authentik sent the browser back to ${callback.origin}${callback.pathname}.`
			: `authentik sent the browser straight back to ${callback.origin}${callback.pathname}.`;
	return {callbackUrl, authorizeSeen, loginSeen};
}

function titleOf(html: string): string {
	const title = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1] ?? '';
	return quoted(title.replace(/\s+/g, ' ').trim());
}

function detailOf(response: HttpResponse): string {
	try {
		const body = JSON.parse(response.text) as Record<string, unknown>;
		return typeof body['detail'] === 'string' ? quoted(body['detail']) : '';
	} catch {
		return titleOf(response.text);
	}
}

/** Text from authentik inside a sentence: one line, bounded, no control characters. */
function quoted(text: string): string {
	const line = printable(text.replace(/\s+/g, ' ').trim());
	return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
