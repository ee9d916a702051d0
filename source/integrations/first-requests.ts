import {harborFirstRequests} from './app/harbor/first-requests.js';
import type {FirstRequests} from './types.js';

/**
 * The apps whose checks' first requests can be sent before the checks load (see FirstRequests),
 * by automation id. Imported as they are by verify's first part, not through the registry: they
 * are small, and loading one more module first would delay them.
 */
const byApp: Record<string, FirstRequests> = {
	harbor: harborFirstRequests,
};

/** The first requests of a pair's app checks (by its automation, as loadPairIntegrations picks the app), if it has any. */
export function appFirstRequests(pair: {app: {automation?: string | undefined}}): FirstRequests | undefined {
	return pair.app.automation ? byApp[pair.app.automation] : undefined;
}
