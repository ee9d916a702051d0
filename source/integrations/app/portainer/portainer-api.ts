import * as z from 'zod';
import {RemoteError, UsageError} from '../../../core/errors.js';
import type {HttpClient} from '../../../core/http.js';
import type {IntegrationContext} from '../../types.js';
import {advise, appHttp, oncePerRun, parseAnswer, withAdvice, type StatusAdvice} from '../../kit/http-advice.js';
import {appBaseUrl, optionalValue} from '../../kit/values.js';

/**
 * Portainer's API (/api): one sign-in per run (more than 10 per second bans the address for an
 * hour) or an API key, and the settings endpoint whose OAuthSettings is replaced whole.
 */

const oauthSettingsSchema = z.looseObject({
	ClientID: z.string().optional(),
	AuthorizationURI: z.string().optional(),
	AccessTokenURI: z.string().optional(),
	ResourceURI: z.string().optional(),
	RedirectURI: z.string().optional(),
	LogoutURI: z.string().optional(),
	UserIdentifier: z.string().optional(),
	Scopes: z.string().optional(),
	OAuthAutoCreateUsers: z.boolean().optional(),
	DefaultTeamID: z.number().optional(),
	SSO: z.boolean().optional(),
	AuthStyle: z.number().optional(),
	HideInternalAuth: z.boolean().optional(),
});
export type PortainerOAuthSettings = z.infer<typeof oauthSettingsSchema>;

const settingsSchema = z.looseObject({AuthenticationMethod: z.number(), OAuthSettings: oauthSettingsSchema});
export type PortainerSettings = z.infer<typeof settingsSchema>;

const usersSchema = z.array(z.looseObject({Id: z.number(), Username: z.string(), Role: z.number()})).max(100_000);
export type PortainerUser = z.infer<typeof usersSchema>[number];

const statusSchema = z.looseObject({Version: z.string()});
const versionSchema = z.looseObject({ServerVersion: z.string().optional(), ServerEdition: z.string().optional()});
const tokenSchema = z.object({jwt: z.string()});
/** Portainer's JWT carries the user's id and name (api/jwt/jwt.go claims). */
const claimsSchema = z.looseObject({id: z.number(), username: z.string().optional()});

export type PortainerIdentity = {kind: 'password'; userId?: number; username: string} | {kind: 'api-key'};

export class PortainerApi {
	readonly baseUrl: string;
	readonly identity: PortainerIdentity;
	private readonly http: HttpClient;
	private readonly headers: Record<string, string>;
	private readonly advice: StatusAdvice;

	constructor(options: {http: HttpClient; baseUrl: string; identity: PortainerIdentity; headers: Record<string, string>}) {
		this.http = options.http;
		this.baseUrl = options.baseUrl;
		this.identity = options.identity;
		this.headers = options.headers;
		const who = options.identity.kind === 'api-key' ? 'the owner of the API key' : `"${options.identity.username}"`;
		this.advice = {
			401:
				options.identity.kind === 'api-key'
					? {message: 'the API key was refused (HTTP 401)', hint: 'Check portainer_api_key (SSO_SETUP_PORTAINER_API_KEY): create a new one under My account → Access tokens.'}
					: {message: 'the sign-in token was refused (HTTP 401)', hint: 'Run sso-setup again to sign in anew.'},
			403: {message: `${who} is not a Portainer administrator (HTTP 403)`, hint: 'Use the initial administrator account (user id 1) or another administrator.'},
			404: {hint: `Check app_url (${options.baseUrl}): it must be the address of Portainer itself, which answers under /api.`},
			'5xx': {hint: 'Portainer failed on its side: look at its log (docker logs portainer), then run sso-setup again; completed steps are not repeated.'},
		};
	}

	/** Public: the version (older releases answer at /api/status only). */
	async status(): Promise<string> {
		const step = 'portainer: read the version';
		const read = (path: string) => this.http.json({url: `${this.baseUrl}${path}`, step, expect: [200, 404]});
		let answer = await withAdvice(read('/api/system/status'), this.advice);
		if (answer.status === 404) {
			answer = await withAdvice(read('/api/status'), this.advice);
		}

		if (answer.status === 404) {
			throw advise(new RemoteError({host: new URL(this.baseUrl).host, step, status: 404, reason: 'http-404', message: 'not found (HTTP 404)'}), this.advice);
		}

		return parseAnswer(statusSchema, answer.body, {url: answer.response.url, step, product: 'Portainer'}).Version;
	}

	/** The edition ("CE", "BE", "EE"), when this version says. */
	async edition(): Promise<string | undefined> {
		const step = 'portainer: read the edition';
		const url = `${this.baseUrl}/api/system/version`;
		const answer = await withAdvice(this.http.json({url, step, headers: this.headers, expect: [200, 404]}), this.advice);
		return answer.status === 404 ? undefined : parseAnswer(versionSchema, answer.body, {url, step, product: 'Portainer'}).ServerEdition;
	}

	async settings(): Promise<PortainerSettings> {
		const step = 'portainer: read the settings';
		const url = `${this.baseUrl}/api/settings`;
		const {body} = await withAdvice(this.http.json({url, step, headers: this.headers}), this.advice);
		return parseAnswer(settingsSchema, body, {url, step, product: 'Portainer'});
	}

	/** Every user, as an administrator sees them (users/user_list.go; no passwords). Role 1 is administrator. */
	async users(): Promise<PortainerUser[]> {
		const step = 'portainer: list the users';
		const url = `${this.baseUrl}/api/users`;
		const {body} = await withAdvice(this.http.json({url, step, headers: this.headers}), this.advice);
		return parseAnswer(usersSchema, body, {url, step, product: 'Portainer'});
	}

	/** DELETE /api/users/{id}: 'absent' when Portainer no longer has it. */
	async deleteUser(id: number): Promise<'deleted' | 'absent'> {
		const step = 'portainer: delete a user';
		const answer = await withAdvice(this.http.request({method: 'DELETE', url: `${this.baseUrl}/api/users/${id}`, step, headers: this.headers, expect: [204, 200, 404]}), this.advice);
		return answer.status === 404 ? 'absent' : 'deleted';
	}

	async updateSettings(body: {AuthenticationMethod: number; OAuthSettings: Record<string, unknown>}): Promise<PortainerSettings> {
		const step = 'portainer: save the settings';
		const url = `${this.baseUrl}/api/settings`;
		const answer = await withAdvice(this.http.json({method: 'PUT', url, step, headers: this.headers, json: body}), this.advice);
		return parseAnswer(settingsSchema, answer.body, {url, step, product: 'Portainer'});
	}
}

async function signIn(http: HttpClient, baseUrl: string, username: string, password: string): Promise<{jwt: string; identity: PortainerIdentity}> {
	const step = 'portainer: sign in';
	const url = `${baseUrl}/api/auth`;
	let body: unknown;
	try {
		({body} = await http.json({method: 'POST', url, step, json: {Username: username, Password: password}}));
	} catch (error) {
		throw signInError(error, username);
	}

	const {jwt} = parseAnswer(tokenSchema, body, {url, step, product: 'Portainer'});
	const claims = claimsSchema.safeParse(decodeJwtPayload(jwt));
	return {jwt, identity: {kind: 'password', username, ...(claims.success ? {userId: claims.data.id} : {})}};
}

function decodeJwtPayload(jwt: string): unknown {
	try {
		return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

function signInError(error: unknown, username: string): unknown {
	if (!(error instanceof RemoteError)) {
		return error;
	}

	if (error.status === 422 && error.message.includes('Only initial admin')) {
		return advise(error, {
			422: {
				message: `"${username}" cannot sign in with a password: OAuth is on, and then Portainer lets only the initial administrator (user id 1) sign in that way (HTTP 422)`,
				hint: 'Use the initial administrator account (portainer_admin_user), or an API key (portainer_api_key) from My account → Access tokens.',
			},
		});
	}

	return advise(error, {
		422: {
			message: `the user name or password of "${username}" was refused (HTTP 422)`,
			hint: 'Check portainer_admin_user and its password (the wizard, or SSO_SETUP_PORTAINER_ADMIN_PASSWORD), or use an API key (portainer_api_key).',
		},
		403: {
			message: 'Portainer refuses sign-ins from this address (HTTP 403 Access denied): after more than 10 attempts in a second it blocks the address for an hour',
			hint: 'Wait an hour, or use an API key (portainer_api_key), which does not go through the sign-in.',
		},
		400: {hint: 'Give both portainer_admin_user and its password.'},
		'5xx': {hint: 'Portainer failed on its side: look at its log (docker logs portainer), then run sso-setup again.'},
	});
}

/** Signs in once per run (or uses the API key) and returns a client for the admin API. */
export function portainerApi(context: IntegrationContext): Promise<PortainerApi> {
	return oncePerRun(context, 'portainer-api', async () => {
		const http = appHttp(context);
		const baseUrl = appBaseUrl(context.values, 'portainer');
		const apiKey = await context.secret('portainer_api_key');
		if (apiKey) {
			return new PortainerApi({http, baseUrl, identity: {kind: 'api-key'}, headers: {'x-api-key': apiKey}});
		}

		const username = optionalValue(context.values, 'portainer_admin_user') ?? 'admin';
		const password = await context.secret('portainer_admin_password');
		if (!password) {
			throw new UsageError('portainer: neither the admin password (portainer_admin_password) nor an API key (portainer_api_key) is given.', {
				hint: 'Enter one in the wizard, or set SSO_SETUP_PORTAINER_ADMIN_PASSWORD or SSO_SETUP_PORTAINER_API_KEY.',
			});
		}

		context.progress('portainer: signing in');
		const {jwt, identity} = await signIn(http, baseUrl, username, password);
		return new PortainerApi({http, baseUrl, identity, headers: {authorization: `Bearer ${jwt}`}});
	});
}
