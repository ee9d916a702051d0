import type {Browser} from '../../../core/browser.js';
import type {HttpResponse} from '../../../core/http.js';
import {SignInFailure} from '../../../core/sign-in.js';
import {printable} from '../../../core/text.js';
import {elementText, fillLogin, findForms, findLinks, findPasswordForm, shortText, visibleText, type HtmlForm} from '../../kit/html-form.js';
import {authorizeRequest, describeUrl, pageHeaders, redirectAway} from '../../kit/sign-in-pages.js';
import type {IdpSignIn} from '../../types.js';

/**
 * Any other OpenID provider's side of the sign-in proof: it has no admin API here, so the person
 * names a test account (`test_user`, password in the secret `test_user_password`) and sso-setup
 * signs it in through the provider's HTML login form, as a browser without JavaScript would.
 * Written against Dex (a connector list, the `login`/`password` form, its error box) and kept
 * generic: any page with a password form is filled in.
 */

const name = 'The identity provider';

/** Text that explains an error on a page: Dex's error box, else a heading and the first paragraph. */
function pageMessage(page: HttpResponse): string {
	return (
		elementText(page.text, {id: 'login-error'}) ??
		elementText(page.text, {className: 'dex-error-box'}) ??
		[elementText(page.text, {className: 'theme-heading'}), elementText(page.text, {className: 'theme-panel'})].find(Boolean) ??
		shortText(visibleText(page.text))
	);
}

function authorizeRefused(page: HttpResponse, request: {clientId: string; redirectUri: string}): SignInFailure {
	const said = printable(shortText(elementText(page.text, {className: 'theme-panel'}) ?? pageMessage(page)));
	if (/redirect.?uri/i.test(said)) {
		return new SignInFailure(
			'idp-authorize',
			`${name} refused the redirect URI ${printable(request.redirectUri)} (HTTP ${page.status}: "${said}").`,
			`${name} refused the redirect URI ${printable(request.redirectUri)}: register it, exactly as written, for client ${printable(request.clientId)} (Dex: redirectURIs of the static client).`,
		);
	}

	if (/client/i.test(said)) {
		return new SignInFailure('idp-authorize', `${name} refused the sign-in request (HTTP ${page.status}: "${said}").`, `Check that client ${printable(request.clientId)} exists at the provider and that client_id is exactly its id.`);
	}

	return new SignInFailure('idp-authorize', `${name} refused the sign-in request (HTTP ${page.status}: "${said}").`, `Check the client ${printable(request.clientId)} at the provider against what the app asks for (scopes, response type, PKCE).`);
}

/** A page listing the ways to sign in (Dex's connectors): the one with a password, on the provider's origin. */
function passwordConnector(page: HttpResponse, origin: string): string | undefined {
	const links = findLinks(page.text, page.url).filter((link) => new URL(link.href).origin === origin);
	return (
		links.find((link) => /\/auth\/(local|ldap)\/?$/.test(new URL(link.href).pathname)) ??
		links.find((link) => /password|e-?mail|user ?name|local/i.test(link.text))
	)?.href;
}

function isApproval(form: HtmlForm): boolean {
	return form.inputs.some((input) => input.name === 'approval');
}

export const oidcSignIn: IdpSignIn = {
	async logIn(_context, browser: Browser, authorizeUrl, credentials) {
		const request = authorizeRequest(authorizeUrl);
		const origin = new URL(authorizeUrl).origin;
		const open = (url: string) => browser.follow({url, step: 'oidc: open the sign-in page', headers: {...pageHeaders}}, {within: origin});
		let page = await open(authorizeUrl);
		let back = redirectAway(page, origin);
		if (back) {
			return {callbackUrl: back, authorizeSeen: `${name} sent the browser straight back to ${describeUrl(back)} (HTTP ${page.status}).`, loginSeen: 'No login form: the provider answered without asking for the password.'};
		}

		if (page.status >= 400) {
			throw authorizeRefused(page, request);
		}

		let form = findPasswordForm(page.text, page.url);
		if (!form) {
			const connector = passwordConnector(page, origin);
			if (connector) {
				page = await open(connector);
				back = redirectAway(page, origin);
				if (back) {
					return {callbackUrl: back, authorizeSeen: `${name} sent the browser straight back to ${describeUrl(back)} (HTTP ${page.status}).`, loginSeen: 'No login form: the provider answered without asking for the password.'};
				}

				if (page.status >= 400) {
					throw authorizeRefused(page, request);
				}

				form = findPasswordForm(page.text, page.url);
			}
		}

		if (!form) {
			throw new SignInFailure(
				'idp-authorize',
				`${name} answered the sign-in request with "${printable(shortText(pageMessage(page)))}" (HTTP ${page.status}) at ${describeUrl(page.url)}, with no password form sso-setup could fill in.`,
				'sso-setup signs in through a plain HTML form with a user name and a password. Let the test account sign in that way (Dex: a static password or the LDAP connector), or prove the sign-in in a browser.',
			);
		}

		const authorizeSeen = `${name} showed its password form for client ${printable(request.clientId)} at ${describeUrl(page.url)}.`;
		const answer = await browser.follow({url: form.action, method: form.method, form: fillLogin(form, credentials), step: 'oidc: sign in the test user', headers: {...pageHeaders}}, {within: origin});
		const callbackUrl = redirectAway(answer, origin);
		if (callbackUrl) {
			return {callbackUrl, authorizeSeen, loginSeen: `${name} accepted "${printable(credentials.username)}" and sent the browser back to ${describeUrl(callbackUrl)}.`};
		}

		const approval = findForms(answer.text, answer.url).find(isApproval);
		if (approval) {
			throw new SignInFailure(
				'idp-login',
				`${name} accepted "${printable(credentials.username)}" but asks the user to grant access to client ${printable(request.clientId)} (HTTP ${answer.status}).`,
				'Let the client skip the consent screen (Dex: oauth2.skipApprovalScreen: true), or grant the access once in a browser.',
			);
		}

		throw new SignInFailure(
			'idp-login',
			`${name} refused "${printable(credentials.username)}": "${printable(shortText(pageMessage(answer)))}" (HTTP ${answer.status}).`,
			`Check test_user and its password (SSO_SETUP_TEST_USER_PASSWORD), and that this account may sign in to client ${printable(request.clientId)}.`,
		);
	},
};
