import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {spawn} from '@lydell/node-pty';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadSession, type Session, type WizardStep} from '../../source/core/session/store.js';
import {openKeychain} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import {requireKeychain} from '../helpers/keychain.js';
import {binary, PtyRun, type PtyOptions} from '../helpers/pty.js';
import {readManualSteps} from '../helpers/wizard-steps.js';

/**
 * The built binary in real terminals that are not the comfortable 100×40 colour xterm: no TTY at
 * all, no colour, a narrow window, a window resized mid-question, and Ctrl+C on every screen.
 * Path: authentik → Portainer by hand (no network, no admin credentials).
 */

const keychain = await requireKeychain();
const clientSecret = 'terminal-E2E-secret-5b7e';
/** A D-Bus address that leads nowhere: the keychain cannot be opened, the wizard asks what to do. */
const noKeychain = {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent'};

let home: string;
const runs: PtyRun[] = [];

beforeEach(() => {
	home = mkdtempSync(path.join(tmpdir(), 'sso-setup-terminal-'));
});

afterEach(async () => {
	for (const run of runs.splice(0)) run.dispose();
	const ids = sessionIds();
	if (keychain.available && ids.length > 0) {
		const probe = await openKeychain();
		if (probe.ok) {
			for (const id of ids) await new SessionSecrets(probe.store, id, {}).deleteAll();
		}
	}

	rmSync(home, {recursive: true, force: true});
});

function start(args: string[] = [], options: PtyOptions = {}): PtyRun {
	const run = new PtyRun(args, {...options, env: {SSO_SETUP_HOME: home, ...options.env}});
	runs.push(run);
	return run;
}

function sessionsDirectory(): string {
	return path.join(home, 'sessions');
}

/** Every file in the sessions directory (temporary files included), as ids when they are sessions. */
function sessionFiles(): string[] {
	return existsSync(sessionsDirectory()) ? readdirSync(sessionsDirectory()) : [];
}

function sessionIds(): string[] {
	return sessionFiles()
		.filter((name) => name.endsWith('.json'))
		.map((name) => name.slice(0, -'.json'.length));
}

/** A sentence as a pattern that survives the line breaks of a narrow terminal. */
function wrapped(sentence: string): RegExp {
	return new RegExp(sentence.split(/\s+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'));
}

type Screen = 'keychain' | 'welcome' | 'idp' | 'app' | 'field' | 'warning' | 'review' | 'checklist';

/** Walks the manual authentik → Portainer path up to the given screen, answering as a person would. */
async function walkTo(run: PtyRun, target: Screen): Promise<void> {
	const steps: Array<[Screen, () => Promise<void>]> = [
		['welcome', async () => run.expectText('Start a new setup')],
		[
			'idp',
			async () => {
				await run.select(/Start a new setup/);
				await run.expectText('Which identity provider?');
			},
		],
		[
			'app',
			async () => {
				await run.select(/❯\s*authentik/);
				await run.expectText('Which app?');
			},
		],
		[
			'field',
			async () => {
				await run.select(/❯\s*Portainer/);
				await run.expectText('Portainer URL');
				await run.answer('https://portainer.example.com');
				await run.expectText('authentik URL');
			},
		],
		[
			'warning',
			async () => {
				await run.answer('https://auth.example.com');
				await run.expectText('Application slug in authentik');
				await run.press('enter');
				await run.expectText('authentik API token (optional)');
				await run.press('enter');
				await readManualSteps(run);
				await run.expectText('Client ID (from the authentik provider)');
				await run.answer('portainer-client');
				await run.expectText('Client secret (from the authentik provider)');
				await run.answer(clientSecret);
				for (const label of ['Scopes (space-separated for Portainer)', 'User identifier claim', 'Create users automatically', 'Portainer admin user', 'Portainer admin password', 'Portainer API key']) {
					await run.expectText(label);
					await run.press('enter');
				}

				await run.expectText('Before you go on');
			},
		],
		[
			'review',
			async () => {
				for (let index = 0; index < 3; index++) {
					await run.expectText(`Warning ${index + 1} of 3`);
					await run.press('enter');
				}

				await run.expectText('Review');
				await run.expectText('Redirect URI: https://portainer.example.com/');
			},
		],
		[
			'checklist',
			async () => {
				await run.select(/Continue/);
				await run.expectText('What is left to do by hand');
			},
		],
	];
	for (const [screen, reach] of steps) {
		await reach();
		if (screen === target) {
			return;
		}
	}

	throw new Error(`No way to ${target}`);
}

/** The session left by Ctrl+C: the only one, unfinished, at the step reached, never with a secret. */
function expectSavedSession(run: PtyRun, step: WizardStep): Session {
	const files = sessionFiles();
	expect(files, 'one session file and no temporary file').toHaveLength(1);
	const [id] = sessionIds();
	expect(id).toBeDefined();
	expect(run.output()).toContain(`Resume with: npx sso-setup resume ${id}`);
	const session = loadSession(id!, {SSO_SETUP_HOME: home});
	expect(session.finished).toBe(false);
	expect(session.step).toBe(step);
	expect(session.idp).toBe('authentik');
	expect(session.app).toBe('portainer');
	expect(readFileSync(path.join(sessionsDirectory(), files[0]!), 'utf8')).not.toContain(clientSecret);
	return session;
}

function expectNothingSaved(run: PtyRun): void {
	expect(run.output()).toContain('Interrupted. Nothing was saved.');
	expect(run.output()).not.toContain('Resume with');
	expect(sessionFiles()).toEqual([]);
}

/** SGR sequences that set a colour (foreground, background, bright, 256 and true colour). */
function colourCodes(raw: string): string[] {
	return [...raw.matchAll(/\u001B\[([0-9;]*)m/g)]
		.map((match) => match[1]!)
		.filter((parameters) => parameters.split(';').some((parameter) => {
			const value = Number(parameter);
			return parameter !== '' && ((value >= 30 && value <= 49) || (value >= 90 && value <= 107));
		}));
}

/** Runs a shell command line in a pseudo-terminal; resolves with its exit code and output. */
async function shellInPty(command: string): Promise<{code: number; output: string}> {
	const pty = spawn('/bin/bash', ['-c', `${command}; echo "EXIT=$?"`], {
		cols: 100,
		rows: 30,
		env: Object.fromEntries(Object.entries({...process.env, SSO_SETUP_HOME: home, TERM: 'xterm-256color', FORCE_COLOR: undefined, CI: undefined}).filter((entry): entry is [string, string] => entry[1] !== undefined)),
	});
	let output = '';
	pty.onData((data) => {
		output += data;
	});
	await new Promise<void>((resolve) => {
		pty.onExit(() => resolve());
	});
	const code = /EXIT=(\d+)/.exec(output);
	expect(code, `no exit status in:\n${output}`).not.toBeNull();
	return {code: Number(code![1]), output: output.replace(/EXIT=\d+\s*$/, '')};
}

function expectNoWizard(output: string): void {
	expect(output).toContain('The wizard needs an interactive terminal');
	expect(output).toContain('sso-setup checklist');
	expect(output).toContain('--help');
	// No Ink: no frame, no spinner, no hidden cursor, no stack trace.
	for (const text of ['Welcome', 'Start a new setup', 'Opening the keychain', '\u001B[?25l', '\u001B[2K']) {
		expect(output).not.toContain(text);
	}

	expect(output).not.toMatch(/\n\s+at /);
	expect(sessionFiles()).toEqual([]);
}

describe('without a terminal', () => {
	for (const command of [[], ['resume']]) {
		it(`${['sso-setup', ...command].join(' ')} with piped stdin and stdout exits 2 and points at checklist and --help`, () => {
			const result = spawnSync(process.execPath, [binary, ...command], {
				input: 'https://harbor.example.com\n\r\r',
				encoding: 'utf8',
				env: {...process.env, SSO_SETUP_HOME: home, FORCE_COLOR: undefined, CI: undefined},
				timeout: 20_000,
			});
			expect(result.status, result.stderr).toBe(2);
			expect(result.stdout).toBe('');
			expect(result.stderr).toContain('standard input is not one');
			expectNoWizard(result.stderr);
			// Not a terminal, so no escape sequence of any kind.
			expect(result.stderr).not.toContain('\u001B');
		});
	}

	it('with piped stdin in a terminal exits 2 before drawing anything', async () => {
		const {code, output} = await shellInPty(`printf 'x\\r' | '${process.execPath}' '${binary}'`);
		expect(code).toBe(2);
		expect(output).toContain('standard input is not one');
		expectNoWizard(output);
	});

	it('with piped stdout in a terminal exits 2 before drawing anything', async () => {
		const {code, output} = await shellInPty(`set -o pipefail; '${process.execPath}' '${binary}' | cat`);
		expect(code).toBe(2);
		expect(output).toContain('standard output is not one');
		expectNoWizard(output);
	});
});

describe('colour', () => {
	/** Keychain screen, welcome, IdP and app menus, a refused answer in red, Ctrl+C. */
	async function drawEveryColour(run: PtyRun): Promise<void> {
		await run.expectText('The OS keychain cannot be used');
		await run.select(/Keep secrets in memory/);
		await walkTo(run, 'app');
		await run.select(/❯\s*Portainer/);
		await run.expectText('Portainer URL');
		await run.answer('portainer.example.com');
		await run.expectText('must be a full URL starting with https://');
		await run.press('ctrlC');
		expect(await run.exit()).toBe(130);
	}

	// The control: without any of the switches the same screens are in colour (so the checks below can fail).
	const colourful = {...noKeychain, CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm-256color'};

	it('is used by default in a colour terminal (the control for the tests below)', async () => {
		const run = start([], {env: colourful});
		await drawEveryColour(run);
		expect(colourCodes(run.rawOutput()).length).toBeGreaterThan(0);
	});

	for (const [name, args, env] of [
		['NO_COLOR=1', [], {NO_COLOR: '1'}],
		['--no-color', ['--no-color'], {}],
		['TERM=dumb', [], {TERM: 'dumb'}],
	] as const) {
		it(`is off everywhere in the wizard with ${name}`, async () => {
			const run = start([...args], {env: {...colourful, ...env}});
			await drawEveryColour(run);
			expect(colourCodes(run.rawOutput())).toEqual([]);
		});

		it(`is off in error messages with ${name}`, async () => {
			const run = start([...args, 'checklist', '--idp', 'authentik', '--app', 'portainer', '--set', 'app_url=portainer.example.com'], {env: {...colourful, ...env}});
			expect(await run.exit()).toBe(2);
			expect(run.output()).toContain('app_url: Portainer URL must be a full URL');
			expect(colourCodes(run.rawOutput())).toEqual([]);
		});
	}

	it('is used in error messages by default (the control)', async () => {
		const run = start(['checklist', '--idp', 'authentik', '--app', 'portainer', '--set', 'app_url=portainer.example.com'], {env: colourful});
		expect(await run.exit()).toBe(2);
		expect(colourCodes(run.rawOutput()).length).toBeGreaterThan(0);
	});
});

describe('a small or changing window', () => {
	it('is usable in 60 columns: keychain choice, IdP, app, a refused and an accepted answer', async () => {
		const run = start([], {cols: 60, rows: 40, env: noKeychain});
		await run.expectText(wrapped('sso-setup keeps passwords, tokens and client secrets only in the keychain'));
		await run.select(/Keep secrets in memory/);
		await walkTo(run, 'app');
		await run.select(/❯\s*Portainer/);
		await run.expectText('Portainer URL');
		await run.type('portainer.example.com');
		await run.expectText(wrapped('Portainer URL must be a full URL starting with https:// (for example https://portainer.example.com).'));
		await run.clearLine(30);
		await run.answer('https://portainer.example.com');
		await run.expectText('authentik URL');
		await run.answer('https://auth.example.com');
		await run.expectText('Application slug in authentik');
		await run.press('ctrlC');
		expect(await run.exit()).toBe(130);
		const session = expectSavedSession(run, 'fields');
		expect(session.answers).toMatchObject({app_url: 'https://portainer.example.com', idp_url: 'https://auth.example.com'});
	});

	it('survives resizes in a menu and in the middle of an answer, and loses no key', async () => {
		const run = start([], {cols: 100, rows: 40, env: noKeychain});
		await run.expectText('The OS keychain cannot be used');
		await run.select(/Keep secrets in memory/);
		await walkTo(run, 'idp');
		run.resize(60, 30);
		await run.expectText('Which identity provider?');
		await run.select(/❯\s*authentik/);
		await run.expectText('Which app?');
		run.resize(120, 40);
		await run.select(/❯\s*Portainer/);
		await run.expectText('Portainer URL');
		await run.type('https://portainer.exa');
		run.resize(50, 24);
		await run.expectText('https://portainer.exa');
		await run.type('mple.com');
		run.resize(80, 30);
		await run.expectText('https://portainer.example.com');
		await run.press('enter');
		await run.expectText('authentik URL');
		await run.press('ctrlC');
		expect(await run.exit()).toBe(130);
		const session = expectSavedSession(run, 'fields');
		expect(session.answers['app_url']).toBe('https://portainer.example.com');
	});
});

describe('Ctrl+C without a keychain', () => {
	it('on the keychain screen exits 130 and saves nothing', async () => {
		const run = start([], {env: noKeychain});
		await run.expectText('The OS keychain cannot be used');
		await run.expectText('Keep secrets in memory for this run only');
		await run.press('ctrlC');
		expect(await run.exit()).toBe(130);
		expectNothingSaved(run);
	});

	it('with secrets kept in memory, on a question, saves the answers and says how to resume', async () => {
		const run = start([], {env: noKeychain});
		await run.expectText('The OS keychain cannot be used');
		await run.select(/Keep secrets in memory/);
		await walkTo(run, 'field');
		await run.press('ctrlC');
		expect(await run.exit()).toBe(130);
		expect(expectSavedSession(run, 'fields').answers).toEqual({app_url: 'https://portainer.example.com'});
	});
});

describe.runIf(keychain.available)('Ctrl+C on every screen (keychain)', () => {
	for (const screen of ['welcome', 'idp', 'app'] as const) {
		it(`on the ${screen} screen exits 130 and saves nothing`, async () => {
			const run = start();
			await walkTo(run, screen);
			await run.press('ctrlC');
			expect(await run.exit()).toBe(130);
			expectNothingSaved(run);
		});
	}

	const after: Array<[Screen, WizardStep, Record<string, string>]> = [
		['field', 'fields', {app_url: 'https://portainer.example.com'}],
		['warning', 'warnings', {app_url: 'https://portainer.example.com', idp_url: 'https://auth.example.com', slug: 'portainer', client_id: 'portainer-client', scopes: 'openid profile email'}],
		['review', 'review', {client_id: 'portainer-client', auto_create_users: 'true'}],
		['checklist', 'checklist', {client_id: 'portainer-client', portainer_admin_user: 'admin'}],
	];
	for (const [screen, step, answers] of after) {
		it(`on the ${screen} screen exits 130, keeps the session and says how to resume`, async () => {
			const run = start();
			await walkTo(run, screen);
			await run.press('ctrlC');
			expect(await run.exit()).toBe(130);
			const session = expectSavedSession(run, step);
			expect(session.answers).toMatchObject(answers);
			if (screen !== 'field') {
				expect(session.secrets).toEqual(['client_secret']);
			}

			expect(run.output()).not.toContain(clientSecret);
		}, 60_000);
	}
});
