import * as z from 'zod';
import {RemoteError} from '../../../core/errors.js';
import {extractErrorDetail} from '../../../core/http-errors.js';
import {parseJsonBody, type HttpResponse} from '../../../core/http.js';
import type {IntegrationContext} from '../../types.js';
import {callJson, callRaw, findJson, unexpected, type Refuse} from '../../kit/http-advice.js';

/** Keycloak admin REST: an admin-cli token from the master realm, then /admin/realms/{realm}/clients. */

/** Kept whole (looseObject): an update sends the representation back with our changes. */
export const clientSchema = z.looseObject({
	id: z.string(),
	clientId: z.string(),
	name: z.string().optional(),
	enabled: z.boolean().optional(),
	protocol: z.string().optional(),
	publicClient: z.boolean().optional(),
	bearerOnly: z.boolean().optional(),
	standardFlowEnabled: z.boolean().optional(),
	clientAuthenticatorType: z.string().optional(),
	redirectUris: z.array(z.string()).optional(),
	webOrigins: z.array(z.string()).optional(),
	rootUrl: z.string().optional(),
	baseUrl: z.string().optional(),
	attributes: z.record(z.string(), z.unknown()).optional(),
});
export type KeycloakClient = z.infer<typeof clientSchema>;
export type ClientBody = {
	clientId: string;
	name?: string;
	protocol?: string;
	enabled?: boolean;
	publicClient?: boolean;
	bearerOnly?: boolean;
	clientAuthenticatorType?: string;
	standardFlowEnabled?: boolean;
	serviceAccountsEnabled?: boolean;
	redirectUris?: string[];
	webOrigins?: string[];
	rootUrl?: string;
	baseUrl?: string;
	attributes?: Record<string, string>;
};

export const mapperSchema = z.object({
	id: z.string().optional(),
	name: z.string(),
	protocol: z.string().optional(),
	protocolMapper: z.string(),
	config: z.record(z.string(), z.string()).optional(),
});
export type ProtocolMapper = z.infer<typeof mapperSchema>;

export const userSchema = z.looseObject({id: z.string(), username: z.string(), enabled: z.boolean().optional()});
export type KeycloakUser = z.infer<typeof userSchema>;

export type KeycloakGroup = {id: string; name: string; path?: string | undefined; subGroups?: KeycloakGroup[] | undefined};
export const groupSchema: z.ZodType<KeycloakGroup> = z.lazy(() =>
	z.looseObject({id: z.string(), name: z.string(), path: z.string().optional(), subGroups: z.array(groupSchema).optional()}),
);

/** POST /users: what the test user is created with (UserRepresentation). */
export type UserBody = {
	username: string;
	email: string;
	emailVerified: boolean;
	firstName: string;
	lastName: string;
	enabled: boolean;
	credentials: Array<{type: 'password'; value: string; temporary: boolean}>;
};

const tokenSchema = z.object({access_token: z.string()});
const oauthErrorSchema = z.object({error: z.string().optional(), error_description: z.string().optional()}).catch({});
const secretSchema = z.object({value: z.string().optional()});
const serverInfoSchema = z.object({systemInfo: z.object({version: z.string()})});

export const passwordHint = (base: string) =>
	`keycloak_admin_user and keycloak_admin_password are an administrator of the master realm, the account you use at ${base}/admin/. Enter the password in the wizard or set SSO_SETUP_KEYCLOAK_ADMIN_PASSWORD.`;

export class KeycloakAdmin {
	private readonly refuse: Refuse;

	private constructor(
		private readonly context: IntegrationContext,
		/** idp_url, or idp_url + /auth on Keycloak 16 and older. */
		readonly base: string,
		private readonly token: string,
		/** The base was found by trying /auth after a 404. */
		readonly legacyPrefixFound: boolean,
	) {
		this.refuse = refusal();
	}

	/** Signs in with admin-cli's password grant on the master realm, finding the legacy /auth prefix on the way. */
	static async connect(context: IntegrationContext, idpUrl: string, user: string, password: string): Promise<KeycloakAdmin> {
		const bases = idpUrl.endsWith('/auth') ? [idpUrl] : [idpUrl, `${idpUrl}/auth`];
		const step = 'keycloak: sign in as administrator';
		for (const [index, base] of bases.entries()) {
			const response = await context.http.request({
				method: 'POST',
				url: `${base}/realms/master/protocol/openid-connect/token`,
				step,
				form: {grant_type: 'password', client_id: 'admin-cli', username: user, password},
				expect: 'any',
			});
			if (response.status === 404 && index < bases.length - 1) {
				continue;
			}

			if (response.status === 200) {
				const parsed = tokenSchema.safeParse(parseJsonBody(response, step));
				if (!parsed.success) {
					throw unexpected(response, step, 'the token answer has no access_token');
				}

				return new KeycloakAdmin(context, base, parsed.data.access_token, index > 0);
			}

			throw signInError(response, step, base, user);
		}

		throw new Error('unreachable');
	}

	async version(): Promise<string | undefined> {
		const response = await this.context.http.request({url: `${this.base}/admin/serverinfo`, step: 'keycloak: read the version', headers: this.headers(), expect: 'any'});
		if (response.status !== 200) {
			return undefined;
		}

		const parsed = serverInfoSchema.safeParse(safeJson(response.text));
		return parsed.success ? parsed.data.systemInfo.version : undefined;
	}

	/** The client with exactly this clientId (the query is an exact match without search=true). */
	async findClient(realm: string, clientId: string): Promise<KeycloakClient | undefined> {
		const clients = await findJson(
			this.context.http,
			{...this.request(realm, `/clients?clientId=${encodeURIComponent(clientId)}`, 'find the client', z.array(clientSchema), `view-clients (realm-management) in realm ${realm}`)},
			this.refuse,
		);
		if (clients === undefined) {
			throw new RemoteError({
				host: new URL(this.base).host,
				step: 'keycloak: find the client',
				reason: 'realm-not-found',
				status: 404,
				message: `there is no realm "${realm}"`,
				hint: 'Check the realm name (it is case-sensitive); the realms are listed at the top left of the admin console.',
			});
		}

		return clients.find((client) => client.clientId === clientId);
	}

	async client(realm: string, uuid: string): Promise<KeycloakClient | undefined> {
		return findJson(this.context.http, this.request(realm, `/clients/${uuid}`, 'read the client', clientSchema, `view-clients (realm-management) in realm ${realm}`), this.refuse);
	}

	/** Returns the new client's id, or undefined when a client with this clientId exists (409). */
	async createClient(realm: string, body: ClientBody): Promise<string | undefined> {
		const response = await callRaw(
			this.context.http,
			{...this.request(realm, '/clients', 'create the client', z.unknown(), `manage-clients (realm-management) in realm ${realm}`), method: 'POST', json: body, ok: [201], also: [409]},
			this.refuse,
		);
		if (response.status === 409) {
			return undefined;
		}

		const id = response.headers['location']?.split('/').pop();
		if (!id) {
			throw unexpected(response, 'keycloak: create the client', 'the answer has no Location header');
		}

		return id;
	}

	async updateClient(realm: string, uuid: string, body: KeycloakClient): Promise<void> {
		await callRaw(
			this.context.http,
			{...this.request(realm, `/clients/${uuid}`, 'update the client', z.unknown(), `manage-clients (realm-management) in realm ${realm}`), method: 'PUT', json: body, ok: [200, 204]},
			this.refuse,
		);
	}

	async secret(realm: string, uuid: string): Promise<string | undefined> {
		const body = await callJson(this.context.http, {...this.request(realm, `/clients/${uuid}/client-secret`, 'read the client secret', secretSchema, `view-clients (realm-management) in realm ${realm}`), ok: [200]}, this.refuse);
		return body.value || undefined;
	}

	async regenerateSecret(realm: string, uuid: string): Promise<string | undefined> {
		const body = await callJson(
			this.context.http,
			{...this.request(realm, `/clients/${uuid}/client-secret`, 'generate the client secret', secretSchema, `manage-clients (realm-management) in realm ${realm}`), method: 'POST', ok: [200]},
			this.refuse,
		);
		return body.value || undefined;
	}

	async mappers(realm: string, uuid: string): Promise<ProtocolMapper[]> {
		return callJson(this.context.http, {...this.request(realm, `/clients/${uuid}/protocol-mappers/models`, 'list the protocol mappers', z.array(mapperSchema), `view-clients (realm-management) in realm ${realm}`), ok: [200]}, this.refuse);
	}

	/** Returns false when a mapper with this name exists already (409). */
	async addMapper(realm: string, uuid: string, mapper: ProtocolMapper): Promise<boolean> {
		const response = await callRaw(
			this.context.http,
			{
				...this.request(realm, `/clients/${uuid}/protocol-mappers/models`, 'add the groups mapper', z.unknown(), `manage-clients and, on Keycloak 26.8.2 and later, manage-realm (realm-management) in realm ${realm}`),
				method: 'POST',
				json: mapper,
				ok: [201],
				also: [409],
			},
			this.refuse,
		);
		return response.status === 201;
	}

	/** Creates a user and returns its id (from the Location header), or undefined when the name is taken (409). */
	async createUser(realm: string, body: UserBody): Promise<string | undefined> {
		const response = await callRaw(
			this.context.http,
			{...this.request(realm, '/users', 'create the test user', z.unknown(), `manage-users (realm-management) in realm ${realm}`), method: 'POST', json: body, ok: [201], also: [409]},
			this.refuse,
		);
		if (response.status === 409) {
			return undefined;
		}

		const id = response.headers['location']?.split('/').pop();
		if (!id) {
			throw unexpected(response, 'keycloak: create the test user', 'the answer has no Location header');
		}

		return id;
	}

	/** The users with exactly this user name (Keycloak keeps user names in lower case and matches without case). */
	async findUsers(realm: string, username: string): Promise<KeycloakUser[]> {
		const users = await callJson(
			this.context.http,
			{...this.request(realm, `/users?username=${encodeURIComponent(username)}&exact=true`, 'find the test user', z.array(userSchema), `view-users (realm-management) in realm ${realm}`), ok: [200]},
			this.refuse,
		);
		return users.filter((user) => user.username.toLowerCase() === username.toLowerCase());
	}

	/** False when there is no such user (404). */
	async deleteUser(realm: string, id: string): Promise<boolean> {
		const response = await callRaw(
			this.context.http,
			{...this.request(realm, `/users/${encodeURIComponent(id)}`, 'delete the test user', z.unknown(), `manage-users (realm-management) in realm ${realm}`), method: 'DELETE', ok: [204], also: [404]},
			this.refuse,
		);
		return response.status === 204;
	}

	/** The group at this full path ("/parent/child"), or undefined. */
	async groupByPath(realm: string, path: string): Promise<KeycloakGroup | undefined> {
		const route = path.replace(/^\/+/, '').split('/').map((part) => encodeURIComponent(part)).join('/');
		return findJson(this.context.http, this.request(realm, `/group-by-path/${route}`, 'find the group', groupSchema, `query-groups (realm-management) in realm ${realm}`), this.refuse);
	}

	/** Every group named exactly `name`, at any depth (the search answers with the top-level groups and the matching branches under them). */
	async groupsNamed(realm: string, name: string): Promise<KeycloakGroup[]> {
		const tree = await callJson(
			this.context.http,
			{...this.request(realm, `/groups?search=${encodeURIComponent(name)}&exact=true`, 'find the group', z.array(groupSchema), `query-groups (realm-management) in realm ${realm}`), ok: [200]},
			this.refuse,
		);
		const found: KeycloakGroup[] = [];
		const walk = (groups: KeycloakGroup[]) => {
			for (const group of groups) {
				if (group.name === name) found.push(group);
				walk(group.subGroups ?? []);
			}
		};
		walk(tree);
		return found;
	}

	async addUserToGroup(realm: string, userId: string, groupId: string): Promise<void> {
		await callRaw(
			this.context.http,
			{...this.request(realm, `/users/${encodeURIComponent(userId)}/groups/${encodeURIComponent(groupId)}`, 'put the test user in a group', z.unknown(), `manage-users (realm-management) in realm ${realm}`), method: 'PUT', ok: [204]},
			this.refuse,
		);
	}

	private headers(): Record<string, string> {
		return {authorization: `Bearer ${this.token}`};
	}

	private request<T>(realm: string, path: string, step: string, schema: z.ZodType<T>, permission: string) {
		return {url: `${this.base}/admin/realms/${encodeURIComponent(realm)}${path}`, step: `keycloak: ${step}`, headers: this.headers(), schema, permission};
	}
}

function signInError(response: HttpResponse, step: string, base: string, user: string): Error {
	const host = new URL(response.url).host;
	const body = oauthErrorSchema.parse(safeJson(response.text));
	const description = body.error_description ?? body.error ?? extractErrorDetail(response.text) ?? '';
	const said = description ? `: ${description}` : '';
	if (response.status === 401 || response.status === 400) {
		if (/not fully set up|required action/i.test(description)) {
			return new RemoteError({host, step, status: response.status, reason: 'account-not-ready', message: `the administrator "${user}" must finish a required action first (HTTP ${response.status}${said})`, hint: `Sign in once at ${base}/admin/ as "${user}" (e.g. to replace a temporary password), then run again.`});
		}

		if (body.error === 'unauthorized_client' || /direct access|not allowed/i.test(description)) {
			return new RemoteError({host, step, status: response.status, reason: 'admin-cli-disabled', message: `the master realm's admin-cli client does not allow password sign-in (HTTP ${response.status}${said})`, hint: 'In the master realm, open Clients → admin-cli and turn "Direct access grants" back on.'});
		}

		if (body.error === 'invalid_grant') {
			return new RemoteError({host, step, status: response.status, reason: 'bad-credential', message: `the administrator "${user}" and keycloak_admin_password were refused by the master realm (HTTP ${response.status}${said})`, hint: passwordHint(base)});
		}
	}

	if (response.status === 404) {
		return new RemoteError({host, step, status: 404, reason: 'http-404', message: `no Keycloak master realm at ${base}/realms/master (HTTP 404)`, hint: 'Check the Keycloak URL: it is the address of the admin console without /admin (Keycloak 16 and older: with /auth).'});
	}

	if (response.status >= 300 && response.status < 400) {
		const location = response.headers['location'];
		const target = location && URL.canParse(location, response.url) ? new URL(location, response.url).toString() : (location ?? 'another address');
		return new RemoteError({host, step, status: response.status, reason: 'redirect', message: `the server redirected to ${target} (HTTP ${response.status})`, hint: 'Use the final address of Keycloak as its URL (check http vs https, the host and the path).'});
	}

	return new RemoteError({host, step, status: response.status, reason: response.status >= 500 ? 'http-5xx' : `http-${response.status}`, message: `the sign-in failed (HTTP ${response.status}${said})`, hint: response.status >= 500 ? `Look at the Keycloak logs on ${host}, then run again.` : passwordHint(base)});
}

/** 401 on the admin API with a fresh token is the 26.8.2 kc-admin-api scope; 403 is a missing role. */
function refusal(): Refuse {
	return (response, request) => {
		const host = new URL(response.url).host;
		if (response.status === 401) {
			return new RemoteError({
				host,
				step: request.step,
				status: 401,
				reason: 'admin-api-refused',
				message: 'the admin API refused the administrator token that the master realm had just issued (HTTP 401)',
				hint: 'Keycloak 26.8.2 and later accept admin API tokens only with the kc-admin-api client scope: in the master realm, open Clients → admin-cli → Client scopes and add kc-admin-api as a Default scope.',
			});
		}

		return new RemoteError({
			host,
			step: request.step,
			status: response.status,
			reason: 'missing-permission',
			message: `the administrator lacks the role ${request.permission ?? 'this step needs'} (HTTP ${response.status})`,
			hint: 'Use an administrator of the master realm (role "admin"), or give this user the realm-management client roles named above.',
		});
	};
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
