import {SsoSetupError} from '../../../core/errors.js';
import {printable} from '../../../core/text.js';
import type {IntegrationContext} from '../../types.js';
import {harborApi} from './harbor-api.js';

/**
 * Deletes Harbor's copy of the sign-in proof's test user: found by its exact name, and only when it
 * is a user that signed in through the IdP (it has OIDC metadata), never the admin (user id 1).
 * Harbor soft-deletes it, so it no longer blocks a later switch of the auth mode (harbor.md §3).
 */
export async function deleteHarborTestUser(context: IntegrationContext, username: string): Promise<'deleted' | 'absent'> {
	const api = await harborApi(context);
	context.progress(`harbor: deleting the test user ${username}`);
	const found = (await api.searchUsers(username)).find((user) => user.username === username);
	if (!found) {
		return 'absent';
	}

	const user = found.user_id === 1 ? undefined : await api.user(found.user_id);
	if (found.user_id === 1 || (user && !user.oidc_user_meta)) {
		throw new SsoSetupError(`harbor: the Harbor user "${printable(username)}" did not sign in through the identity provider${found.user_id === 1 ? ' (it is the admin)' : ''}, so sso-setup did not delete it.`, {
			hint: 'The test user signed in under the name of an existing Harbor user: choose a username_claim that gives test users their own names.',
		});
	}

	if (!user) {
		return 'absent';
	}

	await api.deleteUser({user_id: user.user_id, username: user.username});
	return 'deleted';
}
