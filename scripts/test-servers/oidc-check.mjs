// oidc-check: our small Go helper (test/real-servers/go/oidc-check) built against go-oidc at the
// version Harbor pins; the fake Harbor's POST /api/v2.0/system/oidc/ping runs it as Harbor runs
// go-oidc's NewProvider.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const id = 'oidc-check';
const moduleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/real-servers/go/oidc-check');
export const version = `go-oidc-${/github\.com\/coreos\/go-oidc\/v3 (\S+)/.exec(readFileSync(path.join(moduleDir, 'go.mod'), 'utf8'))?.[1] ?? 'unknown'}`;
export const tools = ['go'];

export function executable(dir) {
	return path.join(dir, 'oidc-check');
}

export async function install({cacheDir, step, run}) {
	await step(`go build oidc-check (${version})`, () =>
		run('go', ['build', '-trimpath', '-o', executable(cacheDir), '.'], {
			cwd: moduleDir,
			env: {GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
			what: 'building oidc-check (the Go module proxy refused a module, or the build broke)',
		}),
	);
	return {executable: executable(cacheDir)};
}
