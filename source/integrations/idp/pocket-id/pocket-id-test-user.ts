import {SsoSetupError, UsageError} from '../../../core/errors.js';
import type {TestUser, TestUserClaims, TestUserRecord} from '../../../core/sign-in.js';
import type {IntegrationContext} from '../../types.js';
import type {PocketClient, PocketIdApi, PocketUser} from './pocket-id-api.js';

/**
 * The throw-away user of the sign-in proof at Pocket ID: no password (Pocket ID has none; the
 * sign-in uses a one-time access token), in the groups asked for (the admin group) and in the
 * client's allowed user groups when the client is restricted to them.
 */

const testUserPrefix = 'sso-setup-test-';

export type TestUserTarget = {api: PocketIdApi; idpUrl: string; clientId: string};

export async function createTestUser(context: IntegrationContext, target: TestUserTarget, user: TestUser): Promise<{record: TestUserRecord; claims: TestUserClaims}> {
	const {api, idpUrl, clientId} = target;
	guard(user.username);
	context.progress('pocket-id: looking up the client and the groups for the test user');
	const client = await api.client(clientId);
	if (!client) {
		throw new SsoSetupError(`pocket-id: there is no OIDC client ${clientId} to sign in to.`, {hint: 'Run apply first, or set client_id to the client of the app.'});
	}

	const named = user.groups.length > 0 ? await api.groupIds(user.groups) : {ids: [], missing: []};
	if (named.missing.length > 0) {
		throw new UsageError(`pocket-id: there is no user group named ${named.missing.map((name) => `"${name}"`).join(', ')} to put the test user in.`, {
			hint: 'Create the group in Pocket ID (Settings → Admin → User Groups), or fix admin_group.',
		});
	}

	const allowed = restricted(client) ? (client.allowedUserGroups ?? []) : [];
	const groupIds = [...new Set([...named.ids, ...allowed.map((group) => group.id)])];

	context.progress(`pocket-id: creating the test user ${user.username}`);
	// Pocket ID users have no password: user.password is not sent anywhere (see logIn).
	const created = await api.createUser({username: user.username, email: user.email, emailVerified: true, firstName: 'sso-setup', lastName: 'test user', isAdmin: false, disabled: false});
	const record: TestUserRecord = {username: created.username, id: created.id, where: whereOf(idpUrl)};
	if (groupIds.length > 0) {
		context.progress('pocket-id: putting the test user in its groups');
		await api.setUserGroups(created.id, groupIds);
	}

	// Read back: the groups the claims will carry are the ones Pocket ID now has for the user.
	const stored = (await api.user(created.id)) ?? created;
	return {record, claims: claimsOf(stored)};
}

/** Deletes the user by its id when that id still holds this user name, else by name; never another user. */
export async function deleteTestUser(context: IntegrationContext, target: TestUserTarget, record: TestUserRecord): Promise<'deleted' | 'absent'> {
	const {api} = target;
	guard(record.username);
	context.progress(`pocket-id: deleting the test user ${record.username}`);
	const byId = record.id ? await api.user(record.id) : undefined;
	const user = byId?.username === record.username ? byId : await api.userNamed(record.username);
	return user ? api.deleteUser(user.id) : 'absent';
}

export function whereOf(idpUrl: string): string {
	return `Pocket ID at ${idpUrl} (Settings → Admin → Users)`;
}

/** isGroupRestricted from v2.0 on; before, a client with allowed groups was restricted to them. */
function restricted(client: PocketClient): boolean {
	return client.isGroupRestricted ?? (client.allowedUserGroups ?? []).length > 0;
}

function guard(username: string): void {
	if (!username.startsWith(testUserPrefix)) {
		throw new SsoSetupError(`pocket-id: "${username}" is not a name sso-setup gives its test users; it creates and deletes only ${testUserPrefix}… users.`);
	}
}

/**
 * What Pocket ID sends for the user (backend/internal/oidc/claims_service.go): sub is the user id;
 * profile gives preferred_username and the names; email; the groups scope the group names,
 * joined here with commas.
 */
function claimsOf(user: PocketUser): TestUserClaims {
	const name = [user.firstName ?? '', user.lastName ?? ''].join(' ').trim();
	return {
		sub: user.id,
		preferred_username: user.username,
		...(user.firstName ? {given_name: user.firstName} : {}),
		...(user.lastName ? {family_name: user.lastName} : {}),
		...(name ? {name} : {}),
		...(user.email ? {email: user.email} : {}),
		groups: (user.userGroups ?? []).map((group) => group.name).join(','),
	};
}
