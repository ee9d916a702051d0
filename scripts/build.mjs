// Bundles the CLI into one ESM file: `npx sso-setup` then parses one file instead of hundreds.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Ink imports react-devtools-core only in development; the bundle must not look for it.
const stub = path.join(root, 'scripts', 'stubs', 'react-devtools-core.js');

await build({
	entryPoints: [path.join(root, 'source', 'cli.ts')],
	outdir: path.join(root, 'bundle'),
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
	define: {'process.env.NODE_ENV': '"production"'},
	logLevel: 'warning',
});
