import * as z from 'zod';
import {SsoSetupError} from '../../../core/errors.js';
import {requireSecret} from '../../kit/require-secret.js';
import {defineApp, type AppPlan} from '../../types.js';
import {markWritten, readBackup, recordSecretWritten, saveBackupUntilWritten, secretAlreadyWritten} from '../../kit/artifacts.js';
import {appHttp} from '../../kit/http-advice.js';
import {optionalValue, requireValue} from '../../kit/values.js';
import {idpEndpoints} from './idp-endpoints.js';
import {secretRow} from '../../kit/plan-rows.js';
import {portainerApi, type PortainerApi} from './portainer-api.js';
import {
	desiredPortainerSettings,
	fullOAuthSettings,
	methodName,
	portainerBackup,
	portainerBackupSchema,
	portainerChanges,
	portainerDesiredSchema,
	secretKey,
	secretLabel,
} from './portainer-decide.js';
import {portainerVerification} from './portainer-checks.js';
import {portainerSignIn} from './portainer-sign-in.js';

const secretArtifact = 'portainer-client-secret';

const planDataSchema = z.object({desired: portainerDesiredSchema, sendSecret: z.boolean(), write: z.boolean()});
type PlanData = z.infer<typeof planDataSchema>;

function planData(plan: AppPlan): PlanData {
	const parsed = planDataSchema.safeParse(plan.data);
	if (!parsed.success) {
		throw new SsoSetupError('portainer: this plan was not made by the Portainer integration.', {hint: 'Make the plan again (it reads the current settings first).'});
	}

	return parsed.data;
}

const fallbackUrl = (api: PortainerApi) => `${api.baseUrl}/#!/internal-auth`;

/** Who keeps password sign-in once OAuth is on: only user id 1 (authenticate.go isUserInitialAdmin). */
function lockoutWarnings(api: PortainerApi, edition: string | undefined): string[] {
	const warnings: string[] = [];
	const where =
		edition === 'BE' || edition === 'EE'
			? `at ${fallbackUrl(api)} (Business Edition can hide the "Use internal authentication" link; that address still works)`
			: `through the "Use internal authentication" link on the login page, or directly at ${fallbackUrl(api)}`;
	warnings.push(`With OAuth on, only the initial administrator (user id 1) can still sign in with a password, ${where}. Every other local user must sign in through the identity provider.`);
	if (api.identity.kind === 'password' && api.identity.userId !== undefined && api.identity.userId !== 1) {
		warnings.push(
			`You are signed in as "${api.identity.username}" (user id ${api.identity.userId}), not the initial administrator: once OAuth is on, this account can no longer sign in with a password. Make sure you know the password of user id 1, or can sign in through the identity provider as an administrator.`,
		);
	}

	if (api.identity.kind === 'api-key') {
		warnings.push('You use an API key, which keeps working with OAuth on; make sure you also know the password of the initial administrator (user id 1) for the sign-in page.');
	}

	return warnings;
}

export const portainer = defineApp({
	id: 'portainer',
	verification: portainerVerification,
	signIn: portainerSignIn,

	async preflight(context) {
		const api = await portainerApi(context);
		context.progress('portainer: reading the version and settings');
		const version = await api.status();
		const edition = await api.edition();
		const settings = await api.settings();
		const facts = [
			`Portainer ${version}${edition ? ` ${edition}` : ''}`,
			`authentication: ${methodName(settings.AuthenticationMethod)}`,
			api.identity.kind === 'api-key' ? 'signed in with an API key' : `signed in as ${api.identity.username}${api.identity.userId === undefined ? '' : ` (user id ${api.identity.userId})`}`,
		];
		const warnings = lockoutWarnings(api, edition);
		if (edition !== 'BE' && edition !== 'EE' && (optionalValue(context.values, 'groups_claim') || optionalValue(context.values, 'admin_group'))) {
			warnings.push('Portainer Community Edition cannot map identity-provider groups to teams or administrators (a Business Edition feature): groups_claim and admin_group are not used. Give people their rights in Portainer after their first sign-in.');
		}

		if (settings.OAuthSettings.HideInternalAuth) {
			warnings.push(`The "Use internal authentication" link is hidden on the login page; the initial administrator signs in at ${fallbackUrl(api)}.`);
		}

		return {facts, warnings, blockers: []};
	},

	async plan(context) {
		const api = await portainerApi(context);
		const current = await api.settings();
		context.progress('portainer: reading the identity provider\'s endpoints');
		const {endpoints, warnings: discoveryWarnings} = await idpEndpoints(appHttp(context), context.values, 'portainer');
		const {desired, warnings} = desiredPortainerSettings(context.values, endpoints, api.baseUrl, requireValue(context.values, 'client_id', 'portainer'));
		const changes = portainerChanges(desired, current);
		const secret = await requireSecret(context, 'client_secret', 'portainer');
		const sendSecret = !(await secretAlreadyWritten(context, secretArtifact, secret));
		if (sendSecret) {
			changes.push(secretRow(secretKey, secretLabel));
		}

		await saveBackupUntilWritten(context, portainerBackup(current));
		return {
			changes,
			warnings: [...discoveryWarnings, ...warnings, `Keep ${fallbackUrl(api)} at hand: the initial administrator signs in there with a password if the identity provider is unreachable.`],
			data: {desired, sendSecret, write: changes.length > 0} satisfies PlanData,
		};
	},

	async apply(context, plan) {
		const data = planData(plan);
		const api = await portainerApi(context);
		if (!data.write) {
			return ['Portainer already has these settings: nothing was written.'];
		}

		await markWritten(context);
		const secret = data.sendSecret ? await requireSecret(context, 'client_secret', 'portainer') : undefined;
		// Read again right before the write: the PUT replaces OAuthSettings whole.
		const current = await api.settings();
		context.progress('portainer: saving the OAuth settings');
		await api.updateSettings({AuthenticationMethod: data.desired.AuthenticationMethod, OAuthSettings: fullOAuthSettings(current, data.desired.OAuth, secret)});
		if (secret !== undefined) {
			await recordSecretWritten(context, secretArtifact, secret);
		}

		return [
			`Portainer now signs people in through OAuth (${String(data.desired.OAuth.AuthorizationURI ?? '')}).`,
			`The initial administrator (user id 1) still signs in with a password at ${fallbackUrl(api)}.`,
		];
	},

	async confirm(context, plan) {
		const data = planData(plan);
		const api = await portainerApi(context);
		context.progress('portainer: reading the settings back');
		return portainerChanges(data.desired, await api.settings());
	},

	async rollback(context) {
		const backup = readBackup(context, 'portainer', portainerBackupSchema);
		const api = await portainerApi(context);
		const current = await api.settings();
		const unchanged =
			current.AuthenticationMethod === backup.AuthenticationMethod &&
			Object.entries(backup.OAuthSettings).every(([field, value]) => JSON.stringify(current.OAuthSettings[field]) === JSON.stringify(value));
		const notes: string[] = [];
		if (unchanged) {
			notes.push('Portainer already has the settings saved before this session changed them.');
		} else {
			context.progress('portainer: restoring the saved settings');
			await api.updateSettings({AuthenticationMethod: backup.AuthenticationMethod, OAuthSettings: fullOAuthSettings(current, backup.OAuthSettings, undefined)});
			notes.push(`Restored Portainer's authentication settings (${methodName(backup.AuthenticationMethod)}).`);
		}

		notes.push('The OAuth client secret cannot be restored: Portainer never reveals it. The one sso-setup set stays stored.');
		return notes;
	},
});
