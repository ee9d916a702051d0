// `npm run bench`: what every `npx sso-setup` user feels first (start-up, first frame, a checklist,
// a verification, the download), measured on this machine against baselines taken in the same run.
// Not part of `npm test`: the figures depend on the machine. Writes bench/results.json and bench/RESULTS.md.
import {spawn} from 'node:child_process';
import {cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {spawn as spawnPty} from '@lydell/node-pty';
import {build} from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// The program as installed (package.json's bin).
const cli = process.env.BENCH_CLI ?? path.join(root, 'bundle', 'cli.cjs');
const delayMs = 200;
const processTimeoutMs = 60_000;
const frameTimeoutMs = 15_000;

const work = mkdtempSync(path.join(os.tmpdir(), 'sso-setup-bench-'));
const home = path.join(work, 'home');
mkdirSync(home);
const childEnv = {...process.env, SSO_SETUP_HOME: home, CI: 'false', NO_COLOR: '1'};
delete childEnv.FORCE_COLOR;

// ─── helpers ────────────────────────────────────────────────────────────────

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs a command to its end; `ms` is from spawn to the close of its output. */
function run(command, args, options = {}) {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const env = process.env.BENCH_TIMELINE ? {...(options.env ?? childEnv), BENCH_SPAWNED_AT: String(performance.timeOrigin + performance.now())} : (options.env ?? childEnv);
		const child = spawn(command, args, {cwd: options.cwd ?? root, env, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? processTimeoutMs);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ms: performance.now() - started, code, stdout, stderr});
		});
	});
}

async function runOk(command, args, options) {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		throw new Error(`${[command, ...args].join(' ')} exited with ${result.code}:\n${result.stderr || result.stdout}`);
	}

	return result;
}

/** Alternates target and baseline so that drift of the machine hits both alike. */
async function compare({runs, warmups}, target, baseline) {
	const samples = {target: [], baseline: []};
	for (let index = 0; index < warmups + runs; index++) {
		const pair = {target: await target(), baseline: await baseline()};
		if (index >= warmups) {
			samples.target.push(pair.target);
			samples.baseline.push(pair.baseline);
		}
	}

	return samples;
}

const timeNode = (args, options) => async () => (await runOk(process.execPath, args, options)).ms;

// ─── start-up, checklist ────────────────────────────────────────────────────

const bareNode = timeNode(['-e', '0']);

/** A bare `node -e 0` of this run (the start-up row's baseline): what any process pays before its first line. */
const bare = {startMs: undefined};

async function startup() {
	const samples = await compare({runs: 15, warmups: 2}, timeNode([cli, '--version']), bareNode);
	bare.startMs ??= median(samples.baseline);
	return ratioResult('startup', 'start-up: --version', samples, {text: '≤ 1.2× bare node', met: (ratio) => ratio <= 1.2}, 'baseline: node -e 0');
}

async function checklist() {
	const args = [cli, 'checklist', '--idp', 'authentik', '--app', 'harbor', '--set', 'app_url=https://harbor.example.com', '--set', 'idp_url=https://auth.example.com', '--set', 'slug=harbor'];
	const samples = await compare({runs: 15, warmups: 2}, timeNode(args), bareNode);
	return ratioResult('checklist', 'checklist authentik → harbor', samples, {text: '≤ 1.6× bare node', met: (ratio) => ratio <= 1.6}, 'baseline: node -e 0');
}

// ─── first frame in a pseudo-terminal ───────────────────────────────────────

// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\u001B\[[0-9;?]*[A-Za-z]|\u001B\][^\u0007]*\u0007|\u001B[()][0-9A-B]|\u001B[=>78]/g, '');

/** Milliseconds from spawn until the terminal shows text matching `pattern`, and that text; the process is then killed. */
function timeToText(args, pattern) {
	return new Promise((resolve, reject) => {
		const env = Object.fromEntries(Object.entries({...childEnv, TERM: 'xterm-256color', NO_COLOR: undefined}).filter(([, value]) => value !== undefined));
		const started = performance.now();
		const terminal = spawnPty(process.execPath, args, {cols: 100, rows: 30, cwd: root, env});
		let output = '';
		let settled = false;
		const finish = (error, ms, seen) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			terminal.kill();
			error ? reject(error) : resolve({ms, seen});
		};

		const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${frameTimeoutMs} ms; the screen said:\n${stripAnsi(output).slice(-500)}`)), frameTimeoutMs);
		terminal.onData((data) => {
			output += data;
			const match = stripAnsi(output).match(pattern);
			if (match) {
				finish(undefined, performance.now() - started, match[0]);
			}
		});
		terminal.onExit(({exitCode}) => setTimeout(() => finish(new Error(`exited with ${exitCode} before ${pattern}:\n${stripAnsi(output).slice(-500)}`)), 50));
	});
}

async function firstFrame() {
	const screens = new Set();
	const wizard = async () => {
		const {ms, seen} = await timeToText([cli], /Welcome|No keychain/);
		screens.add(seen);
		return ms;
	};
	const bare = async () => (await timeToText(['-e', "process.stdout.write('ready\\n')"], /ready/)).ms;
	const samples = await compare({runs: 9, warmups: 2}, wizard, bare);
	const note = `first screen: ${[...screens].join(', ')} (keychain state of this machine); baseline: node -e printing a line in the same kind of pty`;
	return ratioResult('firstFrame', 'first frame of the wizard (pty)', samples, {text: '≤ 2.5× bare node in a pty', met: (ratio) => ratio <= 2.5}, note);
}

// ─── the first frame, module by module ──────────────────────────────────────

/**
 * Where the first frame's time goes: the wizard of a readable build (same bundle, names and lines
 * kept, each module after a comment naming its file) runs under --cpu-prof in the same kind of
 * pty; the CPU samples taken before the frame appeared are charged to the module whose code ran
 * (a chunk's top-level code by the lines it spent them on), or to what Node did meanwhile.
 */
let readableBuild;

/** A readable build of the same bundle (esbuild's module comments kept, nothing minified), built once per run. */
async function readableBundle() {
	readableBuild ??= (async () => {
		const readable = path.join(work, 'readable');
		await runOk(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {env: {...process.env, SSO_SETUP_BUNDLE_DIR: path.join(readable, 'bundle'), SSO_SETUP_READABLE: '1'}, timeoutMs: 300_000});
		cpSync(path.join(root, 'flows'), path.join(readable, 'flows'), {recursive: true});
		return {readable, modulesOf: moduleLines(path.join(readable, 'bundle'))};
	})();
	return readableBuild;
}

async function firstFrameBreakdown() {
	const {readable, modulesOf} = await readableBundle();
	const runs = 5;
	const totals = new Map();
	let before = 0;
	for (let index = 0; index < runs; index++) {
		const profiles = path.join(work, `profile-${index}`);
		const {ms, frameAt} = await profiledFrame([`--cpu-prof`, `--cpu-prof-dir=${profiles}`, path.join(readable, 'bundle', 'cli.mjs')], /Welcome|No keychain/);
		before += ms;
		const [file] = readdirSync(profiles);
		for (const [what, us] of chargeSamples(JSON.parse(readFileSync(path.join(profiles, file), 'utf8')), frameAt, modulesOf)) {
			totals.set(what, (totals.get(what) ?? 0) + us / 1000 / runs);
		}
	}

	return {id: 'firstFrameBreakdown', runs, frameMs: Math.round(before / runs), ...cpuSummary(totals)};
}

/** CPU ms by what ran: their sum, and the largest of them. */
function cpuSummary(totals) {
	const cpuMs = Math.round([...totals.values()].reduce((sum, ms) => sum + ms, 0));
	return {cpuMs, largest: [...totals].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([what, ms]) => ({what, ms: Math.round(ms * 10) / 10}))};
}

function costTable({largest}) {
	return ['| ms | what |', '| --- | --- |', ...largest.map((entry) => `| ${entry.ms.toFixed(1)} | ${entry.what} |`)];
}

/** For each file of a readable bundle, the module each line belongs to (by esbuild's `// path` comments). */
function moduleLines(bundleDirectory) {
	const byUrl = new Map();
	for (const entry of readdirSync(bundleDirectory, {recursive: true, withFileTypes: true})) {
		if (!entry.isFile() || !/\.[cm]js$/.test(entry.name)) continue;
		const file = path.join(entry.parentPath ?? entry.path, entry.name);
		let current = `the bundle's own glue (${path.relative(bundleDirectory, file)})`;
		const lines = readFileSync(file, 'utf8').split('\n').map((line) => {
			const named = /^\/\/ ((?:node_modules\/)?\S+\.(?:[cm]?js|tsx?|json))$/.exec(line);
			if (named) current = moduleName(named[1]);
			return current;
		});
		byUrl.set(pathToFileURL(file).href, lines);
	}

	return byUrl;
}

/** A package by its name, sso-setup's own code by its folder. */
function moduleName(file) {
	const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
	if (dependency) return dependency[1];
	return file.startsWith('source/') ? `sso-setup ${path.dirname(file).replace(/^source\/?/, '') || file}` : file;
}

/** CPU microseconds by what ran, for the samples taken before `untilUs` (the monotonic clock the profile uses). */
function chargeSamples(profile, untilUs, modulesOf) {
	const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
	const charged = new Map();
	const charge = (what, us) => charged.set(what, (charged.get(what) ?? 0) + us);
	let at = profile.startTime;
	for (const [index, id] of profile.samples.entries()) {
		at += profile.timeDeltas[index];
		if (at > untilUs) break;
		const node = nodes.get(id);
		const {functionName, url, lineNumber} = node.callFrame;
		const us = profile.timeDeltas[index];
		const lines = modulesOf.get(url);
		if (functionName === '(idle)') continue;
		if (functionName === '(garbage collector)') charge('garbage collection', us);
		else if (url.startsWith('wasm://')) charge('yoga-layout', us);
		else if (lines && lineNumber === 0 && node.positionTicks?.length) {
			// A chunk's top-level code (its modules' own top levels): by the lines the ticks fell on.
			const ticks = node.positionTicks.reduce((sum, tick) => sum + tick.ticks, 0);
			for (const tick of node.positionTicks) charge(lines[tick.line - 1] ?? lines[0], (us * tick.ticks) / ticks);
		} else if (lines) charge(lines[Math.max(0, lineNumber)] ?? lines[0], us);
		else if (functionName === 'compileSourceTextModule' || /^node:internal\/modules\//.test(url) || /^(openFileHandle|read|fstat|close|internalModuleStat|realpath)$/.test(functionName)) charge('Node: loading the bundle (resolve, read, parse, link)', us);
		else if (url.startsWith('node:internal/bootstrap/realm') || functionName === 'compileForInternalLoader') charge("Node: loading its own modules (tty, net, stream, …)", us);
		else charge(url.startsWith('node:') ? 'Node: the rest of its own code' : `native: ${functionName || '(anonymous)'}`, us);
	}

	return charged;
}

/** The samples before `untilUs` as runs of one module each, in the order they ran (BENCH_TIMELINE=1). */
function sampleTimeline(profile, untilUs, modulesOf) {
	const segments = [];
	let at = profile.startTime;
	for (const [index, id] of profile.samples.entries()) {
		at += profile.timeDeltas[index];
		if (at > untilUs) break;
		const [[what] = ['(idle)']] = chargeSamples({...profile, samples: [id], timeDeltas: [0], startTime: 0}, 0, modulesOf);
		const last = segments.at(-1);
		if (last?.what === what) last.us += profile.timeDeltas[index];
		else segments.push({what, from: Math.round((at - profile.startTime) / 1000), us: profile.timeDeltas[index]});
	}

	return segments.filter((segment) => segment.us >= 300).map((segment) => `  ${segment.from} ms +${(segment.us / 1000).toFixed(1)} ${segment.what}`).join('\n');
}

/** Like timeToText, with node flags, and the monotonic time (µs) at which the text appeared; waits for the process to end (Ctrl+C). */
function profiledFrame(args, pattern) {
	return new Promise((resolve, reject) => {
		const env = Object.fromEntries(Object.entries({...childEnv, TERM: 'xterm-256color', NO_COLOR: undefined}).filter(([, value]) => value !== undefined));
		const started = performance.now();
		const terminal = spawnPty(process.execPath, args, {cols: 100, rows: 30, cwd: root, env});
		let output = '';
		let seen;
		const timer = setTimeout(() => {
			terminal.kill();
			reject(new Error(`no ${pattern} within ${frameTimeoutMs} ms; the screen said:\n${stripAnsi(output).slice(-500)}`));
		}, frameTimeoutMs);
		terminal.onData((data) => {
			output += data;
			if (!seen && pattern.test(stripAnsi(output))) {
				seen = {ms: performance.now() - started, frameAt: Number(process.hrtime.bigint() / 1000n)};
				// Ctrl+C: the wizard ends normally, and Node writes the profile.
				setTimeout(() => terminal.write('\u0003'), 200);
			}
		});
		terminal.onExit(() => {
			clearTimeout(timer);
			seen ? resolve(seen) : reject(new Error(`exited before ${pattern}:\n${stripAnsi(output).slice(-500)}`));
		});
	});
}

// ─── verify against delayed local servers ───────────────────────────────────

const bench = {clientId: 'harbor-bench', clientSecret: 'bench-client-secret', harborPassword: 'bench-admin-password'};
const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Every answer of the servers made through `delayedListener`: when the request arrived and when
 * its answer left, as the servers saw it.
 */
const answers = [];

/** A request listener that answers `delayMs` after `listener` has, recording each answer in `answers`. */
function delayedListener(listener) {
	return (request, response) => {
		const record = {start: performance.now(), startUs: Number(process.hrtime.bigint() / 1000n), end: Number.NaN, what: `${request.method} ${request.url?.split('?')[0]}`};
		const end = response.end.bind(response);
		response.end = (...args) => {
			setTimeout(() => {
				record.end = performance.now();
				answers.push(record);
				end(...args);
			}, delayMs);
			return response;
		};
		listener(request, response);
	};
}

/**
 * The floor of a run: the longest chain of answers that came one after the other (each request
 * arrived after the one before it in the chain had been answered), the sum of their times. A
 * client that spent no time of its own would take this long; requests sent at the same time
 * count once, the longest of them.
 */
function sequentialFloor(records) {
	const sorted = [...records].sort((a, b) => a.start - b.start);
	const chain = [];
	for (const [index, record] of sorted.entries()) {
		let before = 0;
		for (let earlier = 0; earlier < index; earlier++) {
			if (sorted[earlier].end <= record.start) before = Math.max(before, chain[earlier]);
		}

		chain.push(before + (record.end - record.start));
	}

	return Math.max(0, ...chain);
}

/** Runs the command, and the floor of the answers its servers gave meanwhile. */
function timeWithFloor(args, options) {
	return async () => {
		answers.length = 0;
		const spawned = performance.now();
		const result = await runOk(process.execPath, args, options);
		const firstAsked = Math.min(...answers.map((answer) => answer.start)) - spawned;
		const lastAnswered = Math.max(...answers.map((answer) => answer.end)) - spawned;
		if (process.env.BENCH_TIMELINE) {
			// Each request as the servers saw it, in ms after the spawn (for finding where the time goes).
			const lines = [...answers].sort((a, b) => a.start - b.start).map((answer) => `  ${Math.round(answer.start - spawned)}–${Math.round(answer.end - spawned)} ${answer.what}`);
			process.stderr.write(`bench: ${Math.round(result.ms)} ms in all\n${result.stderr}${lines.join('\n')}\n`);
		}

		return {ms: result.ms, floor: sequentialFloor(answers), answered: answers.length, firstAsked, afterLast: result.ms - lastAnswered, stdout: result.stdout};
	};
}

/** An HTTP server on 127.0.0.1 that answers every request `delayMs` after it has been read, with its `handle`. */
async function delayedServer() {
	const server = http.createServer(delayedListener((request, response) => {
		request.resume();
		request.on('end', () => {
			const answer = running.handle(request, new URL(request.url, running.origin));
			const body = answer.json === undefined ? '' : JSON.stringify(answer.json);
			response.writeHead(answer.status, {...(answer.json === undefined ? {} : {'content-type': 'application/json'}), ...answer.headers});
			response.end(body);
		});
	}));
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const running = {
		origin: `http://127.0.0.1:${server.address().port}`,
		handle: () => ({status: 503}),
		close() {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(resolve));
		},
	};
	return running;
}

/** The OpenID provider side: discovery, a token endpoint that refuses any code, and an authorize endpoint. */
function oidcHandler(issuer) {
	const metadata = {
		issuer,
		authorization_endpoint: `${issuer}/authorize`,
		token_endpoint: `${issuer}/token`,
		jwks_uri: `${issuer}/jwks`,
		response_types_supported: ['code'],
		subject_types_supported: ['public'],
		id_token_signing_alg_values_supported: ['RS256'],
		scopes_supported: ['openid', 'profile', 'email', 'offline_access', 'groups'],
		claims_supported: ['sub', 'preferred_username', 'name', 'email', 'groups'],
		token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		code_challenge_methods_supported: ['S256'],
	};
	return (request, url) => {
		if (url.pathname === '/.well-known/openid-configuration') {
			return {status: 200, json: metadata};
		}

		if (url.pathname === '/token' && request.method === 'POST') {
			return request.headers.authorization === basic(bench.clientId, bench.clientSecret)
				? {status: 400, json: {error: 'invalid_grant', error_description: 'grant request is invalid'}}
				: {status: 401, json: {error: 'invalid_client'}};
		}

		if (url.pathname === '/authorize') {
			const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://invalid/');
			back.searchParams.set('error', 'login_required');
			back.searchParams.set('state', url.searchParams.get('state') ?? '');
			return {status: 302, headers: {location: back.toString()}};
		}

		return {status: 404, json: {error: 'not_found'}};
	};
}

/** Just enough of Harbor's API for the app checks, already set to OIDC with the bench client. */
function harborHandler(harbor, issuer) {
	const config = {
		auth_mode: 'oidc_auth',
		oidc_endpoint: issuer,
		oidc_client_id: bench.clientId,
		oidc_scope: 'openid,profile,email,offline_access',
		oidc_verify_cert: true,
	};
	const routes = {
		'GET /api/v2.0/systeminfo': () => ({status: 200, json: {auth_mode: 'oidc_auth', harbor_version: 'v2.13.0-bench', external_url: harbor}}),
		'GET /api/v2.0/configurations': () => ({status: 200, json: Object.fromEntries(Object.entries(config).map(([key, value]) => [key, {value, editable: true}]))}),
		// A real Harbor reads the IdP's discovery document here; this one answers at once (after the delay).
		'POST /api/v2.0/system/oidc/ping': () => ({status: 200}),
		'GET /api/v2.0/users/current': () => ({status: 200, json: {user_id: 1, username: 'admin', sysadmin_flag: true}}),
		'GET /c/oidc/login': () => {
			const query = new URLSearchParams({client_id: bench.clientId, code_challenge: 'bench', code_challenge_method: 'S256', redirect_uri: `${harbor}/c/oidc/callback`, response_type: 'code', scope: 'openid profile email offline_access', state: 'bench'});
			return {status: 302, headers: {location: `${issuer}/authorize?${query}`}};
		},
	};
	return (request, url) => {
		const route = routes[`${request.method} ${url.pathname}`];
		if (!route) {
			return {status: 404, json: {errors: [{code: 'NOT_FOUND', message: 'not found'}]}};
		}

		if (url.pathname.startsWith('/api/') && request.headers.authorization !== basic('admin', bench.harborPassword)) {
			return {status: 401, json: {errors: [{code: 'UNAUTHORIZED', message: 'unauthorized'}]}};
		}

		return route();
	};
}

/** Target and floor of each run, alternated as compare() does: the floor is the run's own. */
async function compareWithFloor({runs, warmups}, target) {
	const samples = {target: [], baseline: [], answered: [], firstAsked: [], afterLast: []};
	for (let index = 0; index < warmups + runs; index++) {
		const run = await target();
		if (index >= warmups) {
			samples.target.push(run.ms);
			samples.baseline.push(run.floor);
			samples.answered.push(run.answered);
			samples.firstAsked.push(run.firstAsked);
			samples.afterLast.push(run.afterLast);
		}
	}

	return samples;
}

/** The bench's IdP and Harbor, and the verify command line that checks them (with `program` as the CLI). */
async function withVerifyServers(use) {
	const idp = await delayedServer();
	const harbor = await delayedServer();
	idp.handle = oidcHandler(idp.origin);
	harbor.handle = harborHandler(harbor.origin, idp.origin);
	try {
		const argsFor = (program) => [program, 'verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${idp.origin}`, '--set', `client_id=${bench.clientId}`, '--set', `app_url=${harbor.origin}`, '--json'];
		const env = {...childEnv, SSO_SETUP_CLIENT_SECRET: bench.clientSecret, SSO_SETUP_HARBOR_ADMIN_PASSWORD: bench.harborPassword};
		return await use({argsFor, env});
	} finally {
		await Promise.all([idp.close(), harbor.close()]);
	}
}

async function verify() {
	return withVerifyServers(async ({argsFor, env}) => {
		const args = argsFor(cli);
		const checked = await run(process.execPath, args, {env});
		const report = JSON.parse(checked.stdout || '{}');
		if (checked.code !== 0 || !report.ok) {
			throw new Error(`verify against the bench servers did not pass (exit ${checked.code}):\n${checked.stdout}${checked.stderr}`);
		}

		if (process.env.BENCH_COMPARE) {
			// Two builds, alternated run by run (for judging a change of a few ms on a noisy machine).
			const other = timeWithFloor(argsFor(process.env.BENCH_COMPARE), {env});
			const ours = timeWithFloor(args, {env});
			const both = await compare({runs: 21, warmups: 2}, async () => (await ours()).ms, async () => (await other()).ms);
			process.stderr.write(`bench: this build ${Math.round(median(both.target))} ms, ${process.env.BENCH_COMPARE} ${Math.round(median(both.baseline))} ms (medians of 21 alternated runs)\n`);
		}

		const samples = await compareWithFloor({runs: 9, warmups: 1}, timeWithFloor(args, {env}));
		const checks = report.checks.map((check) => `${check.id} ${check.status}`).join(', ');
		const overhead = Math.round(median(samples.target) - median(samples.baseline));
		const note = [
			`baseline: the slowest chain of this run's requests as the servers saw them (the longest chain of answers that came one after the other: ${Math.round(median(samples.baseline) / delayMs)} × ${delayMs} ms here, ${median(samples.answered)} requests in all)`,
			`${overhead} ms of the total is the process itself (start-up, flows, keychain probe, output)${bare.startMs === undefined ? '' : `, of which ${Math.round(bare.startMs)} ms is any node's own start-up (a bare node -e 0): a process that spent nothing else would take ${Math.round(median(samples.baseline) + bare.startMs)} ms, ${((median(samples.baseline) + bare.startMs) / median(samples.baseline)).toFixed(2)}× the chain`}`,
			`the first request reached a server ${Math.round(median(samples.firstAsked))} ms after the spawn, and the process ended ${Math.round(median(samples.afterLast))} ms after the last answer left`,
			`checks: ${checks}`,
		].join('; ');
		return ratioResult('verify', `verify oidc → harbor (${delayMs} ms per answer)`, samples, {text: '≤ 1.3× slowest chain', met: (ratio) => ratio <= 1.3}, note);
	});
}

/**
 * What verify's process does before its first request reaches a server, module by module (the
 * readable build under --cpu-prof, as for the first frame), and its CPU over the whole run.
 */
async function verifyBreakdown() {
	const {readable, modulesOf} = await readableBundle();
	return withVerifyServers(async ({argsFor, env}) => {
		const runs = 5;
		const before = new Map();
		const whole = new Map();
		let firstAsked = 0;
		for (let index = 0; index < runs; index++) {
			const profiles = path.join(work, `verify-profile-${index}`);
			answers.length = 0;
			const spawned = performance.now();
			await runOk(process.execPath, [`--cpu-prof`, `--cpu-prof-dir=${profiles}`, ...argsFor(path.join(readable, 'bundle', 'cli.cjs'))], {env});
			const first = answers.reduce((earliest, answer) => (answer.start < earliest.start ? answer : earliest));
			firstAsked += first.start - spawned;
			const [file] = readdirSync(profiles);
			const profile = JSON.parse(readFileSync(path.join(profiles, file), 'utf8'));
			if (process.env.BENCH_TIMELINE && index === runs - 1) process.stderr.write(`${sampleTimeline(profile, first.startUs, modulesOf)}\n`);
			for (const [totals, until] of [[before, first.startUs], [whole, Number.POSITIVE_INFINITY]]) {
				for (const [what, us] of chargeSamples(profile, until, modulesOf)) totals.set(what, (totals.get(what) ?? 0) + us / 1000 / runs);
			}
		}

		return {id: 'verifyBreakdown', runs, firstAskedMs: Math.round(firstAsked / runs), beforeFirstRequest: cpuSummary(before), wholeRun: cpuSummary(whole)};
	});
}

// ─── verify --sign-in against the fakes ─────────────────────────────────────

/**
 * The sign-in scenario of scripts/bench-sign-in.ts (the fakes of test/servers/), bundled for this
 * process. Files under test/ keep their own import.meta.url (the fakes find their contracts by it).
 */
async function loadSignInScenario() {
	const ownUrl = {
		name: 'own-import-meta-url',
		setup(builder) {
			builder.onLoad({filter: /[\\/]test[\\/].*\.ts$/}, async ({path: file}) => ({contents: (await readFile(file, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href)), loader: 'ts'}));
		},
	};
	const bundled = await build({absWorkingDir: root, entryPoints: [path.join(root, 'scripts', 'bench-sign-in.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', write: false, plugins: [ownUrl], logLevel: 'warning'});
	// Next to the project's node_modules, so that the fakes' dependencies resolve.
	const file = path.join(root, 'node_modules', `.bench-sign-in-${process.pid}.mjs`);
	writeFileSync(file, bundled.outputFiles[0].contents);
	try {
		return await import(pathToFileURL(file).href);
	} finally {
		rmSync(file, {force: true});
	}
}

/** Starts the fakes with every server they create answering `delayMs` late (recorded in `answers`). */
async function delayedScenario(start) {
	const createServer = http.createServer;
	http.createServer = (...args) => {
		const index = args.findIndex((arg) => typeof arg === 'function');
		if (index >= 0) args[index] = delayedListener(args[index]);
		return createServer(...args);
	};
	try {
		return await start();
	} finally {
		http.createServer = createServer;
	}
}

async function signIn() {
	const {startSignInScenario} = await loadSignInScenario();
	const scenario = await delayedScenario(startSignInScenario);
	try {
		const args = [cli, ...scenario.args];
		const env = {...childEnv, ...scenario.env};
		const checked = await run(process.execPath, args, {env});
		const report = JSON.parse(checked.stdout || '{}');
		if (checked.code !== 0 || report.signIn?.status !== 'passed' || scenario.problems().length > 0) {
			throw new Error(`verify --sign-in against the fakes did not pass (exit ${checked.code}):\n${checked.stdout}${checked.stderr}\n${scenario.problems().join('\n')}`);
		}

		const samples = await compareWithFloor({runs: 5, warmups: 1}, timeWithFloor(args, {env}));
		const overhead = Math.round(median(samples.target) - median(samples.baseline));
		const links = report.signIn.links.map((link) => `${link.id} ${link.status}`).join(', ');
		const note = [
			`baseline: the sum of the sequential round trips of this run (the longest chain of answers that came one after the other, as the fake authentik and Harbor saw them: ${Math.round(median(samples.baseline) / delayMs)} × ${delayMs} ms here, ${median(samples.answered)} requests in all, Harbor's own calls to authentik inside its answers)`,
			`${overhead} ms of the total is the process itself`,
			`the checks, then the sign-in: ${links}`,
		].join('; ');
		return ratioResult('signIn', `verify --sign-in authentik → harbor (${delayMs} ms per answer)`, samples, undefined, note);
	} finally {
		await scenario.close();
	}
}

// ─── install footprint ──────────────────────────────────────────────────────

function npm(args, cwd) {
	const options = {cwd, env: process.env, timeoutMs: 300_000};
	// Under `npm run`, npm_execpath is the npm that runs this script.
	const npmCli = process.env.npm_execpath;
	return npmCli?.endsWith('.js') ? runOk(process.execPath, [npmCli, ...args], options) : runOk('npm', args, options);
}

/** Bytes of all files under `folder` (apparent size, symbolic links not followed). */
function folderSize(folder) {
	let bytes = 0;
	for (const entry of readdirSync(folder, {withFileTypes: true, recursive: true})) {
		if (entry.isFile()) {
			bytes += lstatSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
		}
	}

	return bytes;
}

/** Package folders under node_modules, scoped and nested ones included. */
function packageFolders(nodeModules) {
	let names;
	try {
		names = readdirSync(nodeModules).filter((name) => !name.startsWith('.'));
	} catch {
		return [];
	}

	const folders = names.flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(nodeModules, name)).map((scoped) => path.join(nodeModules, name, scoped)) : [path.join(nodeModules, name)]));
	return folders.flatMap((folder) => [folder, ...packageFolders(path.join(folder, 'node_modules'))]);
}

async function footprint() {
	const packDir = path.join(work, 'pack');
	const installDir = path.join(work, 'install');
	mkdirSync(packDir);
	mkdirSync(installDir);
	const [packed] = JSON.parse((await npm(['pack', '--json', '--pack-destination', packDir], root)).stdout);
	const tarball = path.join(packDir, packed.filename);
	writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({name: 'sso-setup-bench-install', version: '0.0.0', private: true}));
	const installed = await npm(['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error', tarball], installDir);
	const nodeModules = path.join(installDir, 'node_modules');
	const packages = packageFolders(nodeModules).map((folder) => path.relative(nodeModules, folder).replaceAll(path.sep, '/'));
	const mb = {text: '≤ 5 MB ("a few MB, not tens")', met: (_ratio, value) => value <= 5 * 1024 * 1024};
	return [
		valueResult('tarball', 'npm pack tarball', packed.size, 'bytes', mb, `${packed.entryCount} files, ${formatBytes(packed.unpackedSize)} unpacked`),
		valueResult('installSize', 'production install (node_modules)', folderSize(nodeModules), 'bytes', mb, `npm install --omit=dev of the tarball, ${Math.round(installed.ms / 100) / 10} s here (network)`),
		valueResult('installPackages', 'packages installed', packages.length, 'count', undefined, packages.join(', ')),
	];
}

// ─── results ────────────────────────────────────────────────────────────────

function ratioResult(id, metric, samples, goal, note) {
	const value = median(samples.target);
	const baseline = median(samples.baseline);
	const ratio = value / baseline;
	return {id, metric, unit: 'ms', median: value, baseline, ratio, goal: goal?.text, met: goal ? goal.met(ratio, value) : undefined, runs: samples.target.length, samples, note};
}

function valueResult(id, metric, value, unit, goal, note) {
	return {id, metric, unit, median: value, goal: goal?.text, met: goal ? goal.met(undefined, value) : undefined, note};
}

function formatBytes(bytes) {
	return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

function format(value, unit) {
	if (value === undefined) return '–';
	if (unit === 'bytes') return formatBytes(value);
	if (unit === 'ms') return `${Math.round(value)} ms`;
	return String(value);
}

function rows(results) {
	return results.map((result) => [
		result.metric,
		format(result.median, result.unit),
		format(result.baseline, result.unit),
		result.ratio === undefined ? '–' : `${result.ratio.toFixed(2)}×`,
		result.goal ?? '–',
		result.met === undefined ? '' : result.met ? '✓' : '✗',
	]);
}

const header = ['metric', 'median', 'baseline', 'ratio', 'goal', ''];

function textTable(results) {
	const table = [header, ...rows(results)];
	const widths = header.map((_, column) => Math.max(...table.map((row) => row[column].length)));
	return table.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

function markdown(results, machine, breakdown, verifyBefore) {
	const line = (cells) => `| ${cells.join(' | ')} |`;
	return [
		'# sso-setup benchmark',
		'',
		`Measured by \`npm run bench\` on ${machine.date}: Node ${machine.node}, ${machine.cpu} × ${machine.cores} cores, ${machine.platform}, load average ${machine.load} at the start, ${machine.loadedRunLoad} during the loaded rows (a bounded CPU burner on one core), ${machine.endLoad} at the end. Medians; each baseline is measured in the same run, alternating with its target.`,
		'',
		line(header.map((cell) => cell || 'met')),
		line(header.map(() => '---')),
		...rows(results).map(line),
		'',
		...results.filter((result) => result.note).map((result) => `- **${result.metric}**${result.runs ? ` (${result.runs} runs)` : ''}: ${result.note}`),
		'',
		...(breakdown ? ['## The first frame, module by module', '', ...breakdownLines(breakdown), ''] : []),
		...(verifyBefore ? ['## verify before its first request, and over its whole run', '', ...verifyBreakdownLines(verifyBefore), ''] : []),
	].join('\n');
}

function machine() {
	const cpus = os.cpus();
	return {
		date: new Date().toISOString(),
		node: process.version,
		cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
		cores: cpus.length,
		platform: `${os.platform()} ${os.release()} ${os.arch()}`,
		// Other work on the machine shows in every figure; ratios suffer least.
		load: os.loadavg()[0].toFixed(2),
	};
}

// ─── a loaded machine ───────────────────────────────────────────────────────

const burnerLimitMs = 10 * 60_000;

/**
 * One process spinning on a core for at most `burnerLimitMs` (it ends by itself even if this
 * script dies): the same figures then show what a busy machine does to them.
 */
function startBurner() {
	const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${burnerLimitMs}; while (Date.now() < end) {}`], {stdio: 'ignore'});
	return {
		stop() {
			child.kill('SIGKILL');
		},
	};
}

const timed = [startup, firstFrame, checklist, verify, signIn];

async function measureAll(measures, label = '') {
	const results = [];
	for (const measure of measures) {
		process.stderr.write(`bench: ${measure.name}${label} …\n`);
		results.push(...[await measure()].flat().map((result) => (label ? {...result, id: `${result.id}Loaded`, metric: `${result.metric}${label}`} : result)));
	}

	return results;
}

/** `npm run bench -- verify signIn`: only these rows, printed and not written (for comparing builds while working). */
async function some(names) {
	const chosen = [...timed, footprint].filter((measure) => names.includes(measure.name));
	const results = await measureAll(chosen);
	const breakdown = names.includes('firstFrameBreakdown') ? await firstFrameBreakdown() : undefined;
	process.stdout.write(`\nload average ${machine().load} at the end (partial run: nothing written)\n\n${textTable(results)}\n\n`);
	for (const result of results.filter((entry) => entry.note)) {
		process.stdout.write(`- ${result.metric}: ${result.note}\n`);
	}

	if (breakdown) process.stdout.write(`\nThe first frame, module by module: ${breakdownLines(breakdown).join('\n')}\n`);
	if (names.includes('verifyBreakdown')) process.stdout.write(`\n${verifyBreakdownLines(await verifyBreakdown()).join('\n')}\n`);
}

function verifyBreakdownLines(breakdown) {
	return [
		`verify's first request reached a server ${breakdown.firstAskedMs} ms after the spawn (the readable build under --cpu-prof, ${breakdown.runs} runs). Before it, ${breakdown.beforeFirstRequest.cpuMs} ms of CPU went to:`,
		'',
		...costTable(breakdown.beforeFirstRequest),
		'',
		`Over the whole run, ${breakdown.wholeRun.cpuMs} ms of CPU went to:`,
		'',
		...costTable(breakdown.wholeRun),
	];
}

function breakdownLines(breakdown) {
	return [
		`${breakdown.cpuMs} ms of CPU before the first frame appeared (${breakdown.frameMs} ms after the spawn; a readable build of the same bundle under --cpu-prof, ${breakdown.runs} runs, the profiler slows everything a little). The largest costs, by the module whose code ran or what Node did meanwhile:`,
		'',
		...costTable(breakdown),
	];
}

async function main() {
	const info = machine();
	const results = await measureAll([...timed, footprint]);
	const burner = startBurner();
	let loadedAt;
	try {
		// Let the load average notice the burner before the loaded figures are taken.
		await new Promise((resolve) => setTimeout(resolve, 2000));
		loadedAt = os.loadavg()[0].toFixed(2);
		results.push(...(await measureAll(timed, ' (loaded: one core busy)')));
	} finally {
		burner.stop();
	}

	info.loadedRunLoad = loadedAt;
	process.stderr.write('bench: firstFrameBreakdown …\n');
	const breakdown = await firstFrameBreakdown();
	process.stderr.write('bench: verifyBreakdown …\n');
	const verifyBefore = await verifyBreakdown();
	info.endLoad = os.loadavg()[0].toFixed(2);

	const benchDir = path.join(root, 'bench');
	mkdirSync(benchDir, {recursive: true});
	writeFileSync(path.join(benchDir, 'results.json'), `${JSON.stringify({...info, delayMs, results, firstFrameBreakdown: breakdown, verifyBreakdown: verifyBefore}, null, 2)}\n`);
	writeFileSync(path.join(benchDir, 'RESULTS.md'), markdown(results, info, breakdown, verifyBefore));
	process.stdout.write(`\n${info.date} · Node ${info.node} · ${info.cpu} × ${info.cores} · load average ${info.load} at the start, ${info.loadedRunLoad} in the loaded run, ${info.endLoad} at the end\n\n${textTable(results)}\n\n`);
	for (const result of results.filter((entry) => entry.note)) {
		process.stdout.write(`- ${result.metric}: ${result.note}\n`);
	}

	process.stdout.write(`\nThe first frame, module by module: ${breakdownLines(breakdown).join('\n')}\n`);
	process.stdout.write(`\n${verifyBreakdownLines(verifyBefore).join('\n')}\n`);
}

try {
	await (process.argv.length > 2 ? some(process.argv.slice(2)) : main());
} finally {
	rmSync(work, {recursive: true, force: true});
}
