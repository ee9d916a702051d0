// Bundles the CLI into bundle/cli.mjs and chunks loaded on demand (`npx sso-setup` then parses a few
// files instead of hundreds), and the program as installed, bundle/cli.cjs, which starts it.
import {mkdir, mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {build} from 'esbuild';
import {standingAloneRuns, widthRunsOf} from './string-width/table.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// For measuring (scripts/bench.mjs): SSO_SETUP_BUNDLE_DIR builds elsewhere, and SSO_SETUP_READABLE=1
// keeps names and one statement per line, each module after a comment naming its file.
const outdir = process.env.SSO_SETUP_BUNDLE_DIR ? path.resolve(process.env.SSO_SETUP_BUNDLE_DIR) : path.join(root, 'bundle');
const readable = process.env.SSO_SETUP_READABLE === '1';
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

/**
 * Ink measures every line with string-width, which builds an Intl.Segmenter and Unicode-property
 * regular expressions (RGI_Emoji among them) on import and compiles them on first use: about
 * 50 ms before the first frame. Each import of string-width gets scripts/string-width/lazy-width.js
 * instead, with a table of that copy's own answers for the characters that stand alone; the copy
 * itself is evaluated on the first string the table cannot measure.
 */
const lazyStringWidth = {
	name: 'lazy-string-width',
	setup(builder) {
		const lazyModule = path.join(root, 'scripts', 'string-width', 'lazy-width.js');
		let replaced = 0;
		builder.onEnd(() => {
			if (replaced === 0) throw new Error('lazy-string-width: nothing imported string-width; update or remove this plugin.');
		});
		builder.onResolve({filter: /^string-width$/}, async (args) => {
			if (args.pluginData?.real) return undefined;
			const real = await builder.resolve(args.path, {resolveDir: args.resolveDir, importer: args.importer, kind: args.kind, pluginData: {real: true}});
			return real.errors.length > 0 ? {errors: real.errors} : {path: real.path, namespace: 'lazy-string-width'};
		});
		builder.onLoad({filter: /.*/, namespace: 'lazy-string-width'}, async ({path: real}) => {
			const resolveDir = path.dirname(real);
			const stripAnsi = await builder.resolve('strip-ansi', {resolveDir, kind: 'import-statement'});
			if (stripAnsi.errors.length > 0) return {errors: stripAnsi.errors};
			const runs = (await widthRunsOf(real)).flat();
			replaced++;
			const contents = [
				`import stripAnsi from ${JSON.stringify(stripAnsi.path)};`,
				`import {lazyStringWidth} from ${JSON.stringify(lazyModule)};`,
				// require(): esbuild then evaluates that module (and what only it imports) when first called.
				`export default lazyStringWidth(${JSON.stringify(runs)}, stripAnsi, () => require(${JSON.stringify(real)}).default);`,
			].join('\n');
			return {contents, resolveDir, loader: 'js'};
		});
	},
};

/**
 * Ink's dependencies build an Intl.Segmenter when they are imported, and the first one of a process
 * loads ICU's break-iterator data (about 10 ms before the first frame). In the dependencies,
 * `new Intl.Segmenter(` builds scripts/string-width/lazy-segmenter.js's instead: the same segments,
 * ICU only for strings that need it.
 */
const lazyIntlSegmenter = {
	name: 'lazy-intl-segmenter',
	setup(builder) {
		const lazyModule = path.join(root, 'scripts', 'string-width', 'lazy-segmenter.js');
		let replaced = 0;
		builder.onEnd(() => {
			if (replaced === 0) throw new Error('lazy-intl-segmenter: no dependency builds an Intl.Segmenter; update or remove this plugin.');
		});
		builder.onResolve({filter: /^lazy-intl-segmenter$/}, () => ({path: 'lazy-intl-segmenter', namespace: 'lazy-intl-segmenter'}));
		builder.onLoad({filter: /.*/, namespace: 'lazy-intl-segmenter'}, () => ({
			contents: `import {lazySegmenterClass} from ${JSON.stringify(lazyModule)};\nexport const LazySegmenter = lazySegmenterClass(${JSON.stringify(standingAloneRuns().flat())});`,
			resolveDir: root,
			loader: 'js',
		}));
		builder.onLoad({filter: /[\\/]node_modules[\\/].*\.[cm]?js$/}, async ({path: file}) => {
			const text = await readFile(file, 'utf8');
			if (!text.includes('new Intl.Segmenter(')) return undefined;
			replaced++;
			return {contents: `import {LazySegmenter as __LazySegmenter} from "lazy-intl-segmenter";\n${text.replaceAll('new Intl.Segmenter(', 'new __LazySegmenter(')}`, loader: 'js'};
		});
	},
};

const shebang = '#!/usr/bin/env node';
// Bundled CommonJS dependencies expect these. Each file gets them, and files that do not use them
// lose them again below: creating a require() per chunk costs every run a few milliseconds.
const commonJsGlobals = [
	'import {createRequire as __cr} from "node:module"; import {fileURLToPath as __fu} from "node:url"; import {dirname as __dn} from "node:path";',
	'const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);',
].join('\n');

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
	...(readable ? {minifySyntax: true} : {minify: true}),
	legalComments: 'none',
	// The keychain module is a native addon: it stays a real dependency, loaded at run time.
	external: ['@napi-rs/keyring'],
	alias: {'react-devtools-core': stub},
	banner: {js: `${shebang}\n${commonJsGlobals}`},
	// The flows as one string literal that the module using it parses (JSON.parse is faster than an
	// object literal of the same size), inlined where it is used: an object here would be a module of
	// its own that every chunk initialises, and `--version` would evaluate it.
	define: {'process.env.NODE_ENV': '"production"', __SSO_SETUP_SHIPPED_FLOWS__: JSON.stringify(JSON.stringify(shippedFlows))},
	plugins: [zodNamespaceImport, yogaWithoutFetch, lazyStringWidth, lazyIntlSegmenter],
	metafile: true,
	write: false,
	logLevel: 'warning',
});

/**
 * The entry keeps its shebang; a file keeps the CommonJS globals only if its code names one of them
 * (a name in a string keeps them too, which costs nothing but the time saved).
 */
function withoutUnusedGlobals(file, text) {
	const banner = `${shebang}\n${commonJsGlobals}\n`;
	if (!text.startsWith(banner)) throw new Error(`build: ${file} does not start with the banner; update withoutUnusedGlobals.`);
	const code = text.slice(banner.length);
	const globals = /\b(?:require|__filename|__dirname)\b/.test(code) ? `${commonJsGlobals}\n` : '';
	return `${path.basename(file) === 'cli.mjs' ? `${shebang}\n` : ''}${globals}${code}`;
}

for (const output of result.outputFiles) {
	await mkdir(path.dirname(output.path), {recursive: true});
	await writeFile(output.path, output.path.endsWith('.mjs') ? withoutUnusedGlobals(output.path, output.text) : output.contents);
}

/**
 * The program as installed: a CommonJS file, which Node runs without starting its ES module loader.
 * It answers --version, --help and usage errors itself and imports bundle/cli.mjs for the rest.
 */
/** One source file and what it imports as one CommonJS file in bundle/. */
async function commonJsFile(entry, file, options) {
	return build({
		absWorkingDir: root,
		entryPoints: [path.join(root, 'source', ...entry)],
		outfile: path.join(outdir, file),
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		...(readable ? {minifySyntax: true} : {minify: true}),
		legalComments: 'none',
		metafile: true,
		logLevel: 'warning',
		...options,
	});
}

const launcher = await commonJsFile(['launcher.ts'], 'cli.cjs', {banner: {js: shebang}});

/**
 * verify's first requests as one CommonJS file that the launcher requires (source/commands/verify-early.ts):
 * they then leave before Node's ES module loader starts. What that code imports on demand (the
 * session store, YAML flows, openid-client) is never needed before those requests: each such
 * import() here fails instead, and the code it serves is left to the ES module bundle. Of the
 * dependencies, only two small ones (the state directory's paths) belong in it.
 */
const verifyEarlyDependencies = new Set(['env-paths', 'is-safe-filename']);
const frontOnly = {
	name: 'verify-early-front-only',
	setup(builder) {
		builder.onResolve({filter: /.*/}, (args) => {
			if (args.kind === 'dynamic-import' && !args.path.startsWith('node:')) {
				return {path: args.path, namespace: 'not-in-verify-early'};
			}

			return undefined;
		});
		builder.onLoad({filter: /.*/, namespace: 'not-in-verify-early'}, ({path: wanted}) => ({
			contents: `throw new Error(${JSON.stringify(`${wanted} is not part of verify's early requests`)});`,
			loader: 'js',
		}));
		builder.onEnd((built) => {
			const dependencies = Object.keys(built.metafile?.inputs ?? {}).filter((input) => {
				const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
				return name !== undefined && !verifyEarlyDependencies.has(name);
			});
			if (dependencies.length > 0) {
				throw new Error(`verify-early.cjs is loaded before verify's first requests and must stay small, but it now bundles: ${dependencies.join(', ')}`);
			}
		});
	},
};

const verifyEarly = await commonJsFile(['commands', 'verify-early.ts'], 'verify-early.cjs', {
	external: ['@napi-rs/keyring'],
	// The sources find their files from import.meta.url, which a CommonJS file has not.
	banner: {js: 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;'},
	define: {'import.meta.url': '__importMetaUrl', __SSO_SETUP_SHIPPED_FLOWS__: JSON.stringify(JSON.stringify(shippedFlows))},
	plugins: [frontOnly],
});

// Chunk names change with their content: without this, every earlier build's chunks would be
// published too (`files` ships the whole folder).
const written = new Set([result, launcher, verifyEarly].flatMap((built) => Object.keys(built.metafile.outputs)).map((file) => path.join(root, file)));
for (const entry of await readdir(outdir, {recursive: true, withFileTypes: true})) {
	const file = path.join(entry.parentPath ?? entry.path, entry.name);
	if (entry.isFile() && !written.has(file)) {
		await rm(file, {force: true});
	}
}

// What each chunk holds: `SSO_SETUP_METAFILE=/tmp/meta.json npm run build`, then esbuild's analyzer.
if (process.env.SSO_SETUP_METAFILE) {
	await writeFile(process.env.SSO_SETUP_METAFILE, JSON.stringify(result.metafile));
}
