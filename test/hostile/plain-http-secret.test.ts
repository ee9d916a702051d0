import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {getPair} from '../../source/core/flows/pair.js';
import {reviewPlanEndpoints} from '../../source/core/plan-endpoints.js';
import {newSession, type Session} from '../../source/core/session/store.js';
import type {AppIntegration, PlanChange} from '../../source/integrations/types.js';
import {memoryStore} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import {ApplyStage} from '../../source/wizard/stages/apply-stage.js';
import {loadFlows} from '../../source/commands/inputs.js';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';
import {plainHttpListener, tlsDiscovery} from '../helpers/plain-http-servers.js';
import {testPki} from '../helpers/tls.js';
import {startFakeHarbor} from '../servers/harbor.js';
import {startFakePortainer} from '../servers/portainer.js';

/**
 * Issue 13, class 2, proven as it was found: discovery served over verified TLS names a plain
 * http:// token endpoint; a listener there records whether any Authorization header arrived.
 * verify fails the check; apply refuses to write such a URL into an app unless told to.
 */
const clientSecret = 'Hostile-Plain-Secret-55';
const harborPassword = 'Hostile-Harbor-Pass-21';
const portainerPassword = 'Hostile-Portainer-Pass-34';

const closers: Array<() => Promise<void>> = [];
beforeAll(ensureBuilt);
afterEach(async () => {
	for (const close of closers.splice(0)) await close();
});

async function started<T extends {close: () => Promise<void>}>(server: Promise<T>): Promise<T> {
	const running = await server;
	closers.push(() => running.close());
	return running;
}

describe('verify and a client secret over plain http:// (issue 13, class 2)', () => {
	it('never sends the secret to an http:// token endpoint of an https:// issuer (loopback included), and fails the check saying why', async () => {
		const token = await started(plainHttpListener());
		const discovery = await started(tlsDiscovery({token: `${token.url}/token`}));
		const harbor = await started(startFakeHarbor({adminPassword: harborPassword}));
		const result = await cli(
			newHome('sso-setup-hostile-'),
			['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${discovery.issuer}`, '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`, '--set', `ca_file=${testPki().caFile}`, '--json'],
			{SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword},
		);
		expect(token.authorizations).toEqual([]);
		expect(token.bodies.join('\n')).not.toContain(clientSecret);
		expect(result.code, result.all).toBe(1);
		const report = JSON.parse(result.stdout) as {checks: Array<{id: string; status: string; seen: string}>};
		const check = report.checks.find((item) => item.id === 'client-secret')!;
		expect(check.status).toBe('fail');
		expect(check.seen).toMatch(/plain-HTTP token endpoint/);
		expect(check.seen).toContain(`${token.url}/token`);
		expect(result.all).not.toContain(clientSecret);
	});
});

describe('apply and IdP URLs over plain http:// (issue 13, class 2)', () => {
	const portainerApply = (issuer: string, app: string, ...extra: string[]) => [
		'apply', '--idp', 'oidc', '--app', 'portainer', '--set', `issuer=${issuer}`, '--set', 'client_id=portainer', '--set', `app_url=${app}`, '--set', `ca_file=${testPki().caFile}`, ...extra,
	];
	const portainerEnv = {SSO_SETUP_CLIENT_SECRET: clientSecret, SSO_SETUP_PORTAINER_ADMIN_PASSWORD: portainerPassword};

	it('refuses (exit 2) to write a discovered http:// token URL of an https:// issuer into Portainer, naming the URL and the risk; the flag writes it', async () => {
		const token = await started(plainHttpListener());
		const discovery = await started(tlsDiscovery({token: `${token.url}/token`}));
		const portainer = await started(startFakePortainer({adminPassword: portainerPassword}));
		const home = newHome('sso-setup-hostile-');

		const refused = await cli(home, portainerApply(discovery.issuer, portainer.url, '--yes'), portainerEnv);
		expect(refused.code, refused.all).toBe(2);
		expect(refused.stderr).toContain(`Access token URL ${token.url}/token`);
		expect(refused.stderr).toMatch(/downgrade/);
		expect(refused.stderr).toContain('--allow-plain-http-secret');
		expect(refused.stderr).not.toMatch(/\n\s+at |Unexpected error/);
		// The plan says it as well, before the refusal.
		expect(refused.stdout).toMatch(/Access token URL http:\/\/127\.0\.0\.1:\d+\/token uses plain http:\/\//);
		expect(portainer.requests.filter((request) => request.method === 'PUT')).toEqual([]);
		expect(portainer.settings.OAuthSettings['AccessTokenURI']).toBe('');

		const allowed = await cli(home, portainerApply(discovery.issuer, portainer.url, '--yes', '--allow-plain-http-secret'), portainerEnv);
		expect(allowed.code, allowed.all).toBe(0);
		expect(allowed.stdout).toMatch(/uses plain http:\/\//);
		expect(portainer.settings.OAuthSettings['AccessTokenURI']).toBe(`${token.url}/token`);
		expect(token.authorizations).toEqual([]);
		expect(allowed.all).not.toContain(clientSecret);
	});

	it('refuses an http:// issuer on a host that is not loopback (Harbor would send the secret there), also without --yes', async () => {
		const harbor = await started(startFakeHarbor({adminPassword: harborPassword}));
		const result = await cli(newHome('sso-setup-hostile-'), ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=http://idp.example.test/', '--set', 'client_id=harbor', '--set', `app_url=${harbor.url}`], {
			SSO_SETUP_CLIENT_SECRET: clientSecret,
			SSO_SETUP_HARBOR_ADMIN_PASSWORD: harborPassword,
		});
		expect(result.code, result.all).toBe(2);
		expect(result.stderr).toContain('OIDC endpoint (issuer) http://idp.example.test/');
		expect(result.stderr).toMatch(/idp\.example\.test is not a loopback address/);
		expect(harbor.requests.filter((request) => request.method !== 'GET')).toEqual([]);
	});

	it('names an endpoint on another origin than the issuer in the plan', async () => {
		const other = await started(tlsDiscovery());
		const discovery = await started(tlsDiscovery({token: `${other.issuer.replace('127.0.0.1', 'localhost')}token`}));
		const portainer = await started(startFakePortainer({adminPassword: portainerPassword}));
		const result = await cli(newHome('sso-setup-hostile-'), portainerApply(discovery.issuer, portainer.url), portainerEnv);
		expect(result.code, result.all).toBe(0);
		expect(result.stdout).toMatch(/Access token URL https:\/\/localhost:\d+\/token is on another origin than the issuer \(https:\/\/127\.0\.0\.1:\d+\)/);
	});
});

describe('the review of the IdP URLs in a plan', () => {
	const row = (label: string, to: string, secret = false): PlanChange => ({key: label, label, to, ...(secret ? {secret} : {})});
	const review = (issuer: string, changes: PlanChange[]) => reviewPlanEndpoints(changes, {issuer, app_url: 'http://portainer.lan:9000'}, 'Portainer');

	it('allows a plain-HTTP lab on loopback, and never counts the app\'s own redirect URI or a secret', () => {
		const lab = review('http://127.0.0.1:9000/', [row('Access token URL', 'http://127.0.0.1:9000/token'), row('Redirect URL', 'http://portainer.lan:9000/'), row('Client secret', 'will be set', true)]);
		expect(lab).toEqual({plainHttp: [], warnings: []});
	});

	it('refuses a downgrade on loopback and plain HTTP to another machine', () => {
		expect(review('https://idp.example.com/', [row('Access token URL', 'http://127.0.0.1/token')]).plainHttp.map((item) => item.url)).toEqual(['http://127.0.0.1/token']);
		const remote = review('http://idp.lan/', [row('Resource URL', 'http://idp.lan/userinfo')]);
		expect(remote.plainHttp[0]?.reason).toMatch(/idp\.lan is not a loopback address/);
		expect(remote.warnings[0]).toMatch(/^Portainer's Resource URL http:\/\/idp\.lan\/userinfo uses plain http:\/\//);
	});

	it('the wizard\'s apply stage shows the same warning in its plan', async () => {
		const catalogue = await loadFlows([]);
		const pair = getPair(catalogue, 'oidc', 'portainer');
		let session: Session = {...newSession('oidc', 'portainer'), answers: {issuer: 'https://idp.example.com/', client_id: 'portainer', app_url: 'https://portainer.example.com'}};
		const app = {
			preflight: async () => ({facts: [], warnings: [], blockers: []}),
			plan: async () => ({changes: [row('Access token URL', 'http://127.0.0.1:8/token')], warnings: [], data: {}}),
		} as unknown as AppIntegration;
		const stage = new ApplyStage(app, pair, {current: () => session, update: (change) => (session = change(session))}, new SessionSecrets(memoryStore(), session.id, {}));
		await stage.start();
		expect(stage.state.phase).toBe('confirm');
		const warnings = stage.state.phase === 'confirm' ? stage.state.plan.warnings : [];
		expect(warnings.join('\n')).toMatch(/Access token URL http:\/\/127\.0\.0\.1:8\/token uses plain http:\/\/: the issuer https:\/\/idp\.example\.com uses https:\/\/, so this is a downgrade/);
	});
});
