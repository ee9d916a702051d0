import {requestDocumentEarly} from '../core/discovery-fetch.js';
import {verificationDiscoveryUrl} from '../core/discovery-url.js';
import {appFirstRequests as appFirstRequestsOf} from '../integrations/first-requests.js';
import type {IntegrationContext} from '../integrations/types.js';

/** How long the rest of verify waits for the first requests to leave (a keychain slow to give the app's password, say). */
const firstRequestsWaitMs = 50;

/**
 * Sends the requests a verification makes first (the provider's discovery document, and what the
 * app's checks read first), before the checks and their schemas load: the answers are on their way
 * while the rest of verify loads, and the checks' own requests take them. Best effort, and bounded:
 * a problem is for the checks to report.
 */
export async function sendFirstRequests(context: IntegrationContext, pair: {app: {automation?: string | undefined}}): Promise<void> {
	const sent = Promise.all([discoveryEarly(context), appFirstRequests(context, pair)]).catch(() => {});
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([sent, new Promise((resolve) => (timer = setTimeout(resolve, firstRequestsWaitMs)))]);
	clearTimeout(timer);
}

async function discoveryEarly(context: IntegrationContext): Promise<void> {
	const url = verificationDiscoveryUrl(context.values);
	if (url && URL.canParse(url)) {
		await requestDocumentEarly(context.http, 'verify: discovery', new URL(url));
	}
}

async function appFirstRequests(context: IntegrationContext, pair: {app: {automation?: string | undefined}}): Promise<void> {
	await appFirstRequestsOf(pair)?.(context);
}
