import {setTimeout as sleep} from 'node:timers/promises';
import * as z from 'zod';
import {BlockedError, SsoSetupError} from '../../../core/errors.js';
import {sameSet} from '../../../core/sets.js';
import {requireSecret} from '../../kit/require-secret.js';
import {defineApp, type AppIntegration, type AppUser, type AppPlan, type Blocker, type IntegrationContext, type PlanChange} from '../../types.js';
import {markWritten, readArtifact, readBackup, recordSecretWritten, saveBackupUntilWritten, secretAlreadyWritten} from '../../kit/artifacts.js';
import {optionalValue, withoutTrailingSlash} from '../../kit/values.js';
import {cliSecretNote, fallbackSignInUrl, harborLikeSettings, harborLikeWarnings} from '../../kit/harbor-like.js';
import {changeRow, displayValue, secretRow} from '../../kit/plan-rows.js';
import {listOvhProjects, listOvhRegistries, ovhApi, ovhRedirectUri, readOvhRegistryUrl, registryRef, registryUrl, type OvhApi, type OvhOidc, type OvhProvider, type RegistryRef} from './ovh-api.js';
import {ovhVerification} from './ovh-checks.js';
import {harborLikeSignIn} from '../../kit/harbor-sign-in.js';
import {deleteOvhTestUser} from './ovh-test-user.js';
import {commandLine} from '../../../core/command-line.js';

/** OVHcloud Managed Private Registry: a managed Harbor whose OIDC settings go through the OVHcloud API. */

const secretArtifact = 'ovh-mpr-client-secret';
const deletedUsersArtifact = 'ovh-mpr-deleted-users';

const fields = {
	name: 'Provider name',
	endpoint: 'Endpoint (issuer)',
	clientId: 'Client ID',
	scope: 'Scope',
	userClaim: 'User claim',
	groupsClaim: 'Groups claim',
	adminGroup: 'Admin group',
	verifyCert: 'Verify certificate',
	autoOnboard: 'Automatic onboarding',
} as const;
type Field = keyof typeof fields;

const providerSchema = z.object({
	name: z.string(),
	endpoint: z.string(),
	clientId: z.string(),
	scope: z.string(),
	userClaim: z.string().optional(),
	groupsClaim: z.string().optional(),
	adminGroup: z.string().optional(),
	verifyCert: z.boolean(),
	autoOnboard: z.boolean(),
});
type Provider = z.infer<typeof providerSchema>;

const planDataSchema = z.object({provider: providerSchema, write: z.boolean(), registryUrl: z.string()});
type PlanData = z.infer<typeof planDataSchema>;
const backupSchema = z.object({app: z.literal('ovh-mpr'), provider: providerSchema.nullable()});

function planData(plan: AppPlan): PlanData {
	const parsed = planDataSchema.safeParse(plan.data);
	if (!parsed.success) {
		throw new SsoSetupError('ovh-mpr: this plan was not made by the OVHcloud Managed Private Registry integration.', {hint: 'Make the plan again.'});
	}

	return parsed.data;
}

/** What OVHcloud reports, in the shape sso-setup sends (GET never includes the client secret). */
function asProvider(oidc: OvhOidc): Provider {
	return {
		name: oidc.name,
		endpoint: oidc.endpoint,
		clientId: oidc.clientId,
		scope: oidc.scope,
		...(oidc.userClaim ? {userClaim: oidc.userClaim} : {}),
		...(oidc.groupsClaim ? {groupsClaim: oidc.groupsClaim} : {}),
		...(oidc.adminGroup ? {adminGroup: oidc.adminGroup} : {}),
		verifyCert: oidc.verifyCert ?? true,
		autoOnboard: oidc.autoOnboard ?? false,
	};
}

function providerChanges(wanted: Provider, current: Provider | undefined): PlanChange[] {
	const changes: PlanChange[] = [];
	for (const field of Object.keys(fields) as Field[]) {
		const now = current?.[field];
		const next = wanted[field];
		const changed = current === undefined ? displayValue(next) !== undefined : (now ?? '') !== (next ?? '');
		if (changed) {
			changes.push(changeRow(field, fields[field], now, next));
		}
	}

	return changes;
}

function usersBlocker(names: string[]): Blocker {
	const count = names.length === 1 ? 'a local user' : `${names.length} local users`;
	return {
		id: 'ovh-local-users',
		message: `The registry has ${count}: ${names.join(', ')}. OVHcloud turns on OpenID Connect sign-in only by deleting local users, and then it deletes ALL of them at once (the deleteUsers option): every account listed here, including the one made with the registry. Their passwords stop working, for docker login too.`,
		hint: `To continue, confirm the deletion of all of them in the wizard, or run ${commandLine('apply')} with --delete-users ${names.join(',')}. Afterwards give administrator rights to an OIDC user (the admin group, or setAsAdmin after their first sign-in).`,
		users: names,
	};
}

export type OvhMprOptions = {
	/** Between two reads of the status while OVHcloud applies the settings. */
	pollIntervalMs?: number;
	/** How long to wait for READY before giving up (a new run only waits again). */
	pollTimeoutMs?: number;
};

/** Polls until READY; ERROR and the time limit are failures that say what to do. */
async function waitUntilReady(context: IntegrationContext, api: OvhApi, where: RegistryRef, options: Required<OvhMprOptions>): Promise<void> {
	const started = Date.now();
	for (;;) {
		const oidc = await api.oidc(where, 'ovh-mpr: read the OpenID Connect status');
		const status = oidc?.status ?? 'missing';
		if (status === 'READY') {
			return;
		}

		if (status === 'ERROR' || status === 'missing') {
			throw new SsoSetupError(`ovh-mpr: OVHcloud reports ${status === 'ERROR' ? 'status ERROR for' : 'no'} the OpenID Connect configuration of registry ${where.registryId}.`, {
				hint: 'The registry could not apply it: check that the issuer is reachable from the internet and that its certificate is valid (or verify_cert), then run sso-setup again or look at the registry in the OVHcloud Control Panel.',
			});
		}

		const waited = Date.now() - started;
		if (waited >= options.pollTimeoutMs) {
			throw new SsoSetupError(`ovh-mpr: the OpenID Connect configuration is still ${status} after ${Math.round(waited / 1000)} s.`, {
				hint: 'OVHcloud is still applying it. Run sso-setup again later: the settings are not sent again, it only waits for READY.',
			});
		}

		context.progress(`ovh-mpr: waiting for the registry to apply the OpenID Connect settings (${status}, ${Math.round(waited / 1000)} s)`);
		await sleep(options.pollIntervalMs);
	}
}

export function createOvhMpr(options: OvhMprOptions = {}): AppIntegration {
	const timing = {pollIntervalMs: options.pollIntervalMs ?? 5000, pollTimeoutMs: options.pollTimeoutMs ?? 10 * 60_000};

	return defineApp({
		id: 'ovh-mpr',
		verification: ovhVerification,
		signIn: harborLikeSignIn({
			id: 'ovh-mpr',
			product: 'The registry',
			inSentence: 'the registry',
			coreLog: "the registry's log, which OVHcloud support can read (a managed registry shows none)",
			// The registry's URL as the person gave it, else as OVHcloud reports it.
			baseUrl: async (context) => (optionalValue(context.values, 'app_url') ? registryUrl(optionalValue(context.values, 'app_url')!) : readOvhRegistryUrl(context)),
			secretWhere: "in the registry's OpenID Connect settings (OVHcloud Control Panel, or POST …/openIdConnect with sso-setup apply)",
			deleteUser: deleteOvhTestUser,
		}),
		followUps: {admins: {listUsers: listRegistryAdminCandidates, makeAdmin: setAsAdmin}},

		/** The wizard's pickers: the Public Cloud projects, then the registries of the chosen one. */
		async options(name, context) {
			if (name === 'ovh-projects') {
				return (await listOvhProjects(context)).map((id) => ({value: id, label: id}));
			}

			const serviceName = context.values['ovh_service_name'];
			if (name === 'ovh-registries' && serviceName) {
				return (await listOvhRegistries(context, serviceName)).map((registry) => ({
					value: registry.id,
					label: `${registry.name}${registry.region ? ` (${registry.region})` : ''}${registry.url ? ` ${registry.url}` : ''}`,
					...(registry.url ? {values: {app_url: registry.url}} : {}),
				}));
			}

			return undefined;
		},

		async preflight(context) {
			const api = await ovhApi(context);
			const where = registryRef(context);
			context.progress('ovh-mpr: reading the registry');
			const registry = await api.registry(where);
			const oidc = await api.oidc(where);
			const users = await api.users(where);
			const url = registry.url ? registryUrl(registry.url) : undefined;
			const facts = [
				`registry ${registry.name}${registry.region ? ` in ${registry.region}` : ''}${registry.version ? `, Harbor ${registry.version}` : ''} (${registry.status ?? 'status unknown'})`,
				...(url ? [`registry URL: ${url}`, `redirect URI: ${ovhRedirectUri(url)}`] : []),
				oidc ? `OpenID Connect: ${oidc.endpoint} (${oidc.status})` : 'OpenID Connect: not configured',
				`local users: ${users.length === 0 ? 'none' : users.map((user) => user.user).join(', ')}`,
			];
			const warnings: string[] = [];
			const appUrl = optionalValue(context.values, 'app_url');
			if (url && appUrl && withoutTrailingSlash(appUrl).toLowerCase() !== url.toLowerCase()) {
				warnings.push(`The registry's URL is ${url}, not ${appUrl}: the identity provider must accept ${ovhRedirectUri(url)} as redirect URI.`);
			}

			if (registry.status && registry.status !== 'READY') {
				warnings.push(`The registry is ${registry.status}, not READY: OVHcloud may refuse changes until it is.`);
			}

			if (url) {
				warnings.push(
					`The registry keeps a local sign-in page at ${fallbackSignInUrl(url)}, but after the local users are deleted no one can use it: check that an OIDC user is an administrator (admin group or setAsAdmin) before you sign out.`,
				);
			}

			const blockers = !oidc && users.length > 0 ? [usersBlocker(users.map((user) => user.user))] : [];
			return {facts, warnings, blockers};
		},

		async plan(context) {
			const api = await ovhApi(context);
			const where = registryRef(context);
			const registry = await api.registry(where);
			const current = await api.oidc(where);
			const settings = harborLikeSettings(context.values, 'ovh-mpr');
			const existing = current ? asProvider(current) : undefined;
			// POST replaces the whole configuration: keep what the values leave unsaid.
			const provider: Provider = {
				...existing,
				name: settings.name,
				endpoint: settings.endpoint,
				clientId: settings.clientId,
				scope: settings.scope,
				verifyCert: settings.verifyCert,
				autoOnboard: settings.autoOnboard ?? existing?.autoOnboard ?? false,
				...(settings.userClaim === undefined ? {} : {userClaim: settings.userClaim}),
				...(settings.groupsClaim === undefined ? {} : {groupsClaim: settings.groupsClaim}),
				...(settings.adminGroup === undefined ? {} : {adminGroup: settings.adminGroup}),
			};
			const changes = providerChanges(provider, existing);
			const secret = await requireSecret(context, 'client_secret', 'ovh-mpr');
			if (!(await secretAlreadyWritten(context, secretArtifact, secret))) {
				changes.push(secretRow('clientSecret', 'Client secret'));
			}

			await saveBackupUntilWritten(context, {app: 'ovh-mpr', provider: existing ?? null});
			// A configuration that failed is sent again; one still being applied is only waited for.
			const write = changes.length > 0 || current?.status === 'ERROR';
			if (current && current.status !== 'READY') {
				changes.push(changeRow('status', 'Status', current.status, 'READY'));
			}

			const url = registry.url ? registryUrl(registry.url) : (optionalValue(context.values, 'app_url') ?? '');
			return {changes, warnings: harborLikeWarnings(settings, 'The registry'), data: {provider, write, registryUrl: url} satisfies PlanData};
		},

		async apply(context, plan, applyOptions) {
			const data = planData(plan);
			const api = await ovhApi(context);
			const where = registryRef(context);
			const notes: string[] = [];
			await markWritten(context);
			if (data.write) {
				let deleted: string[] = [];
				if (!(await api.oidc(where))) {
					const names = (await api.users(where)).map((user) => user.user);
					if (names.length > 0 && !sameSet([...new Set(applyOptions.deleteUsers)], names)) {
						const blocker = usersBlocker(names);
						const mismatch = applyOptions.deleteUsers.length === 0 ? '' : ` The confirmed list (${applyOptions.deleteUsers.join(', ')}) does not match them, so nothing was sent.`;
						throw new BlockedError(`ovh-mpr: ${blocker.message}${mismatch}`, {hint: blocker.hint});
					}

					deleted = names;
				}

				const secret = await requireSecret(context, 'client_secret', 'ovh-mpr');
				const provider: OvhProvider = {...data.provider, clientSecret: secret};
				context.progress('ovh-mpr: sending the OpenID Connect settings');
				await api.saveOidc(where, {deleteUsers: deleted.length > 0, provider});
				await recordSecretWritten(context, secretArtifact, secret);
				notes.push(`Sent the OpenID Connect settings to OVHcloud (${plan.changes.filter((change) => change.key !== 'status').map((change) => change.key).join(', ') || 'again, after status ERROR'}).`);
				if (deleted.length > 0) {
					await context.artifacts.set(deletedUsersArtifact, deleted);
					notes.push(`OVHcloud deleted the local users: ${deleted.join(', ')}.`);
				}
			} else {
				notes.push('The registry already has these settings: nothing was sent.');
			}

			await waitUntilReady(context, api, where, timing);
			notes.push(`The registry signs people in through ${data.provider.name} (${data.provider.endpoint}); its status is READY.`);
			notes.push('Give administrator rights to an OIDC user: through the admin group, or after their first sign-in with setAsAdmin.');
			if (data.registryUrl) {
				notes.push(cliSecretNote(data.registryUrl));
			}

			return notes;
		},

		async confirm(context, plan) {
			const data = planData(plan);
			const api = await ovhApi(context);
			const current = await api.oidc(registryRef(context));
			const differences = providerChanges(data.provider, current ? asProvider(current) : undefined);
			if (current && current.status !== 'READY') {
				differences.push(changeRow('status', 'Status', current.status, 'READY'));
			}

			return differences;
		},

		async rollback(context) {
			const backup = readBackup(context, 'ovh-mpr', backupSchema);
			const notes: string[] = [];
			const deleted = readArtifact(context, deletedUsersArtifact, z.array(z.string())) ?? [];
			if (deleted.length > 0) {
				notes.push(`The local users OVHcloud deleted cannot be restored: ${deleted.join(', ')}. Create users again in the OVHcloud Control Panel if needed.`);
			}

			if (!backup.provider) {
				notes.unshift(
					'The registry had no OpenID Connect configuration before this session. Removing it (DELETE …/openIdConnect) would also delete every user of the registry, so sso-setup leaves it in place; delete it in the OVHcloud Control Panel or API if you really want to.',
				);
				return notes;
			}

			const api = await ovhApi(context);
			const where = registryRef(context);
			const current = await api.oidc(where);
			if (current && providerChanges(backup.provider, asProvider(current)).length === 0) {
				notes.unshift('The registry already has the OpenID Connect settings saved before this session changed them.');
				return notes;
			}

			const secret = await requireSecret(context, 'client_secret', 'ovh-mpr');
			context.progress('ovh-mpr: restoring the saved OpenID Connect settings');
			await api.saveOidc(where, {deleteUsers: false, provider: {...backup.provider, clientSecret: secret}});
			await waitUntilReady(context, api, where, timing);
			notes.unshift(
				`Restored the OpenID Connect settings saved before this session (${backup.provider.endpoint}).`,
				'OVHcloud never returns the client secret, so the previous one could not be restored: the restored configuration uses the client secret of this session. Set the old one in the OVHcloud Control Panel if it differs.',
			);
			return notes;
		},
	});
}

export const ovhMpr = createOvhMpr();

/** Makes a registry user (by id, from GET …/users) a Harbor administrator. */
export async function setAsAdmin(context: IntegrationContext, userId: string): Promise<void> {
	const api = await ovhApi(context);
	await api.setAsAdmin(registryRef(context), userId);
}

/** The registry's users, for choosing whom to make administrator. */
export async function listRegistryUsers(context: IntegrationContext): Promise<Array<{id: string; user: string; email?: string}>> {
	const api = await ovhApi(context);
	return (await api.users(registryRef(context))).map((user) => ({id: user.id, user: user.user, ...(user.email ? {email: user.email} : {})}));
}

/** The registry's users as the setAsAdmin follow-up lists them. */
async function listRegistryAdminCandidates(context: IntegrationContext): Promise<AppUser[]> {
	return (await listRegistryUsers(context)).map((user) => ({id: user.id, label: user.email ? `${user.user} (${user.email})` : user.user}));
}
