import type {IntegrationContext} from '../../types.js';
import {ovhApi, registryRef} from './ovh-api.js';

/**
 * Deletes the registry's copy of the sign-in proof's test user through the OVHcloud API: an
 * identity-provider user shows in GET …/users once it has signed in, under the name Harbor gave it.
 */
export async function deleteOvhTestUser(context: IntegrationContext, username: string): Promise<'deleted' | 'absent'> {
	const api = await ovhApi(context);
	const where = registryRef(context);
	context.progress(`ovh-mpr: deleting the test user ${username}`);
	const found = (await api.users(where)).find((user) => user.user === username);
	if (!found) {
		return 'absent';
	}

	await api.deleteUser(where, found.id);
	return 'deleted';
}
