import * as z from 'zod';
import {RemoteError} from '../../../core/errors.js';
import {extractErrorDetail} from '../../../core/http-errors.js';
import type {HttpResponse} from '../../../core/http.js';
import type {IntegrationContext} from '../../types.js';
import {callJson, callRaw, findJson, type Refuse} from '../../kit/http-advice.js';

/** authentik API v3 (bearer token): the calls sso-setup makes, with their answers validated. */

const redirectUriSchema = z.object({matching_mode: z.enum(['strict', 'regex']), url: z.string()});
/** A list of entries from 2024.8.5 / 2024.10.3 on; a newline-separated regex string before. */
export const redirectUrisSchema = z.union([z.array(redirectUriSchema), z.string()]);
export type RedirectUris = z.infer<typeof redirectUrisSchema>;

const versionSchema = z.object({version_current: z.string()});
const flowSchema = z.object({pk: z.string(), slug: z.string(), name: z.string()});
const scopeMappingSchema = z.object({pk: z.string(), name: z.string(), managed: z.string().nullable().optional()});
const keypairSchema = z.object({pk: z.string(), name: z.string()});
export const providerSchema = z.object({
	pk: z.number().int(),
	name: z.string(),
	authorization_flow: z.string(),
	invalidation_flow: z.string().nullable().optional(),
	property_mappings: z.array(z.string()).optional(),
	client_type: z.string().optional(),
	client_id: z.string(),
	client_secret: z.string().optional(),
	redirect_uris: redirectUrisSchema.optional(),
	signing_key: z.string().nullable().optional(),
	issuer_mode: z.string().optional(),
	include_claims_in_id_token: z.boolean().optional(),
	assigned_application_slug: z.string().nullable().optional(),
	sub_mode: z.string().optional(),
});
const applicationSchema = z.object({pk: z.string(), name: z.string(), slug: z.string(), provider: z.number().int().nullable().optional()});
const userSchema = z.object({
	pk: z.number().int(),
	username: z.string(),
	name: z.string(),
	email: z.string().optional(),
	/** The hashed id authentik sends as `sub` by default (sub_mode hashed_user_id). */
	uid: z.string().optional(),
	uuid: z.string().optional(),
});
const groupSchema = z.object({pk: z.string(), name: z.string()});
const bindingSchema = z.object({
	pk: z.string(),
	enabled: z.boolean().optional(),
	negate: z.boolean().optional(),
	group: z.string().nullable().optional(),
	group_obj: z.object({name: z.string()}).nullable().optional(),
	policy: z.string().nullable().optional(),
	user: z.number().int().nullable().optional(),
});
const list = <T extends z.ZodType>(item: T) => z.object({results: z.array(item)});

export type Flow = z.infer<typeof flowSchema>;
export type ScopeMapping = z.infer<typeof scopeMappingSchema>;
export type Keypair = z.infer<typeof keypairSchema>;
export type Provider = z.infer<typeof providerSchema>;
export type Application = z.infer<typeof applicationSchema>;
export type User = z.infer<typeof userSchema>;
export type Group = z.infer<typeof groupSchema>;
export type PolicyBinding = z.infer<typeof bindingSchema>;
export type UserBody = {username: string; name: string; email: string; is_active: boolean; path: string; type: 'internal'};
export type ProviderBody = {
	name?: string;
	authorization_flow?: string;
	invalidation_flow?: string;
	property_mappings?: string[];
	client_type?: 'confidential';
	client_id?: string;
	redirect_uris?: RedirectUris;
	signing_key?: string;
	include_claims_in_id_token?: boolean;
	issuer_mode?: 'per_provider';
};
export type ApplicationBody = {name?: string; slug?: string; provider?: number; meta_launch_url?: string};

export const tokenHint = (idpUrl: string) =>
	`Create an API token in authentik's admin interface (${idpUrl}/if/admin/#/core/tokens): Directory → Tokens and App passwords → Create, intent "API", for a user with administrator rights.`;

export class AuthentikApi {
	private readonly api: string;
	private readonly refuse: Refuse;

	constructor(
		private readonly context: IntegrationContext,
		idpUrl: string,
		private readonly token: string,
	) {
		this.api = `${idpUrl}/api/v3`;
		this.refuse = refusal(idpUrl);
	}

	async version(): Promise<string> {
		const body = await this.get('read the version', '/admin/version/', versionSchema);
		return body.version_current;
	}

	async flows(designation: 'authorization' | 'invalidation'): Promise<Flow[]> {
		const body = await this.get(`list the ${designation} flows`, `/flows/instances/?designation=${designation}&ordering=slug`, list(flowSchema), 'authentik_flows.view_flow');
		return body.results;
	}

	/** `providerPath`: /propertymappings/provider/scope/ from 2024.8 on, /propertymappings/scope/ before. */
	async scopeMappings(providerPath: boolean, managed: readonly string[]): Promise<ScopeMapping[]> {
		const path = providerPath ? '/propertymappings/provider/scope/' : '/propertymappings/scope/';
		const query = managed.map((name) => `managed=${encodeURIComponent(name)}`).join('&');
		const body = await this.get('list the scope mappings', `${path}?${query}`, list(scopeMappingSchema), 'authentik_providers_oauth2.view_scopemapping');
		return body.results;
	}

	async signingKeys(): Promise<Keypair[]> {
		const body = await this.get('list the signing keys', '/crypto/certificatekeypairs/?has_key=true&ordering=name', list(keypairSchema), 'authentik_crypto.view_certificatekeypair');
		return body.results;
	}

	async application(slug: string): Promise<Application | undefined> {
		return findJson(this.context.http, this.request('read the application', `/core/applications/${encodeURIComponent(slug)}/`, applicationSchema, 'authentik_core.view_application'), this.refuse);
	}

	async provider(pk: number): Promise<Provider | undefined> {
		return findJson(this.context.http, this.request('read the OAuth2 provider', `/providers/oauth2/${pk}/`, providerSchema, 'authentik_providers_oauth2.view_oauth2provider'), this.refuse);
	}

	async providerNamed(name: string): Promise<Provider | undefined> {
		const body = await this.get('find the OAuth2 provider', `/providers/oauth2/?name=${encodeURIComponent(name)}`, list(providerSchema), 'authentik_providers_oauth2.view_oauth2provider');
		return body.results.find((provider) => provider.name === name);
	}

	async createProvider(body: ProviderBody): Promise<Provider> {
		return callJson(this.context.http, {...this.request('create the OAuth2 provider', '/providers/oauth2/', providerSchema, 'authentik_providers_oauth2.add_oauth2provider'), method: 'POST', json: body, ok: [201]}, this.refuse);
	}

	async updateProvider(pk: number, body: ProviderBody): Promise<Provider> {
		return callJson(this.context.http, {...this.request('update the OAuth2 provider', `/providers/oauth2/${pk}/`, providerSchema, 'authentik_providers_oauth2.change_oauth2provider'), method: 'PATCH', json: body, ok: [200]}, this.refuse);
	}

	async createApplication(body: ApplicationBody): Promise<Application> {
		return callJson(this.context.http, {...this.request('create the application', '/core/applications/', applicationSchema, 'authentik_core.add_application'), method: 'POST', json: body, ok: [201]}, this.refuse);
	}

	async updateApplication(slug: string, body: ApplicationBody): Promise<Application> {
		return callJson(this.context.http, {...this.request('update the application', `/core/applications/${encodeURIComponent(slug)}/`, applicationSchema, 'authentik_core.change_application'), method: 'PATCH', json: body, ok: [200]}, this.refuse);
	}

	async providerByClientId(clientId: string): Promise<Provider | undefined> {
		const body = await this.get('find the OAuth2 provider', `/providers/oauth2/?client_id=${encodeURIComponent(clientId)}`, list(providerSchema), 'authentik_providers_oauth2.view_oauth2provider');
		return body.results.find((provider) => provider.client_id === clientId);
	}

	async createUser(body: UserBody): Promise<User> {
		return callJson(this.context.http, {...this.request('create the test user', '/core/users/', userSchema, 'authentik_core.add_user'), method: 'POST', json: body, ok: [201]}, this.refuse);
	}

	/** The password goes in the body only; no answer echoes it (204). */
	async setPassword(pk: number, password: string): Promise<void> {
		await callRaw(this.context.http, {...this.request('set the test user\'s password', `/core/users/${pk}/set_password/`, userSchema, 'authentik_core.reset_user_password'), method: 'POST', json: {password}, ok: [204]}, this.refuse);
	}

	async user(pk: number): Promise<User | undefined> {
		return findJson(this.context.http, this.request('read the test user', `/core/users/${pk}/`, userSchema, 'authentik_core.view_user'), this.refuse);
	}

	async userNamed(username: string): Promise<User | undefined> {
		const body = await this.get('find the test user', `/core/users/?username=${encodeURIComponent(username)}&include_groups=false`, list(userSchema), 'authentik_core.view_user');
		return body.results.find((user) => user.username === username);
	}

	/** 'absent' when authentik has no such user (404). */
	async deleteUser(pk: number): Promise<'deleted' | 'absent'> {
		const response = await callRaw(this.context.http, {...this.request('delete the test user', `/core/users/${pk}/`, userSchema, 'authentik_core.delete_user'), method: 'DELETE', ok: [204], also: [404]}, this.refuse);
		return response.status === 404 ? 'absent' : 'deleted';
	}

	async groupNamed(name: string): Promise<Group | undefined> {
		const body = await this.get('find the group', `/core/groups/?name=${encodeURIComponent(name)}&include_users=false`, list(groupSchema), 'authentik_core.view_group');
		return body.results.find((group) => group.name === name);
	}

	async addToGroup(groupPk: string, userPk: number): Promise<void> {
		await callRaw(this.context.http, {...this.request('add the test user to a group', `/core/groups/${encodeURIComponent(groupPk)}/add_user/`, groupSchema, 'authentik_core.add_user_to_group'), method: 'POST', json: {pk: userPk}, ok: [204]}, this.refuse);
	}

	/** The policy, group and user bindings of an application (its pk), which decide who may use it. */
	async bindings(targetPk: string): Promise<PolicyBinding[]> {
		const body = await this.get('read who may use the application', `/policies/bindings/?target=${encodeURIComponent(targetPk)}&page_size=100`, list(bindingSchema), 'authentik_policies.view_policybinding');
		return body.results;
	}

	private async get<T>(step: string, path: string, schema: z.ZodType<T>, permission?: string): Promise<T> {
		return callJson(this.context.http, {...this.request(step, path, schema, permission), ok: [200]}, this.refuse);
	}

	private request<T>(step: string, path: string, schema: z.ZodType<T>, permission?: string) {
		return {url: `${this.api}${path}`, step: `authentik: ${step}`, headers: {authorization: `Bearer ${this.token}`}, schema, permission};
	}
}

/** authentik answers 403 both for a bad token and for a missing permission; the detail tells them apart. */
function refusal(idpUrl: string): Refuse {
	return (response: HttpResponse, request) => {
		const host = new URL(response.url).host;
		const detail = extractErrorDetail(response.text) ?? '';
		const badToken = response.status === 401 || /token invalid|expired|credentials were not provided|authentication/i.test(detail);
		if (badToken) {
			return new RemoteError({
				host,
				step: request.step,
				status: response.status,
				reason: 'bad-credential',
				message: `the API token (authentik_token) was refused (HTTP ${response.status}${detail ? `: ${detail}` : ''})`,
				hint: tokenHint(idpUrl),
			});
		}

		const permission = request.permission ? `the permission ${request.permission}` : 'a permission this step needs';
		return new RemoteError({
			host,
			step: request.step,
			status: response.status,
			reason: 'missing-permission',
			message: `the API token's user lacks ${permission} (HTTP ${response.status}${detail ? `: ${detail}` : ''})`,
			hint: `Use a token of a superuser, or grant ${permission} to the token's user in the admin interface (Directory → Users → Permissions).`,
		});
	};
}
