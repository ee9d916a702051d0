import * as z from 'zod';
import {BlockedError, SsoSetupError} from '../../../core/errors.js';
import {atLeast, parseVersion} from '../../../core/versions.js';
import {requireSecret} from '../../kit/require-secret.js';
import {defineApp, type AppPlan, type Blocker, type IntegrationContext, type PlanChange} from '../../types.js';
import {markWritten, readArtifact, readBackup, recordSecretWritten, saveBackupUntilWritten, secretAlreadyWritten} from '../../kit/artifacts.js';
import {appBaseUrl, withoutTrailingSlash} from '../../kit/values.js';
import {harborApi, localUsersExplanation, type HarborApi, type HarborConfigurations, type HarborUser} from './harbor-api.js';
import {secretRow} from '../../kit/plan-rows.js';
import {cliSecretNote, fallbackSignInUrl, harborLikeSettings, harborLikeWarnings} from '../../kit/harbor-like.js';
import {
	desiredHarborSettings,
	harborBackup,
	harborChanges,
	harborKeys,
	secretKey,
	secretLabel,
	type HarborDesired,
	type HarborKey,
} from './harbor-decide.js';
import {harborVerification} from './harbor-checks.js';
import {harborLikeSignIn} from '../../kit/harbor-sign-in.js';
import {deleteHarborTestUser} from './harbor-test-user.js';
import {commandLine} from '../../../core/command-line.js';

/** Artifacts: the fingerprint of the client secret last written, and the users deleted so far. */
const secretArtifact = 'harbor-client-secret';
const deletedUsersArtifact = 'harbor-deleted-users';

const keyNames = Object.keys(harborKeys) as [HarborKey, ...HarborKey[]];
const valueSchema = z.union([z.string(), z.boolean()]);
const desiredSchema = z.partialRecord(z.enum(keyNames), valueSchema);
const planDataSchema = z.object({
	desired: desiredSchema,
	/** The keys the PUT sends: the plan's changes. */
	write: z.array(z.enum(keyNames)),
	sendSecret: z.boolean(),
	switchingAuthMode: z.boolean(),
});
type PlanData = z.infer<typeof planDataSchema>;
const backupSchema = z.object({app: z.literal('harbor'), settings: desiredSchema});

function planData(plan: AppPlan): PlanData {
	const parsed = planDataSchema.safeParse(plan.data);
	if (!parsed.success) {
		throw new SsoSetupError('harbor: this plan was not made by the Harbor integration.', {hint: 'Make the plan again (it reads the current settings first).'});
	}

	return parsed.data;
}

const isOidc = (configurations: HarborConfigurations) => configurations['auth_mode']?.value === 'oidc_auth';
const localUsers = (users: HarborUser[], me: HarborUser) => users.filter((user) => user.user_id > 1 && user.user_id !== me.user_id);

function deletedSoFar(context: IntegrationContext): string[] {
	return readArtifact(context, deletedUsersArtifact, z.array(z.string())) ?? [];
}

function usersBlocker(names: string[]): Blocker {
	const list = names.join(', ');
	return {
		id: 'harbor-local-users',
		message: `Harbor has ${names.length === 1 ? 'a local user' : `${names.length} local users`} besides admin: ${list}. ${localUsersExplanation}`,
		hint: `To continue, delete ${names.length === 1 ? 'this user' : 'these users'}: confirm it in the wizard, or run ${commandLine('apply')} with --delete-users ${names.join(',')}. Their projects and images stay; they come back with new accounts when they first sign in through the identity provider. Or delete them yourself under Administration → Users.`,
		users: names,
	};
}

function notInitialAdminBlocker(me: HarborUser): Blocker {
	return {
		id: 'harbor-not-initial-admin',
		message: `You are signed in as "${me.username}", a local Harbor user. Switching Harbor to OIDC needs every local user except the built-in admin to be deleted, your own account included.`,
		hint: 'Sign in as the admin account created when Harbor was installed (user id 1): set harbor_admin_user and its password.',
	};
}

function configFromEnvironmentBlocker(): Blocker {
	return {
		id: 'harbor-config-from-environment',
		message: 'Harbor marks every setting as read-only: its configuration comes from the CONFIG_OVERWRITE_JSON environment variable (often set by the Helm chart).',
		hint: 'Put the OIDC settings into that variable (or the Helm values) and restart Harbor, or remove it to let sso-setup change them.',
	};
}

function sameUrl(a: string, b: string): boolean {
	return withoutTrailingSlash(a).toLowerCase() === withoutTrailingSlash(b).toLowerCase();
}

/**
 * Deletes exactly the local users the person confirmed, one by one, remembering each; a resumed run
 * accepts the names it already deleted. Anything else is refused before the first deletion.
 */
async function resolveLocalUsers(context: IntegrationContext, api: HarborApi, confirmed: readonly string[], notes: string[]): Promise<void> {
	const me = await api.currentUser();
	if (me.user_id !== 1) {
		const blocker = notInitialAdminBlocker(me);
		throw new BlockedError(`harbor: ${blocker.message}`, {hint: blocker.hint});
	}

	const blocking = localUsers(await api.users(), me);
	if (blocking.length === 0) {
		return;
	}

	const names = blocking.map((user) => user.username);
	const done = deletedSoFar(context);
	const unexpected = confirmed.filter((name) => !names.includes(name) && !done.includes(name));
	const missing = names.filter((name) => !confirmed.includes(name));
	if (missing.length > 0 || unexpected.length > 0) {
		const blocker = usersBlocker(names);
		const mismatch = confirmed.length === 0 ? '' : ` The confirmed list (${confirmed.join(', ')}) does not match them, so no one was deleted.`;
		throw new BlockedError(`harbor: ${blocker.message}${mismatch}`, {hint: blocker.hint});
	}

	for (const user of blocking) {
		context.progress(`harbor: deleting local user ${user.username}`);
		await api.deleteUser(user);
		done.push(user.username);
		await context.artifacts.set(deletedUsersArtifact, done);
	}

	notes.push(`Deleted ${names.length === 1 ? 'the local user' : `${names.length} local users`}: ${names.join(', ')}.`);
}

export const harbor = defineApp({
	id: 'harbor',
	verification: harborVerification,
	signIn: harborLikeSignIn({
		id: 'harbor',
		product: 'Harbor',
		inSentence: 'Harbor',
		coreLog: "Harbor's core log (docker logs harbor-core, or the harbor-core pod)",
		baseUrl: async (context) => appBaseUrl(context.values, 'harbor'),
		secretWhere: 'in Harbor (Administration → Configuration → Authentication → OIDC Client Secret)',
		deleteUser: deleteHarborTestUser,
	}),

	async preflight(context) {
		const api = await harborApi(context);
		context.progress('harbor: reading the configuration');
		const configurations = await api.configurations();
		const info = await api.systemInfo();
		const me = await api.currentUser();
		const users = await api.users();
		const version = parseVersion(info.harbor_version);
		const others = localUsers(users, me);

		const facts = [
			version ? `Harbor v${version.join('.')}` : 'Harbor (version not reported)',
			`auth mode: ${String(configurations['auth_mode']?.value ?? 'unknown')}`,
			...(info.external_url ? [`external URL: ${info.external_url}`] : []),
			`signed in as ${me.username} (user id ${me.user_id})`,
			`local users besides admin: ${others.length === 0 ? 'none' : others.map((user) => user.username).join(', ')}`,
		];
		const warnings = [`If signing in through the identity provider fails, the local admin can still sign in at ${fallbackSignInUrl(api.baseUrl)}.`];
		if (info.external_url && !sameUrl(info.external_url, api.baseUrl)) {
			warnings.push(
				`Harbor's external URL is ${info.external_url}, not ${api.baseUrl}: Harbor builds its redirect URI from it (${withoutTrailingSlash(info.external_url)}/c/oidc/callback), so that is what the identity provider must accept. If it is wrong, fix external_url in harbor.yml and run ./prepare, then restart Harbor.`,
			);
		}

		if (version && !atLeast(version, [2, 13, 0]) && context.values['pkce'] === 'true') {
			// The flows register the client with PKCE required, which Harbor sends only from 2.13.
			warnings.push(`Harbor v${version.join('.')} does not send PKCE (it came with v2.13.0): if the client at the identity provider requires PKCE, sign-in fails. Make PKCE optional for this client, or upgrade Harbor.`);
		}

		const blockers: Blocker[] = [];
		const items = Object.values(configurations);
		if (items.length > 0 && items.every((item) => !item.editable)) {
			blockers.push(configFromEnvironmentBlocker());
		} else if (!isOidc(configurations)) {
			if (me.user_id !== 1) {
				blockers.push(notInitialAdminBlocker(me));
			}

			if (others.length > 0) {
				blockers.push(usersBlocker(others.map((user) => user.username)));
			} else if (configurations['auth_mode']?.editable === false) {
				blockers.push({
					id: 'harbor-local-users',
					message: `Harbor says its auth mode cannot be changed because users exist, but lists none besides admin. ${localUsersExplanation}`,
					hint: 'A user may exist in the database without showing in the list (goharbor/harbor#15297); look at the harbor_user table, or ask Harbor\'s administrator.',
					users: [],
				});
			}
		}

		return {facts, warnings, blockers};
	},

	async plan(context) {
		const api = await harborApi(context);
		context.progress('harbor: reading the configuration');
		const configurations = await api.configurations();
		const info = await api.systemInfo();
		const settings = harborLikeSettings(context.values, 'harbor');
		const {desired, warnings} = desiredHarborSettings(settings, context.values, parseVersion(info.harbor_version), configurations);
		const changes = harborChanges(desired, configurations);
		const secret = await requireSecret(context, 'client_secret', 'harbor');
		const sendSecret = !(await secretAlreadyWritten(context, secretArtifact, secret));
		if (sendSecret) {
			changes.push(secretRow(secretKey, secretLabel));
		}

		await saveBackupUntilWritten(context, {app: 'harbor', settings: harborBackup(configurations)});
		const write = changes.map((change) => change.key).filter((key): key is HarborKey => key in harborKeys);
		const data: PlanData = {desired, write, sendSecret, switchingAuthMode: write.includes('auth_mode')};
		return {
			changes,
			// The fallback sign-in URL is already among the preflight warnings.
			warnings: [...warnings, ...harborLikeWarnings(settings, 'Harbor')],
			data,
		};
	},

	async apply(context, plan, options) {
		const data = planData(plan);
		const api = await harborApi(context);
		const notes: string[] = [];
		await markWritten(context);
		if (data.switchingAuthMode) {
			await resolveLocalUsers(context, api, options.deleteUsers, notes);
		}

		const body: Record<string, unknown> = {};
		for (const key of data.write) {
			body[key] = data.desired[key];
		}

		const secret = data.sendSecret ? await requireSecret(context, 'client_secret', 'harbor') : undefined;
		if (secret !== undefined) {
			body[secretKey] = secret;
		}

		const written = Object.keys(body);
		if (written.length === 0) {
			notes.push('Harbor already has these settings: nothing was written.');
			return notes;
		}

		context.progress('harbor: saving the OIDC settings');
		await api.updateConfigurations(body);
		if (secret !== undefined) {
			await recordSecretWritten(context, secretArtifact, secret);
		}

		notes.push(`Saved ${written.length} Harbor setting${written.length === 1 ? '' : 's'}: ${written.join(', ')}.`);
		context.progress('harbor: checking that the admin can still sign in');
		const me = await api.currentUser().catch((error: unknown) => {
			throw new SsoSetupError(`harbor: after the change, "${api.adminUser}" can no longer use the API with a password.`, {
				hint: `Sign in at ${fallbackSignInUrl(api.baseUrl)} to check the account, or run ${commandLine('rollback')}.`,
				cause: error,
			});
		});
		notes.push(`The local admin "${me.username}" still signs in with a password; if the identity provider is unreachable, use ${fallbackSignInUrl(api.baseUrl)}.`);
		notes.push(cliSecretNote(api.baseUrl));
		return notes;
	},

	async confirm(context, plan) {
		const data = planData(plan);
		const api = await harborApi(context);
		context.progress('harbor: reading the configuration back');
		return harborChanges(data.desired, await api.configurations());
	},

	async rollback(context) {
		const backup = readBackup(context, 'harbor', backupSchema);
		const api = await harborApi(context);
		const current = await api.configurations();
		const restore: PlanChange[] = harborChanges(backup.settings as HarborDesired, current);
		const notes: string[] = [];
		if (restore.length > 0) {
			const body = Object.fromEntries(restore.map((change) => [change.key, backup.settings[change.key as HarborKey]]));
			context.progress('harbor: restoring the saved settings');
			try {
				await api.updateConfigurations(body);
			} catch (error) {
				if (error instanceof BlockedError && 'auth_mode' in body) {
					throw new BlockedError(`harbor: Harbor refuses to leave OIDC sign-in while users that signed in through it exist (${new URL(api.baseUrl).host}).`, {
						hint: 'Delete those users under Administration → Users (their projects and images stay), then run the rollback again.',
						cause: error,
					});
				}

				throw error;
			}

			notes.push(`Restored ${restore.length} Harbor setting${restore.length === 1 ? '' : 's'}: ${restore.map((change) => change.key).join(', ')}.`);
		} else {
			notes.push('Harbor already has the settings saved before this session changed them.');
		}

		notes.push('The OIDC client secret cannot be restored: Harbor never reveals it. The one sso-setup set stays stored (it is unused while OIDC is off).');
		const deleted = deletedSoFar(context);
		if (deleted.length > 0) {
			notes.push(`The local users deleted by this session cannot be restored: ${deleted.join(', ')}. Create them again under Administration → Users if they are still needed.`);
		}

		return notes;
	},
});
