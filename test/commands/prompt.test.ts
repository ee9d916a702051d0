import {fileURLToPath} from 'node:url';
import {spawn} from '@lydell/node-pty';
import {describe, expect, it} from 'vitest';

/** The questions verify --sign-in asks on a terminal: a secret without echo, then yes or no; Ctrl+C interrupts. */

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('prompt-script.mts', import.meta.url));

function run(): {output(): string; type(text: string): void; waitFor(text: string): Promise<void>; exit: Promise<number>} {
	let output = '';
	const child = spawn(process.execPath, ['--import', 'tsx', script], {cols: 100, rows: 20, cwd: root, env: {...process.env, NO_COLOR: '1'} as Record<string, string>});
	child.onData((data) => {
		output += data;
	});
	const exit = new Promise<number>((resolve) => {
		child.onExit(({exitCode}) => resolve(exitCode));
	});
	return {
		output: () => output,
		type: (text) => child.write(text),
		async waitFor(text) {
			for (let attempt = 0; attempt < 600 && !output.includes(text); attempt++) {
				await new Promise((resolve) => setTimeout(resolve, 50));
			}

			expect(output).toContain(text);
		},
		exit,
	};
}

describe('prompts on a terminal', () => {
	it('reads a secret without echoing it, then a yes', {timeout: 60_000}, async () => {
		const session = run();
		await session.waitFor('Password: ');
		expect(session.output()).toContain('can ask: true');
		session.type('Typed-Secret-9x\u007F\r');
		await session.waitFor('Go on? [y/N]');
		session.type('y\r');
		await session.waitFor('got ');
		expect(await session.exit).toBe(0);
		expect(session.output()).toContain('got 14 characters, as typed, true');
		expect(session.output()).not.toContain('Typed-Secret');
	});

	it('anything but y is a no', {timeout: 60_000}, async () => {
		const session = run();
		await session.waitFor('Password: ');
		session.type('Typed-Secret-9\r');
		await session.waitFor('Go on? [y/N]');
		session.type('\r');
		await session.waitFor('got ');
		expect(session.output()).toContain('as typed, false');
	});

	it('Ctrl+C at the secret prompt interrupts the command', {timeout: 60_000}, async () => {
		const session = run();
		await session.waitFor('Password: ');
		session.type('abc\u0003');
		expect(await session.exit).toBe(130);
		expect(session.output()).toContain('interrupted');
		expect(session.output()).not.toContain('abc');
	});
});
