import type {AppIntegration, AppUser, IntegrationContext} from '../integrations/types.js';
import {describeError} from '../core/errors.js';
import {dockerLogin, openInBrowser, type InteractiveResult} from '../verify/interactive.js';

/** What a person can do after a passing verification: sign in for real, docker login, follow-ups. */
export type TryItActions = {
	/** Where a person signs in through the IdP (Harbor: /c/oidc/login). */
	loginUrl: string;
	/** The registry host for docker login (Harbor and OVH), if any. */
	registryHost?: string | undefined;
	openInBrowser(url: string): Promise<InteractiveResult>;
	dockerLogin(login: {host: string; username: string; cliSecret: string}): Promise<InteractiveResult>;
	/** After a first sign-in, give one of the app's users admin rights (OVH's setAsAdmin). */
	admins?: {listUsers(): Promise<AppUser[]>; makeAdmin(id: string, label: string): Promise<InteractiveResult>} | undefined;
};

/**
 * The try-it actions for these values, or undefined when the flows name no sign-in URL. The flows
 * say where people sign in and whether the app is a registry; the app's integration offers the follow-ups.
 */
export function tryItActions(values: Readonly<Record<string, string>>, app: AppIntegration | undefined, context: () => IntegrationContext): TryItActions | undefined {
	const loginUrl = values['sso_login_url'];
	if (!loginUrl) {
		return undefined;
	}

	const admins = app?.followUps?.admins;
	return {
		loginUrl,
		registryHost: values['container_registry'] === 'true' && values['app_url'] ? new URL(values['app_url']).host : undefined,
		openInBrowser,
		dockerLogin,
		admins: admins
			? {
					listUsers: async () => admins.listUsers(context()),
					async makeAdmin(id, label) {
						try {
							await admins.makeAdmin(context(), id);
							return {status: 'pass', seen: `${label} is now an administrator of the registry.`};
						} catch (error) {
							return {status: 'fail', seen: describeError(error).message};
						}
					},
				}
			: undefined,
	};
}
