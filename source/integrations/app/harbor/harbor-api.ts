import * as z from 'zod';
import {BlockedError, RemoteError, SsoSetupError} from '../../../core/errors.js';
import type {HttpClient, HttpRequest} from '../../../core/http.js';
import {requireSecret} from '../../kit/require-secret.js';
import type {IntegrationContext} from '../../types.js';
import {appHttp, parseAnswer, withAdvice, type StatusAdvice} from '../../kit/http-advice.js';
import {harborAccess, harborApiUrl, harborPaths, type HarborAccess} from './harbor-access.js';
import {commandLine} from '../../../core/command-line.js';

/**
 * Harbor's admin API (/api/v2.0) with basic auth and no cookies: Harbor sets a `sid` cookie on
 * API answers and CSRF-checks every later request that carries it (harbor.md §7).
 */

const systemInfoSchema = z.looseObject({
	auth_mode: z.string().nullish(),
	primary_auth_mode: z.boolean().nullish(),
	harbor_version: z.string().nullish(),
	external_url: z.string().nullish(),
});
export type HarborSystemInfo = z.infer<typeof systemInfoSchema>;

const configurationsSchema = z.record(z.string(), z.looseObject({value: z.unknown(), editable: z.boolean()}));
export type HarborConfigurations = z.infer<typeof configurationsSchema>;

const userSchema = z.looseObject({user_id: z.number(), username: z.string(), sysadmin_flag: z.boolean().nullish()});
export type HarborUser = z.infer<typeof userSchema>;
const userDetailSchema = z.looseObject({user_id: z.number(), username: z.string(), oidc_user_meta: z.looseObject({id: z.number().nullish()}).nullish()});
export type HarborUserDetail = z.infer<typeof userDetailSchema>;
const searchItemSchema = z.looseObject({user_id: z.number(), username: z.string()});

export const authModeRefusal = 'the auth mode cannot be modified as new users have been inserted into database';

const pageSize = 100;

export class HarborApi {
	/** Where the API is and the admin's credential, as every request carries it. */
	readonly access: HarborAccess;
	private readonly http: HttpClient;
	private readonly advice: StatusAdvice;

	constructor(options: {http: HttpClient; access: HarborAccess}) {
		this.http = options.http;
		this.access = options.access;
		this.advice = {
			401: {
				message: `the user name or password of "${this.adminUser}" was refused (HTTP 401)`,
				hint: 'Check harbor_admin_user and its password (the wizard, or SSO_SETUP_HARBOR_ADMIN_PASSWORD). After a wrong password Harbor also refuses the right one for a few seconds.',
			},
			403: {
				message: `"${this.adminUser}" is not a Harbor system administrator (HTTP 403)`,
				hint: 'Use the admin account created when Harbor was installed, or another system administrator.',
			},
			404: {hint: `Check app_url (${this.baseUrl}): Harbor 2.0 or newer answers under /api/v2.0.`},
			'5xx': {hint: 'Harbor failed on its side: look at the core log (docker logs harbor-core, or the harbor-core pod), then run sso-setup again; completed steps are not repeated.'},
		};
	}

	get baseUrl(): string {
		return this.access.baseUrl;
	}

	get adminUser(): string {
		return this.access.adminUser;
	}

	async systemInfo(): Promise<HarborSystemInfo> {
		return this.get(harborPaths.systemInfo, 'harbor: read system info', systemInfoSchema);
	}

	async configurations(): Promise<HarborConfigurations> {
		return this.get(harborPaths.configurations, 'harbor: read configuration', configurationsSchema);
	}

	async currentUser(): Promise<HarborUser> {
		return this.get(harborPaths.currentUser, 'harbor: check admin sign-in', userSchema);
	}

	/** Every user Harbor lists (it leaves deleted ones out), page by page. */
	async users(): Promise<HarborUser[]> {
		const users: HarborUser[] = [];
		for (let page = 1; ; page++) {
			const batch = await this.get(`/users?page=${page}&page_size=${pageSize}`, 'harbor: list users', z.array(userSchema));
			users.push(...batch);
			if (batch.length < pageSize) {
				return users;
			}
		}
	}

	/** The users whose name contains `name` (Harbor's search is fuzzy), up to 100. */
	async searchUsers(name: string): Promise<Array<{user_id: number; username: string}>> {
		return this.get(`/users/search?username=${encodeURIComponent(name)}&page_size=${pageSize}`, 'harbor: find the user', z.array(searchItemSchema));
	}

	/** One user with its OIDC metadata (present for users that signed in through the IdP), or undefined. */
	async user(id: number): Promise<HarborUserDetail | undefined> {
		try {
			return await this.get(`/users/${id}`, 'harbor: read the user', userDetailSchema);
		} catch (error) {
			if (error instanceof RemoteError && error.status === 404) {
				return undefined;
			}

			throw error;
		}
	}

	async deleteUser(user: HarborUser): Promise<void> {
		await this.send({method: 'DELETE', url: this.url(`/users/${user.user_id}`), step: `harbor: delete user ${user.username}`});
	}

	/** A partial update: keys left out keep their value. */
	async updateConfigurations(changes: Record<string, unknown>): Promise<void> {
		const step = 'harbor: save configuration';
		try {
			await this.send({method: 'PUT', url: this.url('/configurations'), step, json: changes});
		} catch (error) {
			if (error instanceof RemoteError && error.status === 400 && /auth mode cannot be modified|can not be modified as new users/.test(error.message)) {
				throw localUsersRefusal(this.baseUrl, error);
			}

			if (error instanceof RemoteError && error.status === 403 && error.message.includes('CONFIG_OVERWRITE_JSON')) {
				throw configFromEnvironment(error);
			}

			throw error;
		}
	}

	private url(path: string): string {
		return harborApiUrl(this.access, path);
	}

	private async get<T>(path: string, step: string, schema: z.ZodType<T>): Promise<T> {
		const url = this.url(path);
		const {body} = await withAdvice(this.http.json({url, step, headers: {authorization: this.access.authorization}}), this.advice);
		return parseAnswer(schema, body, {url, step, product: 'Harbor'});
	}

	private async send(request: HttpRequest): Promise<void> {
		await withAdvice(this.http.request({...request, headers: {authorization: this.access.authorization}}), this.advice);
	}
}

export async function harborApi(context: IntegrationContext): Promise<HarborApi> {
	const access = await harborAccess(context.values, async () => requireSecret(context, 'harbor_admin_password', 'harbor'));
	return new HarborApi({http: appHttp(context), access});
}

export const localUsersExplanation =
	'Harbor only switches to OIDC sign-in while its user database holds no one but the built-in admin: people who sign in through OIDC get their own Harbor accounts, and Harbor refuses to mix them with local ones.';

export function localUsersRefusal(baseUrl: string, cause?: unknown): BlockedError {
	return new BlockedError(`harbor: Harbor refused to switch to OIDC because local users exist (${new URL(baseUrl).host}). ${localUsersExplanation}`, {
		hint: `Run the preflight again to see who they are, then confirm their deletion (${commandLine('apply --delete-users NAME,…')}), or delete them under Administration → Users.`,
		cause,
	});
}

function configFromEnvironment(cause: unknown): SsoSetupError {
	return new BlockedError('harbor: Harbor\'s configuration is fixed by the CONFIG_OVERWRITE_JSON environment variable, so the API cannot change it.', {
		hint: 'Put the OIDC settings into that variable (or the Helm values that fill it) and restart Harbor, or remove it to manage the settings here.',
		cause,
	});
}
