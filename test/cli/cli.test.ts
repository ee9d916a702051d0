import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {newSession, saveSession, type Session, sessionFile} from '../../source/core/session/store.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import {describeWithKeychain} from '../helpers/keychain.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = path.join(root, 'bundle', 'cli.cjs');
const dexFlows = fileURLToPath(new URL('../fixtures/flows/dex', import.meta.url));
const packageVersion = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string}).version;

/** The bundle `npm test` built, rebuilt when it is missing or older than a source file. */
function ensureBundle(): void {
	const sources = readdirSync(path.join(root, 'source'), {recursive: true}).map((name) => path.join(root, 'source', String(name)));
	const newest = Math.max(...sources.map((file) => statSync(file).mtimeMs));
	if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest) {
		execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'});
	}
}

const temporary = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-cli-'));
let home: string;
let homeCount = 0;

beforeAll(() => {
	ensureBundle();
});

beforeEach(() => {
	home = path.join(temporary, `home-${++homeCount}`);
});

afterAll(() => {
	rmSync(temporary, {recursive: true, force: true});
});

/** This process's environment without anything that would change the CLI's behaviour. */
function cleanEnvironment(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^(SSO_SETUP_|NO_COLOR$|FORCE_COLOR$|CI$|COLUMNS$|npm_lifecycle_event$)/.test(key)) {
			env[key] = value;
		}
	}

	return env;
}

type Run = {exitCode: number; stdout: string; stderr: string};

async function run(args: string[], options: {env?: NodeJS.ProcessEnv; input?: string} = {}): Promise<Run> {
	const result = await execa(process.execPath, [bundle, ...args], {
		env: {...cleanEnvironment(), SSO_SETUP_HOME: home, FORCE_COLOR: '0', ...options.env},
		extendEnv: false,
		input: options.input ?? '',
		reject: false,
		stripFinalNewline: false,
		timeout: 20_000,
	});
	return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)};
}

const stackTrace = /^\s+at .+(:\d+:\d+\)?|\(node:.+\))$/m;

/** A usage error: exit 2, one "✖ sentence" on stderr, nothing on stdout, no stack trace. */
function expectUsageError(result: Run, first: string | RegExp): void {
	expect(result.exitCode, result.stderr).toBe(2);
	expect(result.stdout).toBe('');
	const line = result.stderr.split('\n')[0]!;
	if (typeof first === 'string') {
		expect(line).toBe(`✖ ${first}`);
	} else {
		expect(line).toMatch(first);
	}

	expect(result.stderr).not.toMatch(stackTrace);
	expect(result.stderr).not.toMatch(/Unexpected error|ZodError|TypeError|node:internal/);
}

const authentikHarbor = ['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'app_url=https://harbor.example.com', '--set', 'idp_url=https://auth.example.com', '--set', 'slug=harbor'];
const authentikPortainer = ['checklist', '--idp', 'authentik', '--app', 'portainer', '--set', 'app_url=https://portainer.example.com', '--set', 'idp_url=https://auth.example.com', '--set', 'slug=portainer'];

function savedSession(overrides: Partial<Session> = {}): Session {
	return saveSession(
		{
			...newSession('authentik', 'harbor'),
			step: 'review',
			answers: {app_url: 'https://registry.example.org', idp_url: 'https://sso.example.org', slug: 'registry', client_id: 'registry-client'},
			secrets: ['client_secret'],
			...overrides,
		},
		{SSO_SETUP_HOME: home},
	);
}

describe('version and help', () => {
	it('--version prints the package version', async () => {
		for (const flag of ['--version', '-v']) {
			const result = await run([flag]);
			expect(result).toEqual({exitCode: 0, stdout: `${packageVersion}\n`, stderr: ''});
		}
	});

	it('--help lists the commands, the identifiers and the exit codes', async () => {
		const result = await run(['--help']);
		expect(result.exitCode).toBe(0);
		expect(result.stderr).toBe('');
		for (const text of ['Usage:', 'sso-setup resume [ID]', 'sso-setup sessions', 'sso-setup checklist', 'authentik, pocket-id, keycloak, oidc', 'harbor, portainer, ovh-mpr', '--flows DIR', '--no-color', 'Exit codes: 0 ok']) {
			expect(result.stdout).toContain(text);
		}

		expect((await run(['-h'])).stdout).toBe(result.stdout);
	});

	it('checklist --help describes the checklist options', async () => {
		const result = await run(['checklist', '--help']);
		expect(result.exitCode).toBe(0);
		expect(result.stdout.startsWith('Usage: sso-setup checklist --idp I --app A [--set key=value …] [--session ID] [--format F] [-o FILE]\n')).toBe(true);
		for (const text of ['--format F         markdown (default), text or json', '-o, --output FILE', '--session ID']) {
			expect(result.stdout).toContain(text);
		}

		expect((await run(['help', 'checklist'])).stdout).toBe(result.stdout);
	});

	it('an unknown command: exit 2, a sentence, the commands and where to look', async () => {
		const result = await run(['frobnicate']);
		expectUsageError(result, 'Unknown command "frobnicate".');
		expect(result.stderr).toContain('Commands: resume, sessions, checklist, apply, verify, rollback. See: npx sso-setup --help');
	});

	it('an unknown option: exit 2 and a sentence, for the wizard and for a command', async () => {
		const main = await run(['--frobnicate']);
		expectUsageError(main, 'Unknown option --frobnicate.');
		expect(main.stderr).toContain('See: npx sso-setup --help');
		const checklist = await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--frobnicate']);
		expectUsageError(checklist, 'Unknown option --frobnicate.');
		expect(checklist.stderr).toContain('See: npx sso-setup checklist --help');
	});

	it('a missing option value or a stray argument: exit 2', async () => {
		expectUsageError(await run(['checklist', '--idp']), /^✖ Option '--idp <value>' argument missing/);
		expectUsageError(await run(['checklist', 'extra']), 'Unexpected argument "extra".');
		expectUsageError(await run(['checklist', '--app', 'harbor']), 'checklist needs --idp and --app (or --session ID).');
		expectUsageError(await run(['checklist', '--idp', 'okta', '--app', 'harbor']), 'Unknown identity provider "okta".');
	});
});

describe('the two entry files', () => {
	/** The same command line through another file of the bundle (or a link to it), as `run` does. */
	async function through(file: string, args: string[]): Promise<Run> {
		const result = await execa(process.execPath, [file, ...args], {env: {...cleanEnvironment(), SSO_SETUP_HOME: home, FORCE_COLOR: '0'}, extendEnv: false, input: '', reject: false, stripFinalNewline: false, timeout: 20_000});
		return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)};
	}

	it('bundle/cli.mjs answers as the installed program (bundle/cli.cjs) does, and runs each command once', async () => {
		const esModule = path.join(path.dirname(bundle), 'cli.mjs');
		const checklist = ['checklist', '--idp', 'oidc', '--app', 'harbor', '--format', 'text'];
		for (const args of [['--version'], ['checklist', '--help'], ['frobnicate'], checklist]) {
			expect(await through(esModule, args)).toEqual(await run(args));
		}

		const printed = (await run(checklist)).stdout;
		expect(printed.split('Connect Harbor to').length).toBe(2);
	});

	it('runs through a link named as npm installs it (node_modules/.bin/sso-setup)', async () => {
		const bin = path.join(home, 'bin');
		mkdirSync(bin, {recursive: true});
		const link = path.join(bin, 'sso-setup');
		rmSync(link, {force: true});
		symlinkSync(bundle, link);
		expect(await through(link, ['--version'])).toEqual({exitCode: 0, stdout: `${packageVersion}\n`, stderr: ''});
		const checklist = await through(link, ['checklist', '--idp', 'oidc', '--app', 'harbor', '--format', 'text']);
		expect(checklist.exitCode).toBe(0);
		expect(checklist.stdout.split('Connect Harbor to').length).toBe(2);
	});
});

describe('checklist: the acceptance commands', () => {
	it('authentik → Harbor', async () => {
		const result = await run(authentikHarbor);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr).toBe('');
		const out = result.stdout;
		expect(out).toContain('| Redirect URI (register it at the IdP) | `https://harbor.example.com/c/oidc/callback` |');
		expect(out).toContain('| Issuer / OIDC endpoint | `https://auth.example.com/application/o/harbor/` |');
		expect(out).toContain('| Scopes | `openid,profile,email,offline_access` |');
		expect(out).toContain('| Local admin sign-in (fallback) | `https://harbor.example.com/account/sign-in` |');
		expect(out).toContain('> **⚠ Harbor must have no local users other than admin**');
		expect(out).toContain('sign in as admin at https://harbor.example.com/account/sign-in');
		expect(out).toContain('| Client secret | `<client_secret>` |');
	});

	it('authentik → Portainer', async () => {
		const result = await run(authentikPortainer);
		expect(result.exitCode, result.stderr).toBe(0);
		const out = result.stdout;
		expect(out).toContain('| Redirect URI (register it at the IdP) | `https://portainer.example.com/` |');
		expect(out).toContain('| Scopes | `openid profile email` |');
		expect(out).toContain('| Authorization URL | `https://auth.example.com/application/o/authorize/` |');
		expect(out).toContain('| Token URL | `https://auth.example.com/application/o/token/` |');
		expect(out).toContain('| Userinfo URL | `https://auth.example.com/application/o/userinfo/` |');
		expect(out).toContain('| Logout (end-session) URL | `https://auth.example.com/application/o/portainer/end-session/` |');
		expect(out).toContain('https://portainer.example.com/#!/internal-auth');
	});
});

describe('checklist: input checks', () => {
	const secretKeys = ['client_secret', 'harbor_admin_password', 'authentik_token', 'keycloak_admin_password', 'pocket_id_api_key', 'portainer_api_key', 'ovh_application_secret', 'ovh_consumer_key', 'anything_password', 'anything_token', 'anything_api_key'];

	it.each(secretKeys)('refuses --set %s and never echoes the value', async (key) => {
		const value = `Sup3r-S3cret-${key.length}-value`;
		const result = await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'app_url=https://harbor.example.com', '--set', `${key}=${value}`]);
		expectUsageError(result, `${key} is a secret and is not accepted on the command line (other users can read it with ps).`);
		expect(result.stderr).toContain(`Put it in the environment as SSO_SETUP_${key.toUpperCase()}, or let the wizard ask for it.`);
		expect(result.stdout + result.stderr).not.toContain(value);
	});

	it('refuses --set=client_secret=… written as one argument too', async () => {
		const result = await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set=client_secret=AnotherS3cret']);
		expectUsageError(result, /^✖ client_secret is a secret/);
		expect(result.stderr).not.toContain('AnotherS3cret');
	});

	it('refuses an app_url without a scheme and names the field', async () => {
		const result = await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'app_url=harbor.example.com']);
		expectUsageError(result, '--set app_url: Harbor URL must be a full URL starting with https:// (for example https://harbor.example.com).');
	});

	it('refuses an unknown key and lists the known ones, without secrets', async () => {
		const result = await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'colour=blue']);
		expectUsageError(result, 'Unknown key "colour" for authentik → harbor.');
		expect(result.stderr).toContain('app_url');
		expect(result.stderr).not.toMatch(/client_secret|harbor_admin_password|authentik_token/);
	});

	it('normalises scopes typed with the wrong separator', async () => {
		const result = await run([...authentikPortainer, '--set', 'scopes=openid,email,profile', '--format', 'json']);
		expect(result.exitCode, result.stderr).toBe(0);
		const checklist = JSON.parse(result.stdout) as {values: Array<{key: string; value: string}>};
		expect(checklist.values.find((item) => item.key === 'scopes')?.value).toBe('openid email profile');
	});
});

describe('checklist: formats and output', () => {
	it('--format json is valid JSON with the values', async () => {
		const result = await run([...authentikHarbor, '--format', 'json']);
		expect(result.exitCode, result.stderr).toBe(0);
		const checklist = JSON.parse(result.stdout) as {title: string; values: Array<{key: string; value: string}>; warnings: Array<{id: string}>};
		expect(checklist.title).toBe('Connect Harbor to authentik');
		expect(Object.fromEntries(checklist.values.map((item) => [item.key, item.value]))).toMatchObject({
			redirect_uri: 'https://harbor.example.com/c/oidc/callback',
			issuer: 'https://auth.example.com/application/o/harbor/',
			scopes: 'openid,profile,email,offline_access',
			client_secret: '<client_secret>',
		});
		expect(checklist.warnings.map((warning) => warning.id)).toContain('harbor-local-users');
	});

	it('--format text has no Markdown', async () => {
		const result = await run([...authentikHarbor, '--format', 'text']);
		expect(result.exitCode).toBe(0);
		expect(result.stdout.startsWith('Connect Harbor to authentik\n===========================\n')).toBe(true);
		expect(result.stdout).toContain('  Redirect URI (register it at the IdP)  https://harbor.example.com/c/oidc/callback');
		expect(result.stdout).not.toMatch(/\*\*|`|^\|/m);
	});

	it('an unknown format: exit 2, naming the formats', async () => {
		const result = await run([...authentikHarbor, '--format', 'yaml']);
		expectUsageError(result, 'Unknown format "yaml".');
		expect(result.stderr).toContain('Use one of: markdown, text, json.');
	});

	it('-o FILE writes the checklist to the file instead of the screen', async () => {
		const shown = await run(authentikHarbor);
		const file = path.join(temporary, `checklist-${homeCount}.md`);
		const result = await run([...authentikHarbor, '-o', file]);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe(`Checklist written to ${file}\n`);
		expect(readFileSync(file, 'utf8')).toBe(shown.stdout);
		expect(readdirSync(path.dirname(file)).filter((name) => name.startsWith(`${path.basename(file)}.`))).toEqual([]);
	});

	it('-o into a directory that does not exist: exit 2, naming the file', async () => {
		const file = path.join(temporary, 'missing-directory', 'checklist.md');
		expectUsageError(await run([...authentikHarbor, '--output', file]), `Cannot write the checklist to ${file}: the folder ${path.dirname(file)} does not exist.`);
	});
});

describe('checklist: extra flow files', () => {
	it('--flows DIR adds an IdP that checklist can use', async () => {
		const result = await run(['checklist', '--flows', dexFlows, '--idp', 'dex', '--app', 'harbor', '--set', 'idp_url=https://dex.example.com/dex', '--set', 'app_url=https://harbor.example.com']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toContain('# Connect Harbor to Dex');
		expect(result.stdout).toContain('| Issuer / OIDC endpoint | `https://dex.example.com/dex` |');
		expect(result.stdout).toContain('redirectURIs [`https://harbor.example.com/c/oidc/callback`]');
	});

	it('the extra IdP is named among the choices', async () => {
		const result = await run(['checklist', '--flows', dexFlows, '--idp', 'okta', '--app', 'harbor']);
		expectUsageError(result, 'Unknown identity provider "okta".');
		expect(result.stderr).toContain('Use one of: authentik, keycloak, oidc, pocket-id, dex.');
	});

	it('a broken flow file: exit 2, naming the file, the field and the problem', async () => {
		const directory = path.join(temporary, `broken-flows-${homeCount}`);
		mkdirSync(directory);
		const file = path.join(directory, 'gitea.yaml');
		writeFileSync(file, 'kind: app\nid: gitea\nname: Gitea\nscopes: {separator: " ", default: [openid]}\nfields:\n  - {key: app_url, label: Gitea URL, kind: link}\n');
		const result = await run(['checklist', '--flows', directory, '--idp', 'authentik', '--app', 'harbor']);
		expectUsageError(result, 'A flow file is not valid:');
		expect(result.stderr).toContain(`  ${file}: fields[0] (app_url).kind: Invalid option: expected one of`);
	});
});

describe('the wizard without a terminal', () => {
	it.each([[[]], [['resume']]])('%j with piped stdin: exit 2, points at checklist and --help, no Ink output', async (args) => {
		const result = await run(args, {input: 'authentik\n'});
		expectUsageError(result, 'The wizard needs an interactive terminal, but standard input is not one.');
		expect(result.stderr).toContain('sso-setup checklist --idp I --app A --set key=value');
		expect(result.stderr).toContain('See: npx sso-setup --help');
		expect(result.stderr).not.toMatch(/\u001B\[/);
		expect(existsSync(home)).toBe(false);
	});
});

describe('sessions', () => {
	it('with no sessions says how to start one', async () => {
		const result = await run(['sessions']);
		expect(result).toEqual({exitCode: 0, stdout: 'No saved sessions. Start one with: npx sso-setup\n', stderr: ''});
	});

	it('lists a saved session with its pair and step, and how to resume it', async () => {
		const session = savedSession();
		const result = await run(['sessions']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stderr).toBe('');
		const [header, row] = result.stdout.split('\n');
		expect(header).toMatch(/^ID\s+IdP → app\s+step\s+last change \(UTC\)$/);
		expect(row).toMatch(new RegExp(`^${session.id}\\s+authentik → harbor\\s+review\\s+${session.updated_at.slice(0, 10)} \\d\\d:\\d\\d$`));
		expect(result.stdout).toContain(`Resume with: npx sso-setup resume ${session.id}`);
	});

	it('reports a corrupt file, leaves it alone, and still lists the others', async () => {
		const session = savedSession();
		const corrupt = path.join(home, 'sessions', 'keycloak-portainer-abcdef.json');
		writeFileSync(corrupt, '{"schema_version": 1, "id": "keyc');
		const result = await run(['sessions']);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toContain(session.id);
		expect(result.stdout).not.toContain('keycloak-portainer-abcdef');
		expect(result.stderr).toContain(`! The session file ${corrupt} is not valid JSON`);
		expect(result.stderr).toContain('sso-setup sessions forget keycloak-portainer-abcdef');
		expect(readFileSync(corrupt, 'utf8')).toBe('{"schema_version": 1, "id": "keyc');
	});

	it('sessions forget ID deletes the file', async () => {
		const keep = savedSession();
		const forget = savedSession({...newSession('pocket-id', 'portainer'), answers: {app_url: 'https://portainer.example.com'}});
		const file = sessionFile(forget.id, {SSO_SETUP_HOME: home});
		expect(existsSync(file)).toBe(true);
		const result = await run(['sessions', 'forget', forget.id]);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toMatch(new RegExp(`^Forgot session ${forget.id}: deleted its file, \\d+ keychain entr(y|ies) deleted\\.`));
		expect(existsSync(file)).toBe(false);
		expect(existsSync(sessionFile(keep.id, {SSO_SETUP_HOME: home}))).toBe(true);
		const listing = await run(['sessions']);
		expect(listing.stdout).toContain(keep.id);
		expect(listing.stdout).not.toContain(forget.id);
	});

	it('sessions forget with an unknown or invalid id: exit 2', async () => {
		expectUsageError(await run(['sessions', 'forget', 'authentik-harbor-000000']), /^✖ No saved session "authentik-harbor-000000"\./);
		expectUsageError(await run(['sessions', 'forget', '../../etc/passwd']), '"../../etc/passwd" is not a session id.');
		expectUsageError(await run(['sessions', 'forget']), 'sessions forget needs a session id.');
		expectUsageError(await run(['sessions', 'purge']), 'Unknown sessions action "purge".');
	});
});

await describeWithKeychain('sessions forget, with the keychain', (keychain) => {
	it('deletes the session\'s keychain entries and no other session\'s', async () => {
		const forget = savedSession();
		const keep = savedSession();
		await new SessionSecrets(keychain(), forget.id, {}).set('client_secret', 'forget-me-secret');
		await new SessionSecrets(keychain(), forget.id, {}).set('authentik_token', 'forget-me-token');
		await new SessionSecrets(keychain(), keep.id, {}).set('client_secret', 'keep-me-secret');
		try {
			const result = await run(['sessions', 'forget', forget.id]);
			expect(result.exitCode, result.stderr).toBe(0);
			expect(result.stdout).toBe(`Forgot session ${forget.id}: deleted its file, 2 keychain entries deleted.\n`);
			expect(await keychain().accounts(`${forget.id}/`)).toEqual([]);
			expect(await keychain().get(`${keep.id}/client_secret`)).toBe('keep-me-secret');
		} finally {
			await new SessionSecrets(keychain(), forget.id, {}).deleteAll();
			await new SessionSecrets(keychain(), keep.id, {}).deleteAll();
		}
	});
});

describe('checklist --session', () => {
	it('takes the values from the saved session; a stored secret shows as such', async () => {
		const session = savedSession();
		const result = await run(['checklist', '--session', session.id]);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toContain('# Connect Harbor to authentik');
		expect(result.stdout).toContain('| Redirect URI (register it at the IdP) | `https://registry.example.org/c/oidc/callback` |');
		expect(result.stdout).toContain('| Issuer / OIDC endpoint | `https://sso.example.org/application/o/registry/` |');
		expect(result.stdout).toContain('| Client ID | `registry-client` |');
		expect(result.stdout).toContain('| Client secret | (stored in keychain) |');
	});

	it('--set overrides a saved value; a different --idp is refused', async () => {
		const session = savedSession();
		const result = await run(['checklist', '--session', session.id, '--set', 'slug=harbor-prod']);
		expect(result.exitCode, result.stderr).toBe(0);
		expect(result.stdout).toContain('`https://sso.example.org/application/o/harbor-prod/`');
		expectUsageError(await run(['checklist', '--session', session.id, '--idp', 'keycloak']), `--idp keycloak does not match session ${session.id} (authentik).`);
	});

	it('a session that does not exist: exit 2', async () => {
		expectUsageError(await run(['checklist', '--session', 'authentik-harbor-999999']), 'No saved session "authentik-harbor-999999".');
	});
});

describe('colour', () => {
	const escape = /\u001B\[/;

	it('is used when forced, so the checks below can fail', async () => {
		savedSession();
		expect((await run(['frobnicate'], {env: {FORCE_COLOR: '1'}})).stderr).toMatch(escape);
		expect((await run(['sessions'], {env: {FORCE_COLOR: '1'}})).stdout).toMatch(escape);
	});

	it('NO_COLOR=1 and --no-color turn it off', async () => {
		savedSession();
		for (const [args, env] of [
			[['frobnicate'], {FORCE_COLOR: '1', NO_COLOR: '1'}],
			[['frobnicate', '--no-color'], {FORCE_COLOR: '1'}],
			[['sessions'], {FORCE_COLOR: '1', NO_COLOR: '1'}],
			[['sessions', '--no-color'], {FORCE_COLOR: '1'}],
			[[...authentikHarbor, '--no-color'], {FORCE_COLOR: '1'}],
		] as Array<[string[], NodeJS.ProcessEnv]>) {
			const result = await run(args, {env});
			expect(result.stdout + result.stderr, args.join(' ')).not.toMatch(escape);
			expect(result.stdout + result.stderr, args.join(' ')).not.toBe('');
		}
	});
});

describe('issue 11: what a new admin trips over', () => {
	const harborUrl = '--set=app_url=https://harbor.example.com';
	const json = async (args: string[], env?: NodeJS.ProcessEnv) => {
		const result = await run(['checklist', '--format', 'json', ...args], {env});
		expect(result.exitCode, result.stderr).toBe(0);
		return {result, checklist: JSON.parse(result.stdout) as {values: Array<{key: string; value: string}>; sections: Array<{steps: Array<{text: string}>}>}};
	};

	const issuerOf = (checklist: {values: Array<{key: string; value: string}>}) => checklist.values.find((item) => item.key === 'issuer')?.value;

	it('a pasted authentik issuer gives the base URL and the slug, and a single issuer', async () => {
		const {result, checklist} = await json(['--idp', 'authentik', '--app', 'harbor', harborUrl, '--set', 'idp_url=https://auth.example.com/application/o/registry/']);
		expect(issuerOf(checklist)).toBe('https://auth.example.com/application/o/registry/');
		expect(result.stderr).toContain('Will be saved as https://auth.example.com (slug registry).');
	});

	it('a pasted Keycloak issuer, current or legacy /auth, gives the base URL and the realm', async () => {
		const current = await json(['--idp', 'keycloak', '--app', 'ovh-mpr', '--set', 'idp_url=https://xxx.yyy.com/realms/mpr']);
		expect(issuerOf(current.checklist)).toBe('https://xxx.yyy.com/realms/mpr');
		expect(JSON.stringify(current.checklist.sections)).toContain('"endpoint\\": \\"https://xxx.yyy.com/realms/mpr\\"');
		const legacy = await json(['--idp', 'keycloak', '--app', 'harbor', harborUrl, '--set', 'idp_url=https://sso.example.com/auth/realms/corp/']);
		expect(issuerOf(legacy.checklist)).toBe('https://sso.example.com/auth/realms/corp');
		expect(legacy.result.stderr).toContain('(realm corp)');
	});

	it('a Keycloak served under its own path keeps that path, also when its saved value is checked again', async () => {
		const pasted = await json(['--idp', 'keycloak', '--app', 'harbor', harborUrl, '--set', 'idp_url=https://sso.example.com/kc/realms/corp']);
		expect(issuerOf(pasted.checklist)).toBe('https://sso.example.com/kc/realms/corp');
		// The saved value, given again (Enter on a default, a resumed session), means the same.
		const again = await json(['--idp', 'keycloak', '--app', 'harbor', harborUrl, '--set', 'idp_url=https://sso.example.com/kc/', '--set', 'realm=corp']);
		expect(issuerOf(again.checklist)).toBe('https://sso.example.com/kc/realms/corp');
	});

	it('refuses an IdP URL path it cannot understand, and a realm that contradicts the pasted one', async () => {
		expectUsageError(await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'idp_url=https://auth.example.com/some/page']), /^✖ --set idp_url: authentik URL: the path "\/some\/page" is not understood\./);
		const contradiction = await run(['checklist', '--idp', 'keycloak', '--app', 'harbor', '--set', 'idp_url=https://sso.example.com/realms/mpr', '--set', 'realm=other']);
		expect(contradiction.exitCode).toBe(2);
		expect(contradiction.stderr).toContain('✖ --set realm=other contradicts the URL given, which names realm mpr.');
	});

	it('an admin group without a groups claim is refused with the reason, in apply and in checklist', async () => {
		const args = ['--idp', 'oidc', '--app', 'harbor', harborUrl, '--set', 'issuer=https://login.example.com/', '--set', 'client_id=harbor', '--set', 'admin_group=admins'];
		expectUsageError(await run(['apply', ...args], {env: {SSO_SETUP_CLIENT_SECRET: 'secret-value'}}), /^✖ admin_group needs groups_claim: Harbor learns who is in the admin group only from that claim/);
		expectUsageError(await run(['checklist', ...args]), /^✖ admin_group needs groups_claim/);
	});

	it('where the IdP has a known groups claim, it is the default and the admin group reaches the checklist', async () => {
		const {checklist} = await json(['--idp', 'keycloak', '--app', 'harbor', harborUrl, '--set', 'admin_group=admins']);
		const text = JSON.stringify(checklist);
		expect(text).toContain('Group Claim Name: `groups`; OIDC Admin Group: `admins`.');
		expect(text).toContain('Token Claim Name `groups`');
	});

	it('verify with nothing it could check exits 2 and names the missing values', async () => {
		const result = await run(['verify', '--idp', 'oidc', '--app', 'harbor']);
		expect(result.exitCode, result.stdout).toBe(2);
		expect(result.stdout).toMatch(/0 passed, 0 warned, 0 failed, 7 skipped: nothing could be checked; missing: issuer, /);
		const document = JSON.parse((await run(['verify', '--idp', 'oidc', '--app', 'harbor', '--json'])).stdout) as {ok: boolean; nothing_checked?: boolean; missing?: string[]};
		expect(document).toMatchObject({ok: false, nothing_checked: true});
		expect(document.missing).toContain('issuer');
	});

	it('command hints run as printed: npm start -- from a checkout, npx sso-setup from the package', async () => {
		const fromCheckout = await run(['sessions'], {env: {npm_lifecycle_event: 'start', npm_package_name: 'sso-setup'}});
		expect(fromCheckout.stdout).toBe('No saved sessions. Start one with: npm start\n');
		const unknown = await run(['frobnicate'], {env: {npm_lifecycle_event: 'start', npm_package_name: 'sso-setup'}});
		expect(unknown.stderr).toContain('See: npm start -- --help');
	});

	it('a client secret from the environment is said to be there, never in a code span', async () => {
		const result = await run(['checklist', '--idp', 'authentik', '--app', 'harbor'], {env: {SSO_SETUP_CLIENT_SECRET: 'secret-value'}});
		expect(result.stdout).toContain('| Client secret | (from SSO_SETUP_CLIENT_SECRET) |');
		expect(result.stdout).toContain('OIDC Client Secret: (from SSO_SETUP_CLIENT_SECRET)');
		expect(result.stdout).not.toContain('secret-value');
	});

	it('the text checklist wraps to the terminal width at spaces and never splits a URL', async () => {
		const args = ['checklist', '--idp', 'authentik', '--app', 'harbor', '--format', 'text', harborUrl, '--set', 'idp_url=https://auth.example.com'];
		const result = await run(args, {env: {COLUMNS: '60'}});
		expect(result.exitCode, result.stderr).toBe(0);
		const lines = result.stdout.split('\n');
		// A line may pass the width only when it is one word (a URL) after its indent.
		expect(lines.filter((line) => line.length > 60 && /\S\s+\S/.test(line.trim()))).toEqual([]);
		const urls = new Set((await run(args)).stdout.match(/https:\/\/\S+/g));
		for (const url of urls) {
			expect(result.stdout).toContain(url);
		}
	});

	it('"Known keys" names each key once; a client ID with a space is refused', async () => {
		const unknown = await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'nope=1']);
		expect(unknown.exitCode).toBe(2);
		expect(unknown.stderr.match(/\bclient_id\b/g)).toHaveLength(1);
		expectUsageError(await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'client_id=harbor client']), /^✖ --set client_id: A client ID has no spaces/);
	});

	it('OVH: the endpoint takes the three regions or a full base URL (http only on loopback); a registry ID is a UUID', async () => {
		const ovh = ['checklist', '--idp', 'keycloak', '--app', 'ovh-mpr'];
		for (const endpoint of ['ovh-ca', 'https://eu.api.ovh.com/1.0', 'http://127.0.0.1:8443/1.0']) {
			const result = await run([...ovh, '--set', `ovh_endpoint=${endpoint}`]);
			expect(result.exitCode, `${endpoint}: ${result.stderr}`).toBe(0);
		}

		expectUsageError(await run([...ovh, '--set', 'ovh_endpoint=http://api.example.com/1.0']), /^✖ --set ovh_endpoint: Use ovh-eu, ovh-ca, ovh-us, or a full https:\/\/ API base URL/);
		expectUsageError(await run([...ovh, '--set', 'ovh_registry_id=not-a-uuid']), /^✖ --set ovh_registry_id: A registry ID is a UUID/);
		expect((await run([...ovh, '--set', 'ovh_registry_id=5e1a4f9c-2b7d-4c3e-9a61-0d8f2b6c7e14'])).exitCode).toBe(0);
	});

	it('plain http:// warns about redirect URIs on the app URL only', async () => {
		const result = await run(['checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'idp_url=http://auth.lan', '--set', 'app_url=http://harbor.lan']);
		const warnings = result.stderr.split('\n');
		expect(warnings.find((line) => line.startsWith('! --set idp_url:'))).not.toContain('redirect URI');
		expect(warnings.find((line) => line.startsWith('! --set app_url:'))).toContain('redirect URIs');
	});

	it('without a keychain: verify does not speak of creating a secret; forget of an unknown session says only that', async () => {
		const env = {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus'};
		// The app's check needs Harbor's admin password, which only the keychain could give here.
		const verify = await run(['verify', '--idp', 'oidc', '--app', 'harbor', '--set', 'app_url=http://127.0.0.1:9'], {env});
		expect(verify.stderr).toContain('The OS keychain cannot be used');
		expect(verify.stderr).not.toContain('created now');
		// With every secret from the environment, verify never asks the keychain, so it has nothing to say about it.
		const fromEnvironment = await run(['verify', '--idp', 'oidc', '--app', 'harbor', '--set', 'app_url=http://127.0.0.1:9'], {env: {...env, SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'from-the-environment'}});
		expect(fromEnvironment.stderr).not.toContain('keychain');
		expectUsageError(await run(['sessions', 'forget', 'authentik-harbor-000000'], {env}), 'No saved session "authentik-harbor-000000".');
	});
});
