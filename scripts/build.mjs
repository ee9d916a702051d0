// Bundles the CLI into bundle/cli.mjs and chunks loaded on demand: `npx sso-setup` then parses a few files instead of hundreds.
import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {build} from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = path.join(root, 'bundle');
// Ink imports react-devtools-core only in development; the bundle must not look for it.
const stub = path.join(root, 'scripts', 'stubs', 'react-devtools-core.js');
const sources = path.join(root, 'source') + path.sep;

/**
 * `import {z} from 'zod'` hands esbuild zod's namespace as one value, so all of zod (every locale
 * included, ~450 KB) lands in the bundle; `import * as z` lets it keep only what is used (~85 KB).
 * Same module, same members: a no-op once the sources import it that way.
 */
const zodNamespaceImport = {
	name: 'zod-namespace-import',
	setup(builder) {
		builder.onLoad({filter: /\.tsx?$/}, async ({path: file}) => {
			if (!file.startsWith(sources)) {
				return undefined;
			}

			const text = await readFile(file, 'utf8');
			return {contents: text.replace(/^import \{z\} from 'zod';$/gm, "import * as z from 'zod';"), loader: file.endsWith('.tsx') ? 'tsx' : 'ts'};
		});
	},
};

/**
 * The shipped flows, validated now and embedded as data: a run then parses no YAML and builds no
 * schema. A broken shipped flow stops the build with the same message `--flows` would give.
 */
async function compileShippedFlows() {
	const compiler = await build({
		absWorkingDir: root,
		entryPoints: [path.join(root, 'scripts', 'compile-flows.ts')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		write: false,
		external: ['@napi-rs/keyring'],
		alias: {'react-devtools-core': stub},
		banner: {js: 'import {createRequire as __cr} from "node:module"; const require = __cr(import.meta.url);'},
		logLevel: 'warning',
	});
	const scratch = await mkdtemp(path.join(os.tmpdir(), 'sso-setup-build-'));
	try {
		const file = path.join(scratch, 'compile-flows.mjs');
		await writeFile(file, compiler.outputFiles[0].contents);
		const {compileShippedFlows: compile} = await import(pathToFileURL(file).href);
		try {
			return compile(root);
		} catch (error) {
			const hint = error?.hint ? `\n${error.hint}` : '';
			console.error(`build: the shipped flows are not valid.\n${error instanceof Error ? error.message : String(error)}${hint}`);
			process.exit(1);
		}
	} finally {
		await rm(scratch, {recursive: true, force: true});
	}
}

const shippedFlows = await compileShippedFlows();

/**
 * Ink's layout engine (yoga) ships its WebAssembly as a base64 data: URL and, wherever a global
 * fetch exists, "downloads" it through fetch: on Node that loads undici (~30 ms) before the first
 * frame. Its own fallback decodes the same bytes synchronously; make it take that path.
 */
const yogaWithoutFetch = {
	name: 'yoga-without-fetch',
	setup(builder) {
		let patched = false;
		builder.onEnd(() => {
			if (!patched) throw new Error('yoga-without-fetch: yoga-layout\'s binary module was not bundled; update or remove this plugin.');
		});
		builder.onLoad({filter: /yoga-layout[\\/]dist[\\/]binaries[\\/].*\.js$/}, async ({path: file}) => {
			const text = await readFile(file, 'utf8');
			const patchedText = text.replaceAll('"function"!=typeof fetch', 'true');
			if (patchedText === text) {
				throw new Error(`yoga-without-fetch: ${file} no longer looks for fetch the expected way; update or remove this plugin.`);
			}

			patched = true;
			return {contents: patchedText, loader: 'js'};
		});
	},
};

const result = await build({
	absWorkingDir: root,
	entryPoints: [path.join(root, 'source', 'cli.ts')],
	outdir,
	entryNames: '[name]',
	// The wizard, the integrations and verification load on demand: `--version` or `checklist` parse
	// only what they need.
	splitting: true,
	chunkNames: 'chunks/[name]-[hash]',
	outExtension: {'.js': '.mjs'},
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	jsx: 'automatic',
	minify: true,
	legalComments: 'none',
	// The keychain module is a native addon: it stays a real dependency, loaded at run time.
	external: ['@napi-rs/keyring'],
	alias: {'react-devtools-core': stub},
	banner: {
		js: [
			"#!/usr/bin/env node",
			// Bundled CommonJS dependencies expect these.
			"import {createRequire as __cr} from \"node:module\"; import {fileURLToPath as __fu} from \"node:url\"; import {dirname as __dn} from \"node:path\";",
			"const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
		].join("\n"),
	},
	define: {'process.env.NODE_ENV': '"production"', __SSO_SETUP_SHIPPED_FLOWS__: JSON.stringify(shippedFlows)},
	plugins: [zodNamespaceImport, yogaWithoutFetch],
	metafile: true,
	logLevel: 'warning',
});

// Chunk names change with their content: without this, every earlier build's chunks would be
// published too (`files` ships the whole folder).
const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.join(root, file)));
for (const entry of await readdir(outdir, {recursive: true, withFileTypes: true})) {
	const file = path.join(entry.parentPath ?? entry.path, entry.name);
	if (entry.isFile() && !written.has(file)) {
		await rm(file, {force: true});
	}
}
