/**
 * The promises every IdP integration keeps, as one suite. Call it once per integration:
 *
 *   idpContractSuite({name: 'keycloak', integration: keycloak, start: async ({tls}) => …});
 *
 * `start` is the only thing that knows which server runs: here it starts a fake from
 * test/servers/, but it may as well start (or point at) a real server, in a container for
 * instance. It returns the values and secrets a session needs, how many clients exist there, and a
 * way to make the write after the client's creation fail. With `tls`, the server must serve that
 * certificate (signed by the test CA of test/helpers/tls.ts). An IdP without an admin API (the
 * generic `oidc`) leaves `registers` false: it is held to the plan, TLS and ca_file promises only.
 * IdPs have no rollback: registration only adds or updates the one client of the session.
 */
import {afterEach, describe, expect, it} from 'vitest';
import type {RemoteError} from '../../source/core/errors.js';
import type {IdpIntegration} from '../../source/integrations/types.js';
import {memoryContext, resumedContext} from '../helpers/context.js';
import {testPki} from '../helpers/tls.js';

export type IdpServerUnderTest = {
	/** Session values that reach the server (idp_url or issuer, the app's redirect URI, scopes, …). */
	values: Record<string, string>;
	/** The admin credential. */
	secrets: Record<string, string>;
	/** How many clients (and, for authentik, providers) exist on the server (a real one answers through its API). */
	clientCount(): number | Promise<number>;
	/** The next write after the client's creation fails with a server error. */
	failNextWrite(): void;
	close(): Promise<void>;
};

export type IdpSuiteSubject = {
	name: string;
	integration: IdpIntegration;
	/** False for an IdP registered by hand: no register, re-run or resume promises. */
	registers: boolean;
	start(options: {tls?: {key: string; cert: string}}): Promise<IdpServerUnderTest>;
	/** The secret key whose wrong value the server refuses, and what the message must say. */
	refusedCredential?: {key: string; named: RegExp};
};

export function idpContractSuite(subject: IdpSuiteSubject): void {
	const {integration} = subject;
	const servers: IdpServerUnderTest[] = [];
	const start = async (options: {tls?: {key: string; cert: string}} = {}) => {
		const server = await subject.start(options);
		servers.push(server);
		return {server, context: memoryContext({...server.values}, {...server.secrets})};
	};

	describe(`${subject.name}: the IdP contract`, () => {
		afterEach(async () => {
			await Promise.all(servers.splice(0).map(async (server) => server.close()));
		});

		it('verifies TLS by default, and trusts a private CA given as ca_file', async () => {
			const pki = testPki();
			const {server, context} = await start({tls: pki.server});
			await expect(integration.plan(context)).rejects.toMatchObject({reason: 'tls-unknown-ca'});
			// The session's HTTP client trusts ca_file (core/session/integration-context.ts does the same).
			const trusting = memoryContext({...server.values, ca_file: pki.caFile}, {...server.secrets}, {caFile: pki.caFile, timeoutMs: 5000});
			const plan = await integration.plan(trusting);
			expect(plan.summary.length).toBeGreaterThan(0);
		});

		if (!subject.registers) {
			it('plans the manual steps and refuses to register', async () => {
				const {context} = await start();
				const plan = await integration.plan(context);
				expect(plan.action).toBe('none');
				await expect(integration.register(context, plan)).rejects.toThrow();
			});
			return;
		}

		it('plans, then registers one client, storing its id and secret', async () => {
			const {server, context} = await start();
			const plan = await integration.plan(context);
			expect(plan.action).toBe('create');
			expect(await server.clientCount()).toBe(0);
			const result = await integration.register(context, plan);
			expect(await server.clientCount()).toBe(1);
			expect(context.values['client_id']).toBe(result.clientId);
			expect(context.secrets['client_secret']).toBeTruthy();
		});

		it('creates nothing more when run again', async () => {
			const {server, context} = await start();
			await integration.register(context, await integration.plan(context));
			const again = await integration.plan(context);
			expect(again.action).not.toBe('create');
			await integration.register(context, again);
			expect(await server.clientCount()).toBe(1);
		});

		if (subject.refusedCredential) {
			const {key, named} = subject.refusedCredential;
			it('names the refused credential without echoing it', async () => {
				const {context} = await start();
				const wrong = 'wrong-credential-2718281828';
				context.secrets[key] = wrong;
				const error = (await integration.plan(context).catch((caught: unknown) => caught)) as RemoteError;
				expect(error).toBeInstanceOf(Error);
				expect(`${error.message} ${error.hint ?? ''}`).toMatch(named);
				expect(JSON.stringify([error.message, error.hint, context.messages, [...context.store.entries()]])).not.toContain(wrong);
			});
		}

		it('ends in the right state after a failed write and a resumed run, with nothing created twice', async () => {
			const {server, context} = await start();
			const plan = await integration.plan(context);
			server.failNextWrite();
			await expect(integration.register(context, plan)).rejects.toThrow();
			const resumed = resumedContext(context);
			const again = await integration.plan(resumed);
			expect(again.action).not.toBe('create');
			await integration.register(resumed, again);
			expect(await server.clientCount()).toBe(1);
			expect(resumed.secrets['client_secret']).toBeTruthy();
		});
	});
}
