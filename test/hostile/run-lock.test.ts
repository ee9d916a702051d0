import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {lockRun} from '../../source/core/session/run-lock.js';

describe('class 5: one run at a time per app', () => {
	it('refuses a second run while the first lives, and takes over a lock of a dead process', async () => {
		const env = {SSO_SETUP_HOME: mkdtempSync(path.join(tmpdir(), 'sso-setup-lock-'))};
		const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		// The lock as the other run wrote it: its pid.
		const {writeFileSync, mkdirSync, readdirSync} = await import('node:fs');
		lockRun(['apply', 'pocket-id', 'harbor', 'https://harbor.example.com'], env);
		const locks = path.join(env.SSO_SETUP_HOME, 'locks');
		const [name] = readdirSync(locks);
		writeFileSync(path.join(locks, name!), `${holder.pid}\n`);
		expect(() => lockRun(['apply', 'pocket-id', 'harbor', 'https://harbor.example.com'], env)).toThrow(`Another sso-setup run is using this session (pid ${holder.pid}).`);
		holder.kill('SIGKILL');
		await new Promise((resolve) => holder.once('exit', resolve));
		mkdirSync(locks, {recursive: true});
		expect(() => lockRun(['apply', 'pocket-id', 'harbor', 'https://harbor.example.com'], env)).not.toThrow();
	});
});
