import * as z from 'zod';
import {SsoSetupError} from '../../../core/errors.js';
import {requireSecret} from '../../kit/require-secret.js';
import {defineIdp, type IdpPlan, type IntegrationContext, type PlanChange} from '../../types.js';
import {readRegistration, writeRegistration} from '../../kit/artifacts.js';
import {confirmIssuer} from '../../kit/issuer-check.js';
import {KeycloakAdmin, type KeycloakClient} from './keycloak-api.js';
import {describeNewClient, groupsMapper, groupsMapperState, newClient, updatedClient} from './keycloak-decide.js';
import {readAppSettings, required, type AppSettings} from '../../kit/app-settings.js';
import {keycloakSignIn} from './keycloak-sign-in.js';

/**
 * Keycloak: a confidential client in the user's realm, found again by its exact clientId. The
 * secret is read from the client-secret endpoint; a groups mapper is added when a groups claim is wanted.
 */

const registrationSchema = z.object({idp: z.literal('keycloak'), realm: z.string(), clientUuid: z.string(), clientId: z.string(), mapperAdded: z.boolean().optional()});
type KeycloakRegistration = z.infer<typeof registrationSchema>;

type State = {
	admin: KeycloakAdmin;
	settings: AppSettings;
	realm: string;
	clientId: string;
	version: string | undefined;
	existing: KeycloakClient | undefined;
	warnings: string[];
};

async function connect(context: IntegrationContext): Promise<State> {
	const settings = readAppSettings(context, 'keycloak');
	const realm = required(context, 'keycloak', 'realm', 'the Keycloak realm');
	const user = context.values['keycloak_admin_user'] || 'admin';
	const password = await requireSecret(context, 'keycloak_admin_password', 'keycloak', `It is the password of "${user}", an administrator of the master realm (${settings.idpUrl}/admin/).`);
	context.progress('keycloak: signing in to the master realm');
	const admin = await KeycloakAdmin.connect(context, settings.idpUrl, user, password);
	const warnings: string[] = [];
	if (admin.legacyPrefixFound) {
		warnings.push(`Keycloak answers under ${admin.base} (the /auth prefix of Keycloak 16 and older): use ${admin.base} as the Keycloak URL so that the issuer and endpoints are right.`);
	}

	const version = await admin.version();
	const clientId = settings.clientId ?? settings.app;
	context.progress(`keycloak: looking for the client "${clientId}" in realm ${realm}`);
	let existing = await admin.findClient(realm, clientId);
	const noted = readRegistration(context, registrationSchema);
	if (!existing && noted && noted.realm === realm) {
		existing = await admin.client(realm, noted.clientUuid);
	}

	if (existing && existing.protocol !== undefined && existing.protocol !== 'openid-connect') {
		throw new SsoSetupError(`keycloak: the client "${clientId}" in realm ${realm} is a ${existing.protocol} client, not an OpenID Connect one.`, {
			hint: 'Choose another client_id, or delete that client in Keycloak first.',
		});
	}

	return {admin, settings, realm, clientId, version, existing, warnings};
}

/** Whether this session already holds the client id and the secret Keycloak has. */
async function credentialsKept(context: IntegrationContext, clientId: string, secret: () => Promise<string | undefined>): Promise<boolean> {
	const kept = await context.secret('client_secret');
	return context.values['client_id'] === clientId && kept !== undefined && kept === (await secret());
}

export function keycloakIssuer(base: string, realm: string): string {
	return `${base}/realms/${realm}`;
}

export const keycloak = defineIdp({
	id: 'keycloak',
	verification: {
		name: 'Keycloak',
		issuerShape: 'A Keycloak issuer looks like https://<host>/realms/<realm> (https://<host>/auth/realms/<realm> before Keycloak 17).',
		offlineAccessHow: 'assign the offline_access client scope to the client, as default or optional',
		claimsNote: 'Keycloak lists only its built-in claims there, so this is fine when a protocol mapper adds them.',
		codeFlowHow: 'Standard flow, with Client authentication on',
	},
	signIn: keycloakSignIn,
	adminCredentialKeys: ['keycloak_admin_password'],
	async plan(context): Promise<IdpPlan> {
		const state = await connect(context);
		const {admin, settings, realm, clientId, existing} = state;
		const warnings = [...state.warnings];
		const where = `Keycloak${state.version ? ` ${state.version}` : ''}, realm ${realm}`;
		const summary: string[] = [];
		let changes: PlanChange[];
		let mapperNeeded = Boolean(settings.groupsClaim);
		if (existing) {
			changes = updatedClient(existing, settings).changes;
			if (settings.groupsClaim) {
				const mappers = groupsMapperState(await admin.mappers(realm, existing.id), settings.groupsClaim);
				mapperNeeded = mappers.needed;
				warnings.push(...mappers.warnings);
			}

			summary.push(changes.length > 0 ? `Update the client "${clientId}" in ${where} (${changes.map((row) => row.label.toLowerCase()).join(', ')}).` : `The client "${clientId}" in ${where} already has the right settings.`);
		} else {
			changes = describeNewClient(newClient(settings, clientId));
			summary.push(
				`Create the confidential OpenID Connect client "${clientId}" in ${where} with the standard flow, the redirect URI ${settings.redirectUri}${settings.pkce ? ' and PKCE (S256)' : ''}.`,
				'Keycloak generates the client secret; sso-setup keeps it in the keychain, never in the session file.',
			);
		}

		if (mapperNeeded && settings.groupsClaim) {
			changes.push({key: 'groups_mapper', label: 'Group membership mapper', to: `claim "${settings.groupsClaim}", group names without the leading "/"`});
			summary.push(`Add a group membership mapper that puts the user's group names in the "${settings.groupsClaim}" claim.`);
		}

		if (existing && changes.length === 0 && !(await credentialsKept(context, clientId, () => admin.secret(realm, existing.id)))) {
			changes.push({key: 'client_secret', label: 'Client ID and secret', to: 'read from Keycloak into this session (secret in the keychain)', secret: true});
		}

		summary.push(`The issuer will be ${keycloakIssuer(admin.base, realm)}.`);
		return {action: existing ? (changes.length > 0 ? 'update' : 'none') : 'create', summary, changes, questions: [], warnings};
	},
	async register(context) {
		const {admin, settings, realm, clientId, existing, warnings} = await connect(context);
		const done: string[] = [];
		let uuid: string;
		let current = existing;
		if (!current) {
			context.progress(`keycloak: creating the client "${clientId}"`);
			const created = await admin.createClient(realm, newClient(settings, clientId));
			if (created) {
				uuid = created;
				await writeRegistration<KeycloakRegistration>(context, {idp: 'keycloak', realm, clientUuid: uuid, clientId});
				done.push(`Keycloak client "${clientId}" in realm ${realm} (created)`);
			} else {
				// Created meanwhile (409): update it like any existing client.
				current = await admin.findClient(realm, clientId);
				if (!current) {
					throw new SsoSetupError(`keycloak: Keycloak says the client "${clientId}" exists in realm ${realm}, but it cannot be found.`, {hint: 'Check the client list of the realm, then run again.'});
				}
			}
		}

		if (current) {
			uuid = current.id;
			await writeRegistration<KeycloakRegistration>(context, {idp: 'keycloak', realm, clientUuid: uuid, clientId});
			const {body, changes} = updatedClient(current, settings);
			if (changes.length > 0) {
				context.progress(`keycloak: updating the client "${clientId}"`);
				await admin.updateClient(realm, uuid, body);
				done.push(`Keycloak client "${clientId}" in realm ${realm} (updated: ${changes.map((row) => row.label.toLowerCase()).join(', ')})`);
			} else {
				done.push(`Keycloak client "${clientId}" in realm ${realm} (unchanged)`);
			}
		}

		const id = uuid!;
		context.progress('keycloak: reading the client secret');
		const secret = (await admin.secret(realm, id)) ?? (await admin.regenerateSecret(realm, id));
		if (!secret) {
			throw new SsoSetupError(`keycloak: Keycloak returned no secret for the client "${clientId}".`, {hint: 'Open the client\'s Credentials tab, check that Client authenticator is "Client Id and Secret", then run again.'});
		}

		await context.setValue('client_id', clientId);
		if (admin.base !== context.values['idp_url']) {
			// Found under /auth: every value derived from idp_url (issuer, endpoints) must use it too.
			await context.setValue('idp_url', admin.base);
		}

		await context.setSecret('client_secret', secret);

		if (settings.groupsClaim) {
			const state = groupsMapperState(await admin.mappers(realm, id), settings.groupsClaim);
			warnings.push(...state.warnings);
			if (state.needed) {
				context.progress('keycloak: adding the groups mapper');
				await admin.addMapper(realm, id, groupsMapper(settings.groupsClaim));
				await writeRegistration<KeycloakRegistration>(context, {idp: 'keycloak', realm, clientUuid: id, clientId, mapperAdded: true});
				done.push(`Keycloak group membership mapper for the "${settings.groupsClaim}" claim (created)`);
			}
		}

		const issuer = keycloakIssuer(admin.base, realm);
		warnings.push(...(await confirmIssuer(context, issuer, 'keycloak')));
		return {clientId, issuer, done, warnings};
	},
});
