// Build step: validates the shipped flow files with the same loader as `--flows`, and returns them
// as data for the bundle. A broken shipped flow fails the build with the loader's own message.
import path from 'node:path';
import {compileCatalogue, type CompiledCatalogue} from '../source/core/flows/compiled.js';
import {loadCatalogue} from '../source/core/flows/load.js';
import {knownAutomation} from '../source/integrations/registry.js';

export function compileShippedFlows(packageRoot: string): CompiledCatalogue {
	return compileCatalogue(loadCatalogue([path.join(packageRoot, 'flows')], knownAutomation), packageRoot);
}
