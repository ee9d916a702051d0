#!/usr/bin/env node
// Installs the real servers the tests under test/real/ run against, each into
// ${SSO_SETUP_SERVER_CACHE:-$HOME/.cache/sso-setup/test-servers}/<id>-<version>/, reused on later runs.
// Usage: node scripts/test-servers/install.mjs [id…]   (no id: all of them)
// Installers are the other files of this folder; each exports id, version, tools and install({cacheDir, log}).
import {spawnSync} from 'node:child_process';
import {accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export function cacheRoot(env = process.env) {
	return env.SSO_SETUP_SERVER_CACHE || path.join(homedir(), '.cache', 'sso-setup', 'test-servers');
}

/** Every installer module of this folder, by id. */
export async function installers() {
	const found = new Map();
	for (const file of readdirSync(here).sort()) {
		if (!file.endsWith('.mjs') || file === 'install.mjs' || file.startsWith('_')) continue;
		const module = await import(pathToFileURL(path.join(here, file)).href);
		if (typeof module.id === 'string' && typeof module.install === 'function') found.set(module.id, module);
	}
	return found;
}

/** The folder of one server; it exists only after a complete install (a `.complete` marker inside). */
export function serverDir(installer, env = process.env) {
	return path.join(cacheRoot(env), `${installer.id}-${installer.version}`);
}

export function isInstalled(installer, env = process.env) {
	return existsSync(path.join(serverDir(installer, env), '.complete'));
}

/** Runs a command, streaming nothing unless it fails; throws a sentence naming the step. */
export function run(command, args, {cwd, env, what} = {}) {
	const result = spawnSync(command, args, {cwd, env: {...process.env, ...env}, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
	if (result.error) throw new Error(`${what ?? command}: cannot run ${command} (${result.error.message})`);
	if (result.status !== 0) {
		const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
		throw new Error(`${what ?? command} failed (${command} exited with ${result.status}):\n${output}`);
	}
	return result.stdout;
}

/** Which of the named tools are missing from PATH (an executable file of that name in a PATH folder). */
export function missingTools(tools, env = process.env) {
	const folders = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
	return tools.filter((tool) => !folders.some((folder) => {
		try {
			accessSync(path.join(folder, tool), constants.X_OK);
			return true;
		} catch {
			return false;
		}
	}));
}

function elapsed(start) {
	return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}

/** Installs one server unless already in the cache. Returns {dir, cached}. */
export async function installOne(installer, {log = (line) => console.log(line), env = process.env} = {}) {
	const dir = serverDir(installer, env);
	if (isInstalled(installer, env)) {
		log(`[${installer.id}] ${installer.version} already installed in ${dir}`);
		return {dir, cached: true};
	}

	const missing = missingTools(installer.tools ?? [], env);
	if (missing.length > 0) throw new Error(`[${installer.id}] needs ${missing.join(', ')} on PATH to install; install ${missing.join(' and ')} and run again.`);
	const partial = `${dir}.partial-${process.pid}`;
	rmSync(partial, {recursive: true, force: true});
	mkdirSync(partial, {recursive: true});
	const started = Date.now();
	log(`[${installer.id}] installing ${installer.version} into ${dir}`);
	const stepLog = (line) => log(`[${installer.id}] ${line}`);
	const step = async (what, action) => {
		const start = Date.now();
		stepLog(`${what}…`);
		const result = await action();
		stepLog(`${what}: done in ${elapsed(start)}`);
		return result;
	};

	try {
		await installer.install({cacheDir: partial, log: stepLog, step, run});
		writeFileSync(path.join(partial, '.complete'), `${installer.id} ${installer.version}\n`);
		rmSync(dir, {recursive: true, force: true});
		renameSync(partial, dir);
	} catch (error) {
		rmSync(partial, {recursive: true, force: true});
		throw error;
	}

	log(`[${installer.id}] installed in ${elapsed(started)}`);
	return {dir, cached: false};
}

async function main(ids) {
	const all = await installers();
	const unknown = ids.filter((id) => !all.has(id));
	if (unknown.length > 0) {
		console.error(`Unknown server ${unknown.join(', ')}; known: ${[...all.keys()].join(', ')}`);
		return 2;
	}

	const chosen = ids.length > 0 ? ids.map((id) => all.get(id)) : [...all.values()];
	const started = Date.now();
	let failed = 0;
	for (const installer of chosen) {
		try {
			await installOne(installer);
		} catch (error) {
			failed++;
			console.error(error instanceof Error ? error.message : String(error));
		}
	}

	console.log(`test servers: ${chosen.length - failed} of ${chosen.length} ready in ${elapsed(started)} (cache: ${cacheRoot()})`);
	return failed > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	process.exitCode = await main(process.argv.slice(2));
}
