// `npm run bench`'s sign-in scenario: a fake authentik and a fake Harbor (test/servers/) set up as a
// finished authentik → Harbor connection, for `verify --sign-in` with the built binary. bench.mjs
// bundles this file; the fakes run in the bench's process, which delays every answer.
import {randomBytes} from 'node:crypto';
import {startFakeAuthentik} from '../test/servers/authentik.js';
import {startFakeHarbor} from '../test/servers/harbor.js';

export type SignInScenario = {args: string[]; env: Record<string, string>; problems(): string[]; close(): Promise<void>};

export async function startSignInScenario(): Promise<SignInScenario> {
	const authentik = await startFakeAuthentik();
	const adminPassword = `Bench-${randomBytes(9).toString('base64url')}`;
	const harbor = await startFakeHarbor({goOidcPing: false, adminPassword});
	const clientSecret = randomBytes(24).toString('hex');
	const {issuer} = authentik.addClient({slug: 'harbor', name: 'Harbor', clientId: 'harbor-bench', clientSecret, redirectUris: [`${harbor.url}/c/oidc/callback`]});
	authentik.addGroup('harbor-admins');
	Object.assign(harbor.config, {
		auth_mode: 'oidc_auth',
		oidc_endpoint: issuer,
		oidc_client_id: 'harbor-bench',
		oidc_client_secret: clientSecret,
		oidc_scope: 'openid,profile,email,offline_access',
		oidc_user_claim: 'preferred_username',
		oidc_groups_claim: 'groups',
		oidc_admin_group: 'harbor-admins',
		oidc_auto_onboard: true,
		oidc_verify_cert: true,
	});
	const set = {idp_url: authentik.url, slug: 'harbor', client_id: 'harbor-bench', app_url: harbor.url, admin_group: 'harbor-admins'};
	return {
		args: ['verify', '--idp', 'authentik', '--app', 'harbor', ...Object.entries(set).flatMap(([key, value]) => ['--set', `${key}=${value}`]), '--sign-in', '--yes', '--json'],
		env: {SSO_SETUP_AUTHENTIK_TOKEN: authentik.token, SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: adminPassword},
		problems: () => [...authentik.contractErrors, ...harbor.contractErrors].map(String),
		async close() {
			await Promise.all([authentik.close(), harbor.close()]);
		},
	};
}
