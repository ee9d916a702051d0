import * as z from 'zod';
import {RemoteError} from '../../../core/errors.js';
import {extractErrorDetail} from '../../../core/http-errors.js';
import type {HttpResponse} from '../../../core/http.js';
import type {IntegrationContext} from '../../types.js';
import {callJson, callRaw, findJson, unexpected, type Refuse} from '../../kit/http-advice.js';

/** Pocket ID's REST API with an API key (X-API-Key), which only the web UI can create. */

/** Kept whole: PUT replaces the client, so an update sends back every field it read. */
export const pocketClientSchema = z.looseObject({
	id: z.string(),
	name: z.string(),
	callbackURLs: z.array(z.string()).nullable().optional(),
	logoutCallbackURLs: z.array(z.string()).nullable().optional(),
	isPublic: z.boolean().optional(),
	pkceEnabled: z.boolean().optional(),
	isGroupRestricted: z.boolean().optional(),
	launchURL: z.string().nullable().optional(),
	allowedUserGroups: z.array(z.object({id: z.string(), name: z.string()})).nullable().optional(),
});
export type PocketClient = z.infer<typeof pocketClientSchema>;

/** The fields of OidcClientUpdateDto (backend/internal/dto/oidc_dto.go); PUT takes exactly these. */
const updatableFields = [
	'name', 'description', 'callbackURLs', 'logoutCallbackURLs', 'isPublic', 'pkceEnabled', 'requiresReauthentication', 'requiresPushedAuthorizationRequests',
	'skipConsent', 'credentials', 'launchURL', 'hasLogo', 'hasDarkLogo', 'isGroupRestricted',
] as const;

export type ClientBody = {
	id?: string;
	name: string;
	callbackURLs: string[];
	logoutCallbackURLs?: string[];
	isPublic: boolean;
	pkceEnabled: boolean;
	launchURL?: string;
	isGroupRestricted?: boolean;
};

const listSchema = z.object({data: z.array(pocketClientSchema)});
export const pocketUserSchema = z.object({
	id: z.string(),
	username: z.string(),
	email: z.string().nullable().optional(),
	firstName: z.string().optional(),
	lastName: z.string().nullable().optional(),
	userGroups: z.array(z.object({id: z.string(), name: z.string()})).nullable().optional(),
});
export type PocketUser = z.infer<typeof pocketUserSchema>;
const userListSchema = z.object({data: z.array(pocketUserSchema).nullable()});
const tokenSchema = z.object({token: z.string().min(1).max(200)});
/** The fields of UserCreateDto (backend/internal/dto/user_dto.go) sso-setup sends. */
export type UserBody = {username: string; email: string; emailVerified: boolean; firstName: string; lastName: string; isAdmin: false; disabled: false};
const groupListSchema = z.object({data: z.array(z.object({id: z.string(), name: z.string(), friendlyName: z.string().optional()}))});
const secretSchema = z.object({secret: z.string().min(1)});
const versionSchema = z.object({currentVersion: z.string()});

export const apiKeyHint = (idpUrl: string) =>
	`Create an API key in Pocket ID's web UI, signed in as an administrator: ${idpUrl}/settings/admin/api-keys (Settings → Admin → API Keys). The API cannot create keys, and they exist since Pocket ID v0.39.`;

export class PocketIdApi {
	private readonly refuse: Refuse;

	constructor(
		private readonly context: IntegrationContext,
		private readonly idpUrl: string,
		private readonly apiKey: string,
	) {
		this.refuse = refusal(idpUrl);
	}

	/** The running version, when this release has /api/version/current; undefined otherwise. */
	async version(): Promise<string | undefined> {
		const response = await this.context.http.request({url: `${this.idpUrl}/api/version/current`, step: 'pocket-id: read the version', headers: this.headers(), expect: 'any'});
		if (response.status !== 200) {
			return undefined;
		}

		try {
			const parsed = versionSchema.safeParse(JSON.parse(response.text));
			return parsed.success ? parsed.data.currentVersion.replace(/^v/, '') : undefined;
		} catch {
			return undefined;
		}
	}

	/** Lists clients whose name contains `name` (also the credential and admin check: the list needs an admin key). */
	async clientsNamed(name: string): Promise<PocketClient[]> {
		const body = await callJson(this.context.http, {...this.request('find the OIDC client', `/api/oidc/clients?search=${encodeURIComponent(name)}`, listSchema), ok: [200]}, this.refuse);
		return body.data.filter((client) => client.name === name);
	}

	async client(id: string): Promise<PocketClient | undefined> {
		return findJson(this.context.http, this.request('read the OIDC client', `/api/oidc/clients/${encodeURIComponent(id)}`, pocketClientSchema), this.refuse);
	}

	async createClient(body: ClientBody): Promise<PocketClient> {
		return callJson(this.context.http, {...this.request('create the OIDC client', '/api/oidc/clients', pocketClientSchema), method: 'POST', json: body, ok: [201]}, this.refuse);
	}

	/** PUT replaces the whole client: the current fields are sent back with ours on top. */
	async updateClient(current: PocketClient, changes: Partial<ClientBody>): Promise<PocketClient> {
		const body: Record<string, unknown> = {};
		for (const field of updatableFields) {
			if (current[field] !== undefined && current[field] !== null) {
				body[field] = current[field];
			}
		}

		Object.assign(body, changes);
		return callJson(this.context.http, {...this.request('update the OIDC client', `/api/oidc/clients/${encodeURIComponent(current.id)}`, pocketClientSchema), method: 'PUT', json: body, ok: [200]}, this.refuse);
	}

	/**
	 * A new client secret. v2.14.0 and later add one with POST …/secrets (201, older secrets stay
	 * valid); up to v2.13.0 POST …/secret (200) replaces the only one. Tries the new route first.
	 */
	async newSecret(id: string): Promise<{secret: string; replaced: boolean}> {
		const base = `/api/oidc/clients/${encodeURIComponent(id)}`;
		const current = await callRaw(this.context.http, {...this.request('generate the client secret', `${base}/secrets`, z.unknown()), method: 'POST', ok: [201], also: [404, 405]}, this.refuse);
		if (current.status === 201) {
			return {secret: this.parseSecret(current), replaced: false};
		}

		const legacy = await callRaw(this.context.http, {...this.request('generate the client secret', `${base}/secret`, z.unknown()), method: 'POST', ok: [200]}, this.refuse);
		return {secret: this.parseSecret(legacy), replaced: true};
	}

	async groupIds(names: readonly string[]): Promise<{ids: string[]; missing: string[]}> {
		const ids: string[] = [];
		const missing: string[] = [];
		for (const name of names) {
			const body = await callJson(this.context.http, {...this.request('find the user group', `/api/user-groups?search=${encodeURIComponent(name)}`, groupListSchema), ok: [200]}, this.refuse);
			const group = body.data.find((candidate) => candidate.name === name) ?? body.data.find((candidate) => candidate.friendlyName === name);
			if (group) {
				ids.push(group.id);
			} else {
				missing.push(name);
			}
		}

		return {ids, missing};
	}

	async setAllowedGroups(id: string, groupIds: string[]): Promise<void> {
		await callRaw(this.context.http, {...this.request('restrict the client to groups', `/api/oidc/clients/${encodeURIComponent(id)}/allowed-user-groups`, z.unknown()), method: 'PUT', json: {userGroupIds: groupIds}, ok: [200]}, this.refuse);
	}

	async createUser(body: UserBody): Promise<PocketUser> {
		return callJson(this.context.http, {...this.request('create the test user', '/api/users', pocketUserSchema), method: 'POST', json: body, ok: [201]}, this.refuse);
	}

	async user(id: string): Promise<PocketUser | undefined> {
		return findJson(this.context.http, this.request('read the test user', `/api/users/${encodeURIComponent(id)}`, pocketUserSchema), this.refuse);
	}

	/** The search matches parts of names and e-mails: only the exact user name is kept. */
	async userNamed(username: string): Promise<PocketUser | undefined> {
		const body = await callJson(this.context.http, {...this.request('find the test user', `/api/users?search=${encodeURIComponent(username)}`, userListSchema), ok: [200]}, this.refuse);
		return (body.data ?? []).find((user) => user.username === username);
	}

	async setUserGroups(id: string, groupIds: readonly string[]): Promise<void> {
		await callRaw(this.context.http, {...this.request('put the test user in its groups', `/api/users/${encodeURIComponent(id)}/user-groups`, z.unknown()), method: 'PUT', json: {userGroupIds: groupIds}, ok: [200]}, this.refuse);
	}

	/** 'absent' when Pocket ID has no such user (404). */
	async deleteUser(id: string): Promise<'deleted' | 'absent'> {
		const response = await callRaw(this.context.http, {...this.request('delete the test user', `/api/users/${encodeURIComponent(id)}`, z.unknown()), method: 'DELETE', ok: [204], also: [404]}, this.refuse);
		return response.status === 404 ? 'absent' : 'deleted';
	}

	/**
	 * A one-time access token for the user, issued by the administrator (what "Login code" does in
	 * the web UI). Five minutes: short enough for a six-character code, long enough for the sign-in.
	 */
	async oneTimeAccessToken(id: string): Promise<string> {
		const body = await callJson(this.context.http, {...this.request('issue a one-time access token for the test user', `/api/users/${encodeURIComponent(id)}/one-time-access-token`, tokenSchema), method: 'POST', json: {ttl: '5m'}, ok: [201]}, this.refuse);
		return body.token;
	}

	private parseSecret(response: HttpResponse): string {
		let body: unknown;
		try {
			body = JSON.parse(response.text);
		} catch {
			body = undefined;
		}

		const parsed = secretSchema.safeParse(body);
		if (!parsed.success) {
			throw unexpected(response, 'pocket-id: generate the client secret', 'the answer has no secret');
		}

		return parsed.data.secret;
	}

	private headers(): Record<string, string> {
		return {'x-api-key': this.apiKey};
	}

	private request<T>(step: string, path: string, schema: z.ZodType<T>) {
		return {url: `${this.idpUrl}${path}`, step: `pocket-id: ${step}`, headers: this.headers(), schema};
	}
}

function refusal(idpUrl: string): Refuse {
	return (response, request) => {
		const host = new URL(response.url).host;
		const detail = extractErrorDetail(response.text);
		const said = detail ? `: ${detail}` : '';
		if (response.status === 401) {
			return new RemoteError({host, step: request.step, status: 401, reason: 'bad-credential', message: `the API key (pocket_id_api_key) was refused (HTTP 401${said})`, hint: apiKeyHint(idpUrl)});
		}

		return new RemoteError({
			host,
			step: request.step,
			status: response.status,
			reason: 'missing-permission',
			message: `the API key's user is not a Pocket ID administrator (HTTP ${response.status}${said})`,
			hint: `${apiKeyHint(idpUrl)} The key acts as the user who created it, who must be an administrator.`,
		});
	};
}
