import {SsoSetupError} from '../../../core/errors.js';
import {extractErrorDetail} from '../../../core/http-errors.js';
import {printable} from '../../../core/text.js';
import {SignInFailure, type TestUser, type TestUserRecord} from '../../../core/sign-in.js';
import type {HttpResponse} from '../../../core/http.js';
import {requireSecret} from '../../kit/require-secret.js';
import {required} from '../../kit/app-settings.js';
import {elementText, fillLogin, findForms, findPasswordForm, shortText, visibleText} from '../../kit/html-form.js';
import {authorizeRequest, describeUrl, isTestUserName, pageHeaders, redirectAway} from '../../kit/sign-in-pages.js';
import type {IdpSignIn, IntegrationContext} from '../../types.js';
import {KeycloakAdmin, type KeycloakGroup} from './keycloak-api.js';

/**
 * Keycloak's side of the sign-in proof: the throw-away user made through the admin API (complete
 * enough that Keycloak 26's user profile asks nothing at the first sign-in), and the login form
 * played as a browser without JavaScript.
 */

type Admin = {admin: KeycloakAdmin; realm: string};

async function connectAdmin(context: IntegrationContext): Promise<Admin> {
	const idpUrl = required(context, 'keycloak', 'idp_url', 'the URL of Keycloak').replace(/\/+$/, '');
	const realm = required(context, 'keycloak', 'realm', 'the Keycloak realm');
	const user = context.values['keycloak_admin_user'] || 'admin';
	const password = await requireSecret(context, 'keycloak_admin_password', 'keycloak', `It is the password of "${user}", an administrator of the master realm (${idpUrl}/admin/).`);
	context.progress('keycloak: signing in to the master realm');
	return {admin: await KeycloakAdmin.connect(context, idpUrl, user, password), realm};
}

/**
 * The group a name stands for: a full path ("/parent/child"), else the one group with that name at
 * any depth. A group that cannot be found breaks the admin rights when it is the admin group, else
 * the login (a group the client is restricted to).
 */
async function findGroup({admin, realm}: Admin, name: string, adminGroup: string | undefined): Promise<KeycloakGroup> {
	const link = name === adminGroup ? 'admin-rights' : 'idp-login';
	if (name.startsWith('/')) {
		const group = await admin.groupByPath(realm, name);
		if (group) {
			return group;
		}
	} else {
		const groups = await admin.groupsNamed(realm, name);
		if (groups.length === 1) {
			return groups[0]!;
		}

		if (groups.length > 1) {
			throw new SignInFailure(
				link,
				`Keycloak realm ${realm} has ${groups.length} groups named "${printable(name)}" (${groups.map((group) => printable(group.path ?? group.name)).join(', ')}).`,
				'Give each group a distinct name, or set admin_group to the full path of the one you mean and let the groups claim send full paths.',
			);
		}
	}

	if (link === 'admin-rights') {
		throw new SignInFailure(
			link,
			`Keycloak realm ${realm} has no group "${printable(name)}", so no one can get the admin rights it should give.`,
			`Create the group ${printable(name)} in realm ${realm} (Groups → Create group) and put the administrators in it, or set admin_group to the name of an existing group.`,
		);
	}

	throw new SignInFailure(link, `Keycloak realm ${realm} has no group "${printable(name)}" to put the test user in.`, `Create the group ${printable(name)} in realm ${realm}, or name an existing one.`);
}

/** Keycloak's full-name mapper joins first and last name: "sso-setup test-1a2b3c", unique like the user name. */
function names(user: TestUser): {firstName: string; lastName: string} {
	return {firstName: 'sso-setup', lastName: user.username.replace(/^sso-setup-/, '') || 'test'};
}

function keycloakTestUserWhere(context: IntegrationContext): string {
	return `Keycloak realm ${context.values['realm'] ?? '?'} at ${context.values['idp_url'] ?? '?'}`;
}

const disabledPattern = /disabled|locked|temporarily/i;

/** Keycloak answers some refusals with {"error": "..."} when the request also accepts JSON. */
function jsonError(page: HttpResponse): string | undefined {
	return /^\s*\{/.test(page.text) ? extractErrorDetail(page.text) : undefined;
}

/** A sign-in refused on the page: what Keycloak said and what to do about it. */
function loginRefused(page: HttpResponse, username: string, client: string, realm: string): SignInFailure {
	const required = new URL(page.url).pathname.endsWith('/login-actions/required-action') ? new URL(page.url).searchParams.get('execution') : null;
	if (required) {
		return new SignInFailure(
			'idp-login',
			`Keycloak asks "${printable(username)}" to complete the required action ${printable(required)} before signing in.`,
			required === 'VERIFY_PROFILE'
				? `The realm's user profile wants more attributes than the user has: make them optional in realm ${realm} (Realm settings → User profile) or give the user every required attribute.`
				: `Remove the required action from the user (Users → ${printable(username)} → Required user actions), or from the realm's defaults (Authentication → Required actions).`,
		);
	}

	const said = elementText(page.text, {className: 'kc-feedback-text'}) ?? elementText(page.text, {id: 'input-error'}) ?? elementText(page.text, {id: 'kc-error-message'}) ?? jsonError(page);
	const title = elementText(page.text, {id: 'kc-page-title'});
	const seen = said
		? `Keycloak refused "${printable(username)}": "${printable(shortText(said))}" (HTTP ${page.status}).`
		: `After the password, Keycloak showed "${printable(shortText(title ?? visibleText(page.text)))}" (HTTP ${page.status}) instead of sending the browser back to the app.`;
	if (said && disabledPattern.test(said)) {
		return new SignInFailure('idp-login', seen, `Enable the user in realm ${realm} (Users → ${printable(username)} → Enabled), or lift the lock (brute force detection).`);
	}

	if (said && /invalid username or password/i.test(said)) {
		return new SignInFailure('idp-login', seen, `Keycloak did not accept the user's password: check that the user exists in realm ${realm} with that password and that the browser flow of client ${printable(client)} signs in with a username and password.`);
	}

	return new SignInFailure(
		'idp-login',
		seen,
		`Keycloak did not let the user sign in to client ${printable(client)}: if the client restricts who may sign in (an authentication flow, a policy, a group), the user must meet it, or lift the restriction.`,
	);
}

/** An error page for the authorization request: the redirect URI, the client, or the request itself. */
function authorizeRefused(page: HttpResponse, request: {clientId: string; redirectUri: string}, realm: string): SignInFailure {
	const said = elementText(page.text, {id: 'kc-error-message'}) ?? elementText(page.text, {className: 'instruction'}) ?? jsonError(page) ?? shortText(visibleText(page.text));
	const seen = `Keycloak answered the sign-in request with HTTP ${page.status}: "${printable(shortText(said))}".`;
	if (/redirect_uri/i.test(said)) {
		return new SignInFailure(
			'idp-authorize',
			`Keycloak refused the redirect URI ${printable(request.redirectUri)} (HTTP ${page.status}: "${printable(shortText(said))}").`,
			`Keycloak refused the redirect URI ${printable(request.redirectUri)}: add it to client ${printable(request.clientId)}'s Valid redirect URIs (realm ${realm}, Clients → ${printable(request.clientId)} → Settings).`,
		);
	}

	if (/client not found/i.test(said)) {
		return new SignInFailure('idp-authorize', seen, `Realm ${realm} has no client "${printable(request.clientId)}": check client_id, or register the client again (sso-setup apply).`);
	}

	if (/client.*disabled/i.test(said)) {
		return new SignInFailure('idp-authorize', seen, `Enable the client ${printable(request.clientId)} in realm ${realm} (Clients → ${printable(request.clientId)} → Enabled).`);
	}

	return new SignInFailure('idp-authorize', seen, `Check the client ${printable(request.clientId)} in realm ${realm} against what the app asks for (the scopes, the response type, PKCE).`);
}

export const keycloakSignIn: IdpSignIn = {
	async createTestUser(context, user) {
		const connection = await connectAdmin(context);
		const {admin, realm} = connection;
		// Groups first: a missing admin group fails before a user exists.
		const groups: KeycloakGroup[] = [];
		for (const name of user.groups) {
			groups.push(await findGroup(connection, name, context.values['admin_group']));
		}

		const {firstName, lastName} = names(user);
		context.progress(`keycloak: creating the test user ${user.username} in realm ${realm}`);
		const id = await admin.createUser(realm, {
			username: user.username,
			email: user.email,
			emailVerified: true,
			firstName,
			lastName,
			enabled: true,
			credentials: [{type: 'password', value: user.password, temporary: false}],
		});
		if (!id) {
			throw new SsoSetupError(`keycloak: realm ${realm} already has a user named ${user.username} (or with its email ${user.email}).`, {
				hint: 'That is a test user left behind by an earlier run: delete it in Keycloak (Users), then run again.',
			});
		}

		for (const group of groups) {
			context.progress(`keycloak: putting the test user in the group ${group.path ?? group.name}`);
			await admin.addUserToGroup(realm, id, group.id);
		}

		// What Keycloak's default client scopes send (profile, email, basic): names in lower case.
		const record: TestUserRecord = {username: user.username, id, where: keycloakTestUserWhere(context)};
		return {
			record,
			claims: {
				sub: id,
				preferred_username: user.username.toLowerCase(),
				email: user.email.toLowerCase(),
				name: `${firstName} ${lastName}`,
				given_name: firstName,
				family_name: lastName,
			},
		};
	},

	async deleteTestUser(context, record) {
		if (!isTestUserName(record.username)) {
			throw new SsoSetupError(`keycloak: "${printable(record.username)}" is not a name sso-setup gives its test users, so it was not deleted.`, {hint: 'Delete the user in Keycloak yourself if it is a test user.'});
		}

		const {admin, realm} = await connectAdmin(context);
		context.progress(`keycloak: deleting the test user ${record.username}`);
		let deleted = record.id ? await admin.deleteUser(realm, record.id) : false;
		for (const user of await admin.findUsers(realm, record.username)) {
			deleted = (await admin.deleteUser(realm, user.id)) || deleted;
		}

		return deleted ? 'deleted' : 'absent';
	},

	async logIn(context, browser, authorizeUrl, credentials) {
		const realm = context.values['realm'] ?? new URL(authorizeUrl).pathname.split('/realms/')[1]?.split('/')[0] ?? '?';
		const request = authorizeRequest(authorizeUrl);
		const origin = new URL(authorizeUrl).origin;
		const page = await browser.follow({url: authorizeUrl, step: 'keycloak: open the sign-in page', headers: {...pageHeaders}}, {within: origin});
		const back = redirectAway(page, origin);
		if (back) {
			return {callbackUrl: back, authorizeSeen: `Keycloak sent the browser straight back to ${describeUrl(back)} (HTTP ${page.status}).`, loginSeen: 'No login form: Keycloak answered without asking for the password.'};
		}

		if (page.status >= 400) {
			throw authorizeRefused(page, request, realm);
		}

		if (page.status >= 300) {
			throw new SignInFailure('idp-authorize', `Keycloak kept redirecting the browser within itself (last: HTTP ${page.status} to ${describeUrl(page.headers['location'] ?? '')}).`, `Look at the Keycloak log of realm ${realm} for the cause.`);
		}

		const form = findForms(page.text, page.url).find((candidate) => candidate.id === 'kc-form-login') ?? findPasswordForm(page.text, page.url);
		if (!form) {
			throw new SignInFailure(
				'idp-authorize',
				`Keycloak answered the sign-in request with "${printable(shortText(elementText(page.text, {id: 'kc-page-title'}) ?? visibleText(page.text)))}" (HTTP ${page.status}), not with its login form.`,
				`Check that the browser flow of realm ${realm} (Authentication) asks for a username and password.`,
			);
		}

		const authorizeSeen = `Keycloak showed its login form for client ${printable(request.clientId)} in realm ${realm}.`;
		const answer = await browser.follow({url: form.action, method: 'POST', form: fillLogin(form, credentials), step: 'keycloak: sign in the test user', headers: {...pageHeaders}}, {within: origin});
		const callbackUrl = redirectAway(answer, origin);
		if (!callbackUrl) {
			throw loginRefused(answer, credentials.username, request.clientId, realm);
		}

		return {callbackUrl, authorizeSeen, loginSeen: `Keycloak accepted "${printable(credentials.username)}" and sent the browser back to ${describeUrl(callbackUrl)}.`};
	},
};
