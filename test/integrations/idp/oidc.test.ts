import {describe, expect, it} from 'vitest';
import {RemoteError, UsageError} from '../../../source/core/errors.js';
import {discover} from '../../../source/integrations/kit/discover.js';
import {oidcGeneric} from '../../../source/integrations/idp/oidc/index.js';
import {memoryContext} from '../../helpers/context.js';
import {closedAfterEach} from '../../helpers/servers.js';
import {testPki} from '../../helpers/tls.js';
import {startOidcOp, type OpOptions, type RunningOp} from '../../servers/oidc-op.js';
import {harborValues} from './values.js';

const client = {client_id: 'harbor', client_secret: 'right-secret', redirect_uris: ['https://harbor.example.com/c/oidc/callback']};

describe('discovery against oidc-provider', () => {
	let op: RunningOp;
	const startOp = closedAfterEach(startOidcOp);
	const start = async (options: Partial<OpOptions> = {}) => {
		op = await startOp({clients: [client], ...options});
		return op;
	};

	it('returns the validated discovery document', async () => {
		await start();
		const context = memoryContext({});
		const document = await discover(context, op.issuer);
		expect(document.issuer).toBe(op.issuer);
		expect(document.authorization_endpoint).toBe(`${op.issuer}/auth`);
		expect(document.token_endpoint).toBe(`${op.issuer}/token`);
		expect(document.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access']));
		expect(document.code_challenge_methods_supported).toEqual(['S256']);
		expect(op.requests.map((request) => request.url)).toEqual(['/.well-known/openid-configuration']);
	});

	it('keeps a trailing slash (authentik style) and refuses the issuer without it', async () => {
		await start({path: '/application/o/harbor', trailingSlash: true});
		expect(op.issuer.endsWith('/application/o/harbor/')).toBe(true);
		const document = await discover(memoryContext({}), op.issuer, 'authentik');
		expect(document.issuer).toBe(op.issuer);
		expect(op.requests.at(-1)?.url).toBe('/application/o/harbor/.well-known/openid-configuration');

		const error = (await discover(memoryContext({}), op.issuer.slice(0, -1), 'authentik').catch((caught: unknown) => caught)) as RemoteError;
		expect(error).toBeInstanceOf(RemoteError);
		expect(error.reason).toBe('issuer-mismatch');
		expect(error.message).toMatch(/^authentik: discovery: /);
		expect(error.message).toContain(`"${op.issuer}"`);
	});

	it('compares the issuer byte for byte, even where URLs normalise alike', async () => {
		await start();
		const error = (await discover(memoryContext({}), `${op.issuer}/`).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('issuer-mismatch');
		expect(error.hint).toMatch(/byte for byte/);
	});

	it('reports an issuer built from another host name', async () => {
		await start({issuerHost: 'localhost'});
		const asked = op.issuer.replace('localhost', '127.0.0.1');
		const error = (await discover(memoryContext({}), asked).catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('issuer-mismatch');
		expect(error.message).toContain(op.issuer);
	});

	it('names a missing discovery document and the URL it tried', async () => {
		await start({path: '/realms/apps'});
		const error = (await discover(memoryContext({}), `${op.origin}/realms/other`, 'keycloak').catch((caught: unknown) => caught)) as RemoteError;
		expect(error.reason).toBe('http-404');
		expect(error.message).toContain(`${op.origin}/realms/other/.well-known/openid-configuration`);
		expect(error.host).toBe(new URL(op.origin).host);
	});

	it('verifies TLS: an unknown CA is refused, the CA file makes it work', async () => {
		const pki = testPki();
		await start({tls: pki.server});
		const refused = (await discover(memoryContext({}), op.issuer).catch((caught: unknown) => caught)) as RemoteError;
		expect(refused).toBeInstanceOf(RemoteError);
		expect(refused.reason).toBe('tls-unknown-ca');
		const document = await discover(memoryContext({}, {}, {caFile: pki.caFile, timeoutMs: 5000}), op.issuer);
		expect(document.issuer).toBe(op.issuer);
	});
});

describe('generic OpenID provider', () => {
	let op: RunningOp;
	const start = closedAfterEach(startOidcOp);

	it('plans the manual steps from the discovery document and refuses to register', async () => {
		op = await start({clients: [client], offlineAccess: false});
		const context = memoryContext({...harborValues(''), idp_url: '', issuer: op.issuer});
		delete context.values['idp_url'];
		const plan = await oidcGeneric.plan(context);
		expect(plan.action).toBe('none');
		expect(oidcGeneric.adminCredentialKeys).toEqual([]);
		expect(plan.summary.join(' ')).toContain('https://harbor.example.com/c/oidc/callback');
		expect(plan.summary.join(' ')).toContain('PKCE');
		expect(plan.warnings.join(' ')).toContain('offline_access');

		const error = await oidcGeneric.register(context, plan).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(UsageError);
		expect((error as UsageError).message).toMatch(/^oidc: /);
		expect((error as UsageError).hint).toMatch(/client_id and client_secret/);
	});
});
