import {generateKeyPairSync, randomBytes} from 'node:crypto';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {exportJWK, SignJWT} from 'jose';
import {afterEach, describe, expect, it} from 'vitest';
import {Browser} from '../../../source/core/browser.js';
import {SignInFailure} from '../../../source/core/sign-in.js';
import {harbor as harborApp} from '../../../source/integrations/app/harbor/index.js';
import {memoryContext} from '../../helpers/context.js';
import {startFakeHarbor, type FakeHarbor} from '../../servers/harbor.js';

/**
 * Harbor's side of the sign-in proof on the answers the Keycloak and Dex runs do not give: Harbor
 * not in OIDC mode or unable to discover the IdP (the start), a callback without Harbor's session
 * (state mismatch), an IdP error in the callback, and a failure after the code exchange (HTTP 500,
 * "internal server error" only). The IdP is a small authorization server that signs what it is told.
 */

type Idp = {issuer: string; close(): Promise<void>};

async function startIdp(options: {claims: Record<string, unknown>; idToken?: boolean; error?: string}): Promise<Idp> {
	const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
	const jwk = {...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig'};
	let issuer = '';
	const server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', issuer);
		const json = (status: number, body: unknown) => response.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(body));
		if (url.pathname === '/.well-known/openid-configuration') return json(200, {issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`});
		if (url.pathname === '/jwks') return json(200, {keys: [jwk]});
		if (url.pathname === '/authorize') {
			const back = new URL(url.searchParams.get('redirect_uri')!);
			back.searchParams.set('state', url.searchParams.get('state') ?? '');
			if (options.error) back.searchParams.set('error', options.error);
			else back.searchParams.set('code', randomBytes(8).toString('hex'));
			return response.writeHead(302, {location: back.toString()}).end();
		}

		if (url.pathname === '/token') {
			request.resume();
			request.on('end', () => {
				void (async () => {
					const idToken = await new SignJWT(options.claims).setProtectedHeader({alg: 'RS256', kid: 'k1'}).setIssuer(issuer).setAudience('harbor').setSubject('user-1').setIssuedAt().setExpirationTime('5m').sign(privateKey);
					json(200, {access_token: 'at', token_type: 'Bearer', expires_in: 300, ...(options.idToken === false ? {} : {id_token: idToken})});
				})();
			});
			return;
		}

		response.writeHead(404).end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {issuer, close: () => new Promise((resolve) => server.close(() => resolve()))};
}

describe("Harbor's sign-in proof: what breaks the start and the callback", () => {
	let idp: Idp | undefined;
	let harbor: FakeHarbor | undefined;
	afterEach(async () => {
		await Promise.all([idp?.close(), harbor?.close()]);
		idp = undefined;
		harbor = undefined;
	});

	const setUp = async (config: Record<string, unknown>, idpOptions: Parameters<typeof startIdp>[0] = {claims: {name: 'Jane Doe'}}) => {
		idp = await startIdp(idpOptions);
		harbor = await startFakeHarbor({goOidcPing: false, config: {auth_mode: 'oidc_auth', oidc_endpoint: idp.issuer, oidc_client_id: 'harbor', oidc_client_secret: 's', oidc_scope: 'openid', oidc_auto_onboard: true, ...config}});
		const context = memoryContext({app_url: harbor.url, client_id: 'harbor', issuer: idp.issuer}, {harbor_admin_password: 'Harbor12345'});
		return {context, browser: new Browser(context.http)};
	};

	/** Start, follow the IdP's redirect (no login page here), finish; the failure or the result. */
	const signIn = async (config: Record<string, unknown>, idpOptions?: Parameters<typeof startIdp>[0], options: {freshBrowserAtCallback?: boolean} = {}) => {
		const {context, browser} = await setUp(config, idpOptions);
		try {
			const {authorizeUrl} = await harborApp.signIn!.start(context, browser);
			const callbackUrl = (await browser.request({url: authorizeUrl, step: 'test: authorize'})).headers['location']!;
			return await harborApp.signIn!.finish(context, options.freshBrowserAtCallback ? new Browser(context.http) : browser, callbackUrl, {username: 'Jane Doe'});
		} catch (error) {
			if (error instanceof SignInFailure) return error;
			throw error;
		}
	};

	it('onboards under the name claim with blanks as "_", reported as the name the claim gives, and deletes that user', async () => {
		const result = await signIn({});
		expect(result).toMatchObject({username: 'Jane Doe', admin: false});
		expect((result as {exchangeSeen: string}).exchangeSeen).toBe('Harbor exchanged the code and signed in "Jane_Doe" (user id 3).');
		const context = memoryContext({app_url: harbor!.url}, {harbor_admin_password: 'Harbor12345'});
		expect(await harborApp.signIn!.deleteUser(context, 'Jane Doe')).toBe('deleted');
		expect(await harborApp.signIn!.deleteUser(context, 'Jane Doe')).toBe('absent');
	});

	it('Harbor not in OIDC mode, or unable to read the discovery document, breaks the start', async () => {
		expect(await signIn({auth_mode: 'db_auth'})).toMatchObject({link: 'app-start', fix: 'Harbor is not in OIDC mode: apply the settings (sso-setup apply).'});
		await Promise.all([idp?.close(), harbor?.close()]);
		const broken = await signIn({oidc_endpoint: 'http://127.0.0.1:9/nowhere'});
		expect(broken).toMatchObject({link: 'app-start', seen: expect.stringMatching(/gave HTTP 500: "internal server error"\.$/)});
	});

	it('a callback without the session Harbor started breaks the callback (state mismatch)', async () => {
		const failure = await signIn({}, undefined, {freshBrowserAtCallback: true});
		expect(failure).toMatchObject({link: 'app-callback', seen: 'Harbor refused the callback (HTTP 400: "State mismatch"): it did not find the sign-in it had started in its session.'});
	});

	it("an IdP's access_denied in the callback is the IdP login", async () => {
		expect(await signIn({}, {claims: {}, error: 'access_denied'})).toMatchObject({link: 'idp-login'});
	});

	it('a failure after the exchange (no name for automatic onboarding, or no ID token) is the user in the app', async () => {
		const nameless = await signIn({}, {claims: {}});
		expect(nameless).toMatchObject({link: 'app-user', seen: 'Harbor exchanged the code but failed after that (HTTP 500: "internal server error"); the cause is only in its log.'});
		expect(harbor!.signIns.at(-1)?.error).toMatch(/unable to recover username/);
		await Promise.all([idp?.close(), harbor?.close()]);
		expect(await signIn({}, {claims: {name: 'x'}, idToken: false})).toMatchObject({link: 'app-user'});
	});
});
