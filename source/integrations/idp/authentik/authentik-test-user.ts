import {SsoSetupError, UsageError} from '../../../core/errors.js';
import type {TestUser, TestUserClaims, TestUserRecord} from '../../../core/sign-in.js';
import type {IntegrationContext} from '../../types.js';
import type {AuthentikApi, Group, PolicyBinding, Provider, User} from './authentik-api.js';

/**
 * The throw-away user of the sign-in proof at authentik: an internal user with a password, in the
 * groups asked for (the admin group) and in every group bound to the application, so that group
 * bindings let it in. Other bindings (policies, single users) are left as they are: a user they
 * refuse is what the sign-in is there to show.
 */

const testUserPrefix = 'sso-setup-test-';

export type TestUserTarget = {api: AuthentikApi; idpUrl: string; slug: string};

export async function createTestUser(context: IntegrationContext, target: TestUserTarget, user: TestUser): Promise<{record: TestUserRecord; claims: TestUserClaims}> {
	const {api, idpUrl, slug} = target;
	guard(user.username);
	context.progress(`authentik: looking up who may use the application "${slug}"`);
	const application = await api.application(slug);
	if (!application) {
		throw new SsoSetupError(`authentik: there is no application "${slug}" to sign in to.`, {hint: 'Run apply first: it creates the application and its provider.'});
	}

	const bindings = await api.bindings(application.pk);
	const groups = uniqueGroups([...(await namedGroups(api, user.groups)), ...boundGroups(bindings)]);
	const provider = typeof application.provider === 'number' ? await api.provider(application.provider) : undefined;

	context.progress(`authentik: creating the test user ${user.username}`);
	const created = await api.createUser({username: user.username, name: 'sso-setup test user', email: user.email, is_active: true, path: 'users', type: 'internal'});
	const record: TestUserRecord = {username: created.username, id: String(created.pk), where: whereOf(idpUrl)};
	await api.setPassword(created.pk, user.password);
	for (const group of groups) {
		context.progress(`authentik: adding the test user to the group "${group.name}"`);
		await api.addToGroup(group.pk, created.pk);
	}

	return {record, claims: claimsOf(created, groups, provider)};
}

/** Deletes the user by its pk when that pk still holds this user name, else by name; never another user. */
export async function deleteTestUser(context: IntegrationContext, target: TestUserTarget, record: TestUserRecord): Promise<'deleted' | 'absent'> {
	const {api} = target;
	guard(record.username);
	context.progress(`authentik: deleting the test user ${record.username}`);
	const byId = record.id !== undefined && /^\d+$/.test(record.id) ? await api.user(Number(record.id)) : undefined;
	const user = byId?.username === record.username ? byId : await api.userNamed(record.username);
	return user ? api.deleteUser(user.pk) : 'absent';
}

export function whereOf(idpUrl: string): string {
	return `authentik at ${idpUrl} (Directory → Users)`;
}

function guard(username: string): void {
	if (!username.startsWith(testUserPrefix)) {
		throw new SsoSetupError(`authentik: "${username}" is not a name sso-setup gives its test users; it creates and deletes only ${testUserPrefix}… users.`);
	}
}

async function namedGroups(api: AuthentikApi, names: readonly string[]): Promise<Group[]> {
	const groups: Group[] = [];
	for (const name of names) {
		const group = await api.groupNamed(name);
		if (!group) {
			throw new UsageError(`authentik: there is no group named "${name}" to put the test user in.`, {hint: 'Create the group in authentik (Directory → Groups), or fix admin_group.'});
		}

		groups.push(group);
	}

	return groups;
}

/** The groups whose members an enabled, non-negated group binding lets in. */
function boundGroups(bindings: readonly PolicyBinding[]): Group[] {
	return bindings.flatMap((binding) => (binding.enabled !== false && !binding.negate && binding.group ? [{pk: binding.group, name: binding.group_obj?.name ?? binding.group}] : []));
}

function uniqueGroups(groups: readonly Group[]): Group[] {
	return groups.filter((group, index) => groups.findIndex((other) => other.pk === group.pk) === index);
}

/**
 * What authentik's default scope mappings send for the user (blueprints/system/providers-oauth2.yaml:
 * email, profile with the group names) and the subject its provider's sub_mode gives (id_token.py).
 * Groups are joined with commas.
 */
function claimsOf(user: User, groups: readonly Group[], provider: Provider | undefined): TestUserClaims {
	const claims: Record<string, string> = {
		preferred_username: user.username,
		nickname: user.username,
		name: user.name,
		given_name: user.name,
		groups: groups.map((group) => group.name).join(','),
	};
	if (user.email) {
		claims['email'] = user.email;
	}

	const sub = subjectOf(user, provider?.sub_mode ?? 'hashed_user_id');
	if (sub) {
		claims['sub'] = sub;
	}

	return claims;
}

function subjectOf(user: User, subMode: string): string | undefined {
	switch (subMode) {
		case 'hashed_user_id':
		case 'user_upn': {
			return user.uid;
		}

		case 'user_id': {
			return String(user.pk);
		}

		case 'user_uuid': {
			return user.uuid;
		}

		case 'user_email': {
			return user.email;
		}

		case 'user_username': {
			return user.username;
		}

		default: {
			return undefined;
		}
	}
}
