import path from 'node:path';
import {shippedFlowsDirectory} from '../paths.js';
import {type CompiledCatalogue, reviveCatalogue} from './compiled.js';
import type {Catalogue, KnownAutomation} from './load.js';

/** Set by the build (scripts/build.mjs) to the validated shipped flows as JSON; absent when run from source. */
declare const __SSO_SETUP_SHIPPED_FLOWS__: string | undefined;

/** The flows shipped with sso-setup: embedded in the bundle, or read from flows/ when run from source. */
export async function shippedCatalogue(known: KnownAutomation): Promise<Catalogue> {
	const directory = shippedFlowsDirectory();
	if (typeof __SSO_SETUP_SHIPPED_FLOWS__ !== 'undefined') {
		return reviveCatalogue(JSON.parse(__SSO_SETUP_SHIPPED_FLOWS__) as CompiledCatalogue, path.dirname(directory));
	}

	const {loadCatalogue} = await import('./load.js');
	return loadCatalogue([directory], known);
}
