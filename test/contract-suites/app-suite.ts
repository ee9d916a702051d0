/**
 * The promises every app integration keeps, as one suite. Call it once per integration:
 *
 *   appContractSuite({name: 'harbor', integration: harbor, start: async ({tls}) => …});
 *
 * `start` is the only thing that knows which server runs: here it starts a fake from
 * test/servers/, but it may as well start (or point at) a real server, in a container for
 * instance. It returns the values and secrets a session needs to reach that server, a read of the
 * settings the integration manages (without secrets), a count of writing requests, and a way to
 * make the next settings write fail. With `tls`, the server must serve that certificate (signed
 * by the test CA of test/helpers/tls.ts); the suite then checks that TLS is verified and that
 * `ca_file` is what makes the run work.
 */
import {afterEach, describe, expect, it} from 'vitest';
import type {RemoteError} from '../../source/core/errors.js';
import type {AppIntegration, IntegrationContext} from '../../source/integrations/types.js';
import {memoryContext, resumedContext as resumed} from '../helpers/context.js';
import {testPki} from '../helpers/tls.js';

export type AppServerUnderTest = {
	/** Session values that reach the server (app_url, issuer, client_id, scopes, …). */
	values: Record<string, string>;
	/** The secrets the integration reads (the admin credential, client_secret). */
	secrets: Record<string, string>;
	/** The settings the integration manages, as they are now on the server, secrets left out. */
	settings(): Promise<unknown>;
	/** How many requests so far changed something on the server. */
	writeCount(): number;
	/** The next write of the settings fails with a server error. */
	failNextWrite(): void;
	close(): Promise<void>;
};

export type AppSuiteSubject = {
	name: string;
	integration: AppIntegration;
	start(options: {tls?: {key: string; cert: string}}): Promise<AppServerUnderTest>;
	/** The secret key whose wrong value the server refuses, and what the message must say. */
	refusedCredential: {key: string; named: RegExp};
	/** Users to confirm for deletion, when the server starts with blocking ones. */
	deleteUsers?: string[];
};

export function appContractSuite(subject: AppSuiteSubject): void {
	const {integration} = subject;
	const servers: AppServerUnderTest[] = [];
	const start = async (options: {tls?: {key: string; cert: string}} = {}) => {
		const server = await subject.start(options);
		servers.push(server);
		return {server, context: memoryContext({...server.values}, {...server.secrets})};
	};

	async function run(context: IntegrationContext) {
		const preflight = await integration.preflight(context);
		const plan = await integration.plan(context, preflight);
		const notes = plan.changes.length > 0 ? await integration.apply(context, plan, {deleteUsers: subject.deleteUsers ?? []}) : [];
		return {preflight, plan, notes};
	}

	describe(`${subject.name}: the app contract`, () => {
		afterEach(async () => {
			await Promise.all(servers.splice(0).map(async (server) => server.close()));
		});

		it('plans, then applies, and reads back what it planned', async () => {
			const {server, context} = await start();
			const preflight = await integration.preflight(context);
			const plan = await integration.plan(context, preflight);
			expect(plan.changes.length).toBeGreaterThan(0);
			expect(server.writeCount()).toBe(0);
			await integration.apply(context, plan, {deleteUsers: subject.deleteUsers ?? []});
			expect(server.writeCount()).toBeGreaterThan(0);
			expect(await integration.confirm(context, plan)).toEqual([]);
		});

		it('plans nothing and writes nothing when run again', async () => {
			const {server, context} = await start();
			await run(context);
			const written = server.writeCount();
			const again = resumed(context);
			const {plan} = await run(again);
			expect(plan.changes).toEqual([]);
			expect(server.writeCount()).toBe(written);
		});

		it('restores the settings it found on rollback', async () => {
			const {server, context} = await start();
			const before = await server.settings();
			await run(context);
			expect(await server.settings()).not.toEqual(before);
			await integration.rollback(context);
			expect(await server.settings()).toEqual(before);
		});

		it('verifies TLS by default, and trusts a private CA given as ca_file', async () => {
			const pki = testPki();
			const {context} = await start({tls: pki.server});
			await expect(integration.preflight(context)).rejects.toMatchObject({reason: 'tls-unknown-ca'});
			context.values['ca_file'] = pki.caFile;
			const {plan} = await run(context);
			expect(await integration.confirm(context, plan)).toEqual([]);
		});

		it('names the refused credential without echoing it', async () => {
			const {context} = await start();
			const wrong = 'wrong-credential-3141592653';
			context.secrets[subject.refusedCredential.key] = wrong;
			const error = (await run(context).catch((caught: unknown) => caught)) as RemoteError;
			expect(error).toBeInstanceOf(Error);
			expect(`${error.message} ${error.hint ?? ''}`).toMatch(subject.refusedCredential.named);
			expect(JSON.stringify([error.message, error.hint, context.messages, [...context.store.entries()]])).not.toContain(wrong);
		});

		it('ends in the right state after a failed write and a resumed run, with nothing done twice', async () => {
			const {server, context} = await start();
			server.failNextWrite();
			await expect(run(context)).rejects.toThrow();
			const next = resumed(context);
			const {plan} = await run(next);
			expect(await integration.confirm(next, plan)).toEqual([]);
			const written = server.writeCount();
			const {plan: third} = await run(resumed(next));
			expect(third.changes).toEqual([]);
			expect(server.writeCount()).toBe(written);
		});
	});
}
