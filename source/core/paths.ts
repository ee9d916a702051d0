import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import envPaths from 'env-paths';

/** The only place that decides where state lives: $SSO_SETUP_HOME, else the platform config dir. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const override = env['SSO_SETUP_HOME'];
	if (override && override.trim() !== '') {
		return path.resolve(override);
	}

	return envPaths('sso-setup', {suffix: ''}).config;
}

export function sessionsDirectory(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(stateDirectory(env), 'sessions');
}

/**
 * The flow files shipped with the package. The bundle lives in `bundle/` (`cli.cjs`, `cli.mjs` and
 * `chunks/`) and the sources in `source/core/paths.ts`; both find `flows/` by walking up from their
 * own location.
 */
export function shippedFlowsDirectory(moduleUrl: string = import.meta.url): string {
	let directory = path.dirname(fileURLToPath(moduleUrl));
	for (let depth = 0; depth < 4; depth++) {
		const candidate = path.join(directory, 'flows');
		if (existsSync(path.join(candidate, 'apps'))) {
			return candidate;
		}

		directory = path.dirname(directory);
	}

	throw new Error(`The flow files shipped with sso-setup were not found near ${fileURLToPath(moduleUrl)}.`);
}
