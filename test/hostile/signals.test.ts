import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, newHome, settle, startCli, tidySessions} from '../faults/helpers/cli.js';

// Issue 13, class 10: apply, verify and rollback stopped by a signal say how to go on.
let silent: http.Server;
let url: string;
let arrived: () => void = () => undefined;

beforeAll(async () => {
	await ensureBuilt();
	// Accepts every request and never answers: the command is mid-call when the signal comes.
	silent = http.createServer(() => arrived());
	await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});

afterAll(async () => {
	silent.closeAllConnections();
	await new Promise((resolve) => silent.close(resolve));
});

async function interrupted(args: string[], signal: NodeJS.Signals) {
	const home = newHome('sso-setup-hostile-');
	const running = startCli(home, args, {SSO_SETUP_CLIENT_SECRET: 'Hostile-Signal-Secret-3', SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'Hostile-Signal-Pass-8'});
	// Sent once the command waits on its first remote call.
	await new Promise<void>((resolve) => {
		arrived = resolve;
	});
	// A hard bound: the suite never hangs on a process that ignores the signal.
	const guard = setTimeout(() => running.kill('SIGKILL'), 10_000);
	running.kill(signal);
	const result = await settle(running);
	clearTimeout(guard);
	return {...result, home};
}

const apply = () => ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${url}`, '--yes'];

describe('a signal in the middle of a command (issue 13, class 10)', () => {
	for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
		it(`apply on ${signal}: exit ${code}, the resume line on stderr, the session whole`, async () => {
			const result = await interrupted(apply(), signal);
			expect(result.code, result.all).toBe(code);
			expect(result.stderr).toMatch(/--session [a-z0-9-]+/);
			expect(result.stderr).not.toMatch(/\n\s+at /);
			// tidySessions: only complete, valid session files, no temporary file left.
			expect(tidySessions(result.home).map((session) => session.id)).toEqual([/--session ([a-z0-9-]+)/.exec(result.stderr)![1]]);
		});
	}

	it('verify on SIGTERM: exit 143 and a sentence saying what to do', async () => {
		const result = await interrupted(['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${url}`, '--set', 'client_id=harbor', '--set', `app_url=${url}`], 'SIGTERM');
		expect(result.code, result.all).toBe(143);
		expect(result.stderr).toContain('run it again');
	});
});
