import * as z from 'zod';
import {RemoteError} from '../../../core/errors.js';
import type {HttpClient} from '../../../core/http.js';
import {requireSecret} from '../../kit/require-secret.js';
import type {IntegrationContext} from '../../types.js';
import {advise, appHttp, oncePerRun, parseAnswer} from '../../kit/http-advice.js';
import {optionalValue, requireValue, withoutTrailingSlash} from '../../kit/values.js';
import {ovhBaseUrl, ovhSignedHeaders} from './ovh-signing.js';

/**
 * The OVHcloud API calls for a Managed Private Registry (portainer-ovh.md §2), signed with the
 * application key/secret and consumer key, on the API's clock (GET /auth/time).
 */

const registrySchema = z.looseObject({
	id: z.string(),
	name: z.string(),
	url: z.string().nullish(),
	region: z.string().nullish(),
	status: z.string().nullish(),
	version: z.string().nullish(),
});
export type OvhRegistry = z.infer<typeof registrySchema>;

const oidcSchema = z.looseObject({
	name: z.string(),
	endpoint: z.string(),
	clientId: z.string(),
	scope: z.string(),
	status: z.string(),
	groupsClaim: z.string().nullish(),
	adminGroup: z.string().nullish(),
	userClaim: z.string().nullish(),
	verifyCert: z.boolean().nullish(),
	autoOnboard: z.boolean().nullish(),
});
export type OvhOidc = z.infer<typeof oidcSchema>;

const userSchema = z.looseObject({id: z.string(), user: z.string(), email: z.string().nullish()});
export type OvhUser = z.infer<typeof userSchema>;

/** POST …/openIdConnect (OIDCPost): an upsert; scope comma-separated; booleans always explicit. */
export type OvhProvider = {
	name: string;
	endpoint: string;
	clientId: string;
	clientSecret: string;
	scope: string;
	groupsClaim?: string;
	adminGroup?: string;
	userClaim?: string;
	verifyCert: boolean;
	autoOnboard: boolean;
};

type Credentials = {applicationKey: string; applicationSecret: string; consumerKey: string};

export class OvhApi {
	constructor(
		private readonly http: HttpClient,
		readonly baseUrl: string,
		private readonly credentials: Credentials,
		/** API clock minus local clock, in seconds. */
		private readonly delta: number,
	) {}

	async projects(): Promise<string[]> {
		return this.call('GET', '/cloud/project', 'ovh-mpr: list Public Cloud projects', z.array(z.string()));
	}

	async registries(serviceName: string): Promise<OvhRegistry[]> {
		return this.call('GET', `/cloud/project/${encodeURIComponent(serviceName)}/containerRegistry`, 'ovh-mpr: list registries', z.array(registrySchema));
	}

	async registry(where: RegistryRef): Promise<OvhRegistry> {
		return this.call('GET', registryPath(where), 'ovh-mpr: read the registry', registrySchema);
	}

	/** The OIDC configuration, or undefined when there is none (404). */
	async oidc(where: RegistryRef, step = 'ovh-mpr: read the OpenID Connect configuration'): Promise<OvhOidc | undefined> {
		try {
			return await this.call('GET', `${registryPath(where)}/openIdConnect`, step, oidcSchema);
		} catch (error) {
			if (error instanceof RemoteError && error.status === 404) {
				return undefined;
			}

			throw error;
		}
	}

	async saveOidc(where: RegistryRef, body: {deleteUsers: boolean; provider: OvhProvider}): Promise<void> {
		await this.call('POST', `${registryPath(where)}/openIdConnect`, 'ovh-mpr: save the OpenID Connect configuration', z.unknown(), body);
	}

	async users(where: RegistryRef): Promise<OvhUser[]> {
		return this.call('GET', `${registryPath(where)}/users`, 'ovh-mpr: list the registry users', z.array(userSchema));
	}

	async setAsAdmin(where: RegistryRef, userId: string): Promise<void> {
		await this.call('PUT', `${registryPath(where)}/users/${encodeURIComponent(userId)}/setAsAdmin`, `ovh-mpr: make user ${userId} an administrator`, z.unknown());
	}

	/** DELETE …/users/{userID}: removes a registry user (an identity-provider user comes back at its next sign-in). */
	async deleteUser(where: RegistryRef, userId: string): Promise<void> {
		await this.call('DELETE', `${registryPath(where)}/users/${encodeURIComponent(userId)}`, `ovh-mpr: delete user ${userId}`, z.unknown());
	}

	private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, step: string, schema: z.ZodType<T>, json?: unknown): Promise<T> {
		const url = `${this.baseUrl}${path}`;
		// Sign the exact bytes sent; a body-less call sends none (else "You provided an input body while none was expected").
		const body = json === undefined ? '' : JSON.stringify(json);
		const headers = ovhSignedHeaders({...this.credentials, method, url, body, timestamp: Math.round(Date.now() / 1000) + this.delta});
		try {
			const answer = await this.http.json({method, url, step, headers, ...(json === undefined ? {} : {body})});
			return parseAnswer(schema, answer.body, {url, step, product: 'the OVHcloud API'});
		} catch (error) {
			throw explain(error);
		}
	}
}

export type RegistryRef = {serviceName: string; registryId: string};

function registryPath(where: RegistryRef): string {
	return `/cloud/project/${encodeURIComponent(where.serviceName)}/containerRegistry/${encodeURIComponent(where.registryId)}`;
}

/** Which OVHcloud credential a refusal points at (the API says it in the message). */
function explain(error: unknown): unknown {
	if (!(error instanceof RemoteError)) {
		return error;
	}

	const has = (text: string) => error.message.toLowerCase().includes(text);
	if (error.status === 400 && has('invalid signature')) {
		return advise(error, {400: {hint: 'The request signature was refused: check ovh_application_secret (SSO_SETUP_OVH_APPLICATION_SECRET) and that the consumer key was made for this application key.'}});
	}

	if (error.status === 403 && has('application key')) {
		return advise(error, {403: {hint: 'Check ovh_application_key: it must be the key of an application created at the API console of this region (…/createApp).'}});
	}

	if (error.status === 403 && (has('credential') && !has('granted'))) {
		return advise(error, {403: {hint: 'The consumer key is unknown or expired: create a new one (…/createToken) and set ovh_consumer_key (SSO_SETUP_OVH_CONSUMER_KEY).'}});
	}

	if (error.status === 403) {
		return advise(error, {403: {hint: 'The consumer key is not allowed to make this call: create one with GET, POST and PUT rights on /cloud/project/* (and DELETE, for the sign-in proof to delete its test user) (…/createToken).'}});
	}

	return advise(error, {
		401: {hint: 'The OVHcloud API refused the credentials: check ovh_application_key and ovh_consumer_key.'},
		404: {hint: 'Check ovh_service_name (the Public Cloud project id) and ovh_registry_id, and that the consumer key belongs to the account that owns them.'},
		'5xx': {hint: 'The OVHcloud API failed on its side: wait a little and run sso-setup again; completed steps are not repeated.'},
	});
}

/** Connects once per run: reads the credentials and the API's clock. */
export function ovhApi(context: IntegrationContext): Promise<OvhApi> {
	return oncePerRun(context, 'ovh-api', async () => {
		const http = appHttp(context);
		const baseUrl = ovhBaseUrl(optionalValue(context.values, 'ovh_endpoint') ?? 'ovh-eu');
		const credentials = {
			applicationKey: requireValue(context.values, 'ovh_application_key', 'ovh-mpr'),
			applicationSecret: await requireSecret(context, 'ovh_application_secret', 'ovh-mpr'),
			consumerKey: await requireSecret(context, 'ovh_consumer_key', 'ovh-mpr'),
		};
		const step = 'ovh-mpr: read the API clock';
		const url = `${baseUrl}/auth/time`;
		const before = Date.now();
		const {body} = await http.json({url, step}).catch((error: unknown) => {
			throw explain(error);
		});
		const serverTime = parseAnswer(z.number().int(), body, {url, step, product: 'the OVHcloud API'});
		return new OvhApi(http, baseUrl, credentials, serverTime - Math.round(before / 1000));
	});
}

export function registryRef(context: IntegrationContext): RegistryRef {
	return {
		serviceName: requireValue(context.values, 'ovh_service_name', 'ovh-mpr'),
		registryId: requireValue(context.values, 'ovh_registry_id', 'ovh-mpr'),
	};
}

// ---------------------------------------------------------------- for the wizard's pickers

/** The Public Cloud projects (service names) the consumer key can see. */
export async function listOvhProjects(context: IntegrationContext): Promise<string[]> {
	return (await ovhApi(context)).projects();
}

export async function listOvhRegistries(context: IntegrationContext, serviceName: string): Promise<Array<{id: string; name: string; url?: string; region?: string}>> {
	const registries = await (await ovhApi(context)).registries(serviceName);
	return registries.map((registry) => ({
		id: registry.id,
		name: registry.name,
		...(registry.url ? {url: registryUrl(registry.url)} : {}),
		...(registry.region ? {region: registry.region} : {}),
	}));
}

/** The registry's URL (its `url` field), with https:// and no trailing slash. */
export function registryUrl(raw: string): string {
	return withoutTrailingSlash(/^https?:\/\//.test(raw) ? raw : `https://${raw}`);
}

/** Reads the URL of the registry named by ovh_service_name and ovh_registry_id. */
export async function readOvhRegistryUrl(context: IntegrationContext): Promise<string> {
	const registry = await (await ovhApi(context)).registry(registryRef(context));
	if (!registry.url) {
		throw new RemoteError({
			host: new URL((await ovhApi(context)).baseUrl).host,
			step: 'ovh-mpr: read the registry',
			reason: 'no-url',
			message: `the registry ${registry.name} has no URL yet (status ${registry.status ?? 'unknown'})`,
			hint: 'Wait until the registry is ready in the OVHcloud Control Panel, then try again.',
		});
	}

	return registryUrl(registry.url);
}

/** Harbor's callback under the registry URL: what the identity provider must accept. */
export function ovhRedirectUri(registryBaseUrl: string): string {
	return `${registryUrl(registryBaseUrl)}/c/oidc/callback`;
}
