import {afterAll, beforeAll, expect, it} from 'vitest';
import {describeWithRealServers, serverAvailability} from '../real-servers/availability.js';
import {type RealDex, startDex} from '../real-servers/dex.js';
import type {KeycloakRealm} from '../real-servers/keycloak.js';
import {type FakeHarbor, startFakeHarbor} from '../servers/harbor.js';
import {checks, cli, type Cli, ensureBinary, freshRealm, sharedKeycloak} from './helpers.js';

/**
 * Broken setups against the real IdPs (Keycloak, and Dex as the generic `oidc` provider): each one
 * makes `verify` fail on exactly the check that owns the mistake. The app side is the fake Harbor,
 * whose checks are left out (no admin password), so only the IdP checks speak.
 */
const secret = 'Real-Client-Secret-4d81';

type Idp = {name: string; issuer: string; withSlashIssuer?: string; setUp(redirect: string): Promise<void>; tearDown(): Promise<void>};

function cases(idp: () => Idp) {
	let harbor: FakeHarbor;
	let session: Cli;
	beforeAll(async () => {
		await ensureBinary();
		harbor = await startFakeHarbor({adminPassword: 'unused-Harbor-1'});
		session = cli();
		await idp().setUp(`${harbor.url}/c/oidc/callback`);
	}, 120_000);
	afterAll(async () => {
		await session?.cleanUp();
		await harbor?.close();
		await idp().tearDown();
	}, 120_000);

	const verify = async (sets: Record<string, string>, clientSecret = secret) => {
		const values = {issuer: idp().issuer, client_id: 'harbor', app_url: harbor.url, ...sets};
		const result = await session.run(['verify', '--idp', 'oidc', '--app', 'harbor', ...Object.entries(values).flatMap(([key, value]) => ['--set', `${key}=${value}`]), '--json'], {SSO_SETUP_CLIENT_SECRET: clientSecret});
		const results = checks(result.stdout);
		return {code: result.code, all: result.all, failed: results.filter((check) => check.status === 'fail').map((check) => check.id), results};
	};

	it('the correct setup fails no check', async () => {
		const result = await verify({});
		expect(result.failed, result.all).toEqual([]);
		expect(result.code).toBe(0);
	});

	it('a wrong client secret fails the client-secret check only', async () => {
		const result = await verify({}, 'not-the-secret');
		expect(result.failed, result.all).toEqual(['client-secret']);
		expect(result.code).toBe(1);
	});

	it('a redirect URI that is not registered fails the redirect-uri check only', async () => {
		const result = await verify({redirect_uri: `${harbor.url}/c/oidc/callback/other`});
		expect(result.failed, result.all).toEqual(['redirect-uri']);
	});

	it('an issuer with an extra trailing slash fails the issuer check only', async () => {
		const result = await verify({issuer: `${idp().issuer}/`});
		expect(result.failed, result.all).toEqual(['issuer']);
	});

	it('an issuer without its trailing slash fails the issuer check only', async (context) => {
		const withSlash = idp().withSlashIssuer;
		if (!withSlash) {
			context.skip(`${idp().name} publishes its issuer without a trailing slash`);
			return;
		}

		const result = await verify({issuer: withSlash.replace(/\/$/, '')});
		expect(result.failed, result.all).toEqual(['issuer']);
	});

	it('a missing scope (offline_access, which Harbor needs) fails the scopes check only', async () => {
		const result = await verify({scopes: 'openid,profile,email'});
		expect(result.failed, result.all).toEqual(['scopes']);
	});
}

await describeWithRealServers('broken setups against the real Keycloak', ['keycloak'], () => {
	let realm: KeycloakRealm;
	let issuer = '';
	cases(() => ({
		name: 'Keycloak',
		issuer,
		async setUp(redirect) {
			realm = await freshRealm('broken');
			issuer = `${sharedKeycloak()!.url}/realms/${realm.name}`;
			await realm.createClient({clientId: 'harbor', secret, redirectUris: [redirect]});
		},
		tearDown: async () => realm?.remove(),
	}));
});

const dexDir = async () => {
	const found = await serverAvailability('dex');
	return found.available ? found.dir : '';
};

await describeWithRealServers('broken setups against the real Dex (generic oidc)', ['dex'], () => {
	// Two Dex servers: one publishing its issuer as usual, one with a trailing slash (as authentik does).
	let dex: RealDex;
	let slashed: RealDex;
	cases(() => ({
		name: 'Dex',
		issuer: dex?.issuer ?? '',
		withSlashIssuer: slashed?.issuer,
		async setUp(redirect) {
			const dir = await dexDir();
			dex = await startDex(dir, {clients: [{id: 'harbor', secret, redirectURIs: [redirect]}]});
			slashed = await startDex(dir, {clients: [{id: 'harbor', secret, redirectURIs: [redirect]}], issuerPath: '/dex/'});
		},
		async tearDown() {
			await dex?.stop();
			await slashed?.stop();
		},
	}));
});
