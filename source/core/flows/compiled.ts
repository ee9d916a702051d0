import path from 'node:path';
import type {Catalogue} from './load.js';
import type {AppFlow, IdpFlow, PairFlow} from './schema.js';

/**
 * The shipped catalogue as plain data. The build validates the shipped flow files and embeds
 * this, so a run reads no YAML and builds no schema unless `--flows` brings files of its own.
 * Sources are kept relative to the package, so messages still name the shipped file.
 */
export type CompiledCatalogue = {
	idps: IdpFlow[];
	apps: AppFlow[];
	pairs: PairFlow[];
	sources: Array<[key: string, relativeFile: string]>;
};

export function compileCatalogue(catalogue: Catalogue, packageRoot: string): CompiledCatalogue {
	return {
		idps: [...catalogue.idps.values()],
		apps: [...catalogue.apps.values()],
		pairs: [...catalogue.pairs.values()],
		sources: [...catalogue.sources].map(([key, file]) => [key, path.relative(packageRoot, file)]),
	};
}

export function reviveCatalogue(data: CompiledCatalogue, packageRoot: string): Catalogue {
	return {
		idps: new Map(data.idps.map((flow) => [flow.id, flow])),
		apps: new Map(data.apps.map((flow) => [flow.id, flow])),
		pairs: new Map(data.pairs.map((flow) => [`${flow.idp}+${flow.app}`, flow])),
		sources: new Map(data.sources.map(([key, file]) => [key, path.join(packageRoot, file)])),
	};
}
