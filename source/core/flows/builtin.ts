import path from 'node:path';
import {shippedFlowsDirectory} from '../paths.js';
import {type CompiledCatalogue, reviveCatalogue} from './compiled.js';
import type {Catalogue, KnownAutomation} from './load.js';

/** Set by the build (scripts/build.mjs) to the validated shipped flows; absent when run from source. */
declare const __SSO_SETUP_SHIPPED_FLOWS__: CompiledCatalogue | undefined;

/** The flows shipped with sso-setup: embedded in the bundle, or read from flows/ when run from source. */
export async function shippedCatalogue(known: KnownAutomation): Promise<Catalogue> {
	const directory = shippedFlowsDirectory();
	if (typeof __SSO_SETUP_SHIPPED_FLOWS__ !== 'undefined') {
		return reviveCatalogue(__SSO_SETUP_SHIPPED_FLOWS__, path.dirname(directory));
	}

	const {loadCatalogue} = await import('./load.js');
	return loadCatalogue([directory], known);
}
