// Dex built from the Go module proxy at the pseudo-version pinned in test/real-servers/go/dex/go.mod.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const id = 'dex';
const moduleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/real-servers/go/dex');
// v2.45.1 (its v2 tags are not valid versions for the module path github.com/dexidp/dex).
export const version = /github\.com\/dexidp\/dex (\S+)/.exec(readFileSync(path.join(moduleDir, 'go.mod'), 'utf8'))?.[1] ?? 'unknown';
export const tools = ['go'];

export function executable(dir) {
	return path.join(dir, 'dex');
}

export async function install({cacheDir, step, run}) {
	await step(`go build github.com/dexidp/dex/cmd/dex@${version}`, () =>
		run('go', ['build', '-trimpath', '-o', executable(cacheDir), 'github.com/dexidp/dex/cmd/dex'], {
			cwd: moduleDir,
			env: {GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
			what: 'building Dex (the Go module proxy refused a module, or the build broke)',
		}),
	);
	return {executable: executable(cacheDir)};
}
