import * as z from 'zod';
import {UsageError} from '../../../core/errors.js';
import {isLoopback} from '../../../core/hosts.js';
import {splitScopes} from '../../../core/scopes.js';
import {atLeast, parseVersion, type Version} from '../../../core/versions.js';
import {requireSecret} from '../../kit/require-secret.js';
import {defineIdp, type IdpPlan, type IntegrationContext, type PlanChange} from '../../types.js';
import {readRegistration, writeRegistration} from '../../kit/artifacts.js';
import {confirmIssuer} from '../../kit/issuer-check.js';
import {apiKeyHint, PocketIdApi, type ClientBody, type PocketClient} from './pocket-id-api.js';
import {readAppSettings, type AppSettings} from '../../kit/app-settings.js';
import {logIn} from './pocket-id-login.js';
import {createTestUser, deleteTestUser, type TestUserTarget} from './pocket-id-test-user.js';

/**
 * Pocket ID: one OIDC client per app, found again by its id (session artifact or client_id) or its
 * name. Pocket ID never shows a secret twice, so a new one is generated unless this session already
 * holds the secret it generated for that client.
 */

const registrationSchema = z.object({idp: z.literal('pocket-id'), clientId: z.string(), secretIssued: z.boolean()});
type PocketRegistration = z.infer<typeof registrationSchema>;

/** Optional value: comma-separated Pocket ID group names allowed to use the client. */
export const allowedGroupsKey = 'allowed_groups';

const apiKeyNote =
	"sso-setup works with the API key you created in Pocket ID's web UI (Settings → Admin → API Keys): Pocket ID's API cannot create API keys. You may delete the key once the setup is done.";

type State = {
	api: PocketIdApi;
	settings: AppSettings;
	name: string;
	version: Version | undefined;
	versionText: string | undefined;
	existing: PocketClient | undefined;
	/** This session generated the secret it holds for the existing client: no need for a new one. */
	keepSecret: boolean;
	groups: {names: string[]; ids: string[]} | undefined;
	warnings: string[];
};

async function connect(context: IntegrationContext): Promise<State> {
	const settings = readAppSettings(context, 'pocket-id');
	const apiKey = await requireSecret(context, 'pocket_id_api_key', 'pocket-id', apiKeyHint(settings.idpUrl));
	const api = new PocketIdApi(context, settings.idpUrl, apiKey);
	const name = settings.appName.slice(0, 50);
	context.progress('pocket-id: checking the API key');
	const versionText = await api.version();
	const version = versionText === undefined ? undefined : parseVersion(versionText);
	const existing = await findClient(context, api, settings, name);
	const noted = readRegistration(context, registrationSchema);
	const keepSecret = Boolean(existing && noted && noted.clientId === existing.id && noted.secretIssued && (await context.secret('client_secret')));
	const warnings: string[] = [];
	let groups: State['groups'];
	const wantedGroups = (context.values[allowedGroupsKey] ?? '').split(',').map((group) => group.trim()).filter(Boolean);
	if (wantedGroups.length > 0) {
		const {ids, missing} = await api.groupIds(wantedGroups);
		if (missing.length > 0) {
			throw new UsageError(`pocket-id: there is no user group named ${missing.map((group) => `"${group}"`).join(', ')}.`, {hint: `Create the group in Pocket ID (Settings → Admin → User Groups) or fix ${allowedGroupsKey}.`});
		}

		groups = {names: wantedGroups, ids};
	}

	if (settings.groupsClaim && settings.groupsClaim !== 'groups') {
		warnings.push(`Pocket ID sends group names in the "groups" claim, not in "${settings.groupsClaim}": set the app's groups claim to "groups".`);
	}

	if (settings.groupsClaim && !splitScopes(context.values['scopes'] ?? '').includes('groups')) {
		warnings.push('Pocket ID sends the "groups" claim only when the app asks for the "groups" scope: add it to the scopes.');
	}

	const url = new URL(settings.redirectUri);
	if (url.protocol === 'http:' && !isLoopback(url.hostname) && (!version || atLeast(version, [2, 10, 0]))) {
		warnings.push(`Pocket ID v2.10 and later refuse the http:// callback URL ${settings.redirectUri} unless ALLOW_INSECURE_CALLBACK_URLS=true is set: serve the app over https.`);
	}

	return {api, settings, name, version, versionText, existing, keepSecret, groups, warnings};
}

async function findClient(context: IntegrationContext, api: PocketIdApi, settings: AppSettings, name: string): Promise<PocketClient | undefined> {
	if (settings.clientId) {
		return api.client(settings.clientId);
	}

	const noted = readRegistration(context, registrationSchema);
	if (noted) {
		const client = await api.client(noted.clientId);
		if (client) {
			return client;
		}
	}

	context.progress(`pocket-id: looking for the OIDC client "${name}"`);
	const named = await api.clientsNamed(name);
	if (named.length > 1) {
		throw new UsageError(`pocket-id: ${named.length} OIDC clients are named "${name}".`, {hint: `Set client_id to the one to update (${named.map((client) => client.id).join(', ')}).`});
	}

	return named[0];
}

/** The API and the app's client, for the sign-in proof. */
async function signInTarget(context: IntegrationContext): Promise<TestUserTarget> {
	const settings = readAppSettings(context, 'pocket-id');
	const apiKey = await requireSecret(context, 'pocket_id_api_key', 'pocket-id', apiKeyHint(settings.idpUrl));
	if (!settings.clientId) {
		throw new UsageError('pocket-id: the sign-in needs the client ID of the app.', {hint: 'Run apply first (it records client_id), or set it with --set client_id=….'});
	}

	return {api: new PocketIdApi(context, settings.idpUrl, apiKey), idpUrl: settings.idpUrl, clientId: settings.clientId};
}

function newClient(state: State): ClientBody {
	const {settings, name, version, groups} = state;
	return {
		...(settings.clientId ? {id: settings.clientId} : {}),
		name,
		callbackURLs: [settings.redirectUri],
		...(settings.postLogoutRedirectUri ? {logoutCallbackURLs: [settings.postLogoutRedirectUri]} : {}),
		isPublic: false,
		pkceEnabled: settings.pkce,
		...(settings.launchUrl ? {launchURL: settings.launchUrl} : {}),
		...(groups && (!version || atLeast(version, [2, 0, 0])) ? {isGroupRestricted: true} : {}),
	};
}

/** What to change on an existing client, as PUT fields and plan rows. */
function differences(state: State, current: PocketClient): {changes: Partial<ClientBody>; rows: PlanChange[]} {
	const {settings, groups, version} = state;
	const changes: Partial<ClientBody> = {};
	const rows: PlanChange[] = [];
	const callbacks = current.callbackURLs ?? [];
	if (!callbacks.includes(settings.redirectUri)) {
		changes.callbackURLs = [...callbacks, settings.redirectUri];
		rows.push({key: 'callback_urls', label: 'Callback URLs', from: callbacks.join(', ') || 'none', to: changes.callbackURLs.join(', ')});
	}

	const logouts = current.logoutCallbackURLs ?? [];
	if (settings.postLogoutRedirectUri && !logouts.includes(settings.postLogoutRedirectUri)) {
		changes.logoutCallbackURLs = [...logouts, settings.postLogoutRedirectUri];
		rows.push({key: 'logout_callback_urls', label: 'Logout callback URLs', from: logouts.join(', ') || 'none', to: changes.logoutCallbackURLs.join(', ')});
	}

	if (current.isPublic) {
		changes.isPublic = false;
		rows.push({key: 'public_client', label: 'Public client', from: 'yes', to: 'no (confidential, with a secret)'});
	}

	if (Boolean(current.pkceEnabled) !== settings.pkce) {
		changes.pkceEnabled = settings.pkce;
		rows.push({key: 'pkce', label: 'PKCE', from: current.pkceEnabled ? 'on' : 'off', to: settings.pkce ? 'on' : 'off'});
	}

	if (settings.launchUrl && !current.launchURL) {
		changes.launchURL = settings.launchUrl;
		rows.push({key: 'launch_url', label: 'Launch URL', from: 'none', to: settings.launchUrl});
	}

	if (groups) {
		const allowed = (current.allowedUserGroups ?? []).map((group) => group.id).sort();
		if (allowed.join() !== [...groups.ids].sort().join()) {
			rows.push({key: 'allowed_groups', label: 'Allowed user groups', from: (current.allowedUserGroups ?? []).map((group) => group.name).join(', ') || 'all users', to: groups.names.join(', ')});
		}

		if (current.isGroupRestricted === false && (!version || atLeast(version, [2, 0, 0]))) {
			changes.isGroupRestricted = true;
		}
	}

	return {changes, rows};
}

function secretWarning(version: Version | undefined): string {
	if (version && atLeast(version, [2, 14, 0])) {
		return 'A new client secret will be added; the secrets made before stay valid until you delete them in Pocket ID.';
	}

	return version
		? "A new client secret will replace the client's current one: whatever still uses the old secret stops working until it gets the new one."
		: "A new client secret will be generated; on Pocket ID before v2.14 it replaces the client's current secret.";
}

export const pocketId = defineIdp({
	id: 'pocket-id',
	verification: {
		name: 'Pocket ID',
		issuerShape: 'The Pocket ID issuer is its APP_URL, with no path and no final slash.',
	},
	adminCredentialKeys: ['pocket_id_api_key'],
	signIn: {
		async createTestUser(context, user) {
			return createTestUser(context, await signInTarget(context), user);
		},
		async deleteTestUser(context, record) {
			return deleteTestUser(context, await signInTarget(context), record);
		},
		// Pocket ID has no passwords: the test user signs in with a one-time access token, credentials.password is unused.
		async logIn(context, browser, authorizeUrl, credentials) {
			const {api} = await signInTarget(context);
			return logIn(api, browser, authorizeUrl, credentials.username);
		},
	},
	async plan(context): Promise<IdpPlan> {
		const state = await connect(context);
		const {settings, name, existing, versionText} = state;
		const where = `Pocket ID${versionText ? ` v${versionText}` : ''}`;
		const warnings = [...state.warnings];
		const secretRow: PlanChange = {key: 'client_secret', label: 'Client secret', to: 'generated by Pocket ID', secret: true};
		if (existing) {
			const {rows} = differences(state, existing);
			if (!state.keepSecret) {
				rows.push(secretRow);
				warnings.push(secretWarning(state.version));
			}

			return {
				action: rows.length > 0 ? 'update' : 'none',
				summary: [
					rows.length > 0 ? `Update the OIDC client "${existing.name}" (${existing.id}) in ${where}: ${rows.map((row) => row.label.toLowerCase()).join(', ')}.` : `The OIDC client "${existing.name}" in ${where} already has the right settings.`,
					apiKeyNote,
				],
				changes: rows,
				questions: [],
				warnings,
			};
		}

		const body = newClient(state);
		const changes: PlanChange[] = [
			{key: 'name', label: 'OIDC client', to: name},
			{key: 'client_id', label: 'Client ID', to: body.id ?? 'generated by Pocket ID'},
			{key: 'callback_urls', label: 'Callback URLs', to: body.callbackURLs.join(', ')},
			...(body.logoutCallbackURLs ? [{key: 'logout_callback_urls', label: 'Logout callback URLs', to: body.logoutCallbackURLs.join(', ')}] : []),
			...(body.launchURL ? [{key: 'launch_url', label: 'Launch URL', to: body.launchURL}] : []),
			{key: 'pkce', label: 'PKCE', to: body.pkceEnabled ? 'on' : 'off'},
			...(state.groups ? [{key: 'allowed_groups', label: 'Allowed user groups', to: state.groups.names.join(', ')}] : []),
			secretRow,
		];
		return {
			action: 'create',
			summary: [
				`Create the confidential OIDC client "${name}" in ${where} with the callback URL ${settings.redirectUri}${body.pkceEnabled ? ' and PKCE' : ''}, then generate its secret; sso-setup keeps it in the keychain, never in the session file.`,
				apiKeyNote,
			],
			changes,
			questions: [],
			warnings,
		};
	},
	async register(context) {
		const state = await connect(context);
		const {api, settings, name, groups} = state;
		const warnings = [...state.warnings];
		const done: string[] = [];
		let client: PocketClient;
		if (state.existing) {
			client = state.existing;
			await writeRegistration<PocketRegistration>(context, {idp: 'pocket-id', clientId: client.id, secretIssued: state.keepSecret});
			const {changes} = differences(state, client);
			if (Object.keys(changes).length > 0) {
				context.progress(`pocket-id: updating the OIDC client "${client.name}"`);
				client = await api.updateClient(client, changes);
				done.push(`Pocket ID OIDC client "${client.name}" (updated)`);
			} else {
				done.push(`Pocket ID OIDC client "${client.name}" (unchanged)`);
			}
		} else {
			context.progress(`pocket-id: creating the OIDC client "${name}"`);
			client = await api.createClient(newClient(state));
			await writeRegistration<PocketRegistration>(context, {idp: 'pocket-id', clientId: client.id, secretIssued: false});
			done.push(`Pocket ID OIDC client "${client.name}" (created)`);
		}

		await context.setValue('client_id', client.id);
		if (!state.keepSecret) {
			context.progress('pocket-id: generating the client secret');
			const {secret, replaced} = await api.newSecret(client.id);
			await context.setSecret('client_secret', secret);
			await writeRegistration<PocketRegistration>(context, {idp: 'pocket-id', clientId: client.id, secretIssued: true});
			done.push(replaced || !state.existing ? 'Pocket ID client secret (generated)' : 'Pocket ID client secret (added; older secrets stay valid until deleted)');
		}

		if (groups) {
			context.progress('pocket-id: restricting the client to the user groups');
			await api.setAllowedGroups(client.id, groups.ids);
			done.push(`Pocket ID allowed user groups: ${groups.names.join(', ')}`);
		}

		warnings.push(...(await confirmIssuer(context, settings.idpUrl, 'pocket-id')));
		return {clientId: client.id, issuer: settings.idpUrl, done, warnings};
	},
});
