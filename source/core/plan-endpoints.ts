import type {PlanChange, Values} from '../integrations/types.js';
import {isLoopback} from './hosts.js';

/**
 * The identity provider's URLs an app's plan writes (its issuer, or its authorization, token and
 * userinfo endpoints), reviewed before they reach the app: the app sends the client secret and
 * tokens there. Generic: a URL-valued row is the IdP's unless it is the app's own (its address or
 * redirect URI); a row on the issuer's origin is always the IdP's.
 */

export type PlainHttpEndpoint = {label: string; url: string; reason: string};

export type EndpointReview = {
	/** URLs that would carry the client secret or tokens over plain http://: apply refuses them unless allowed. */
	plainHttp: PlainHttpEndpoint[];
	/** Sentences for the plan: each of those, and each IdP URL on another origin than the issuer's. */
	warnings: string[];
};

export function reviewPlanEndpoints(changes: readonly PlanChange[], values: Values, appName: string): EndpointReview {
	const issuer = parsedUrl(values['issuer']);
	const own = [parsedUrl(values['app_url']), parsedUrl(values['redirect_uri'])].filter((url) => url !== undefined);
	const review: EndpointReview = {plainHttp: [], warnings: []};
	for (const change of changes) {
		const url = change.secret ? undefined : parsedUrl(change.to);
		if (!url || (url.origin !== issuer?.origin && own.some((app) => isUnder(url, app)))) {
			continue;
		}

		const reason = plainHttpReason(url, issuer, appName);
		if (reason) {
			review.plainHttp.push({label: change.label, url: change.to, reason});
			review.warnings.push(`${appName}'s ${change.label} ${change.to} uses plain http://: ${reason}.`);
		} else if (issuer && url.origin !== issuer.origin) {
			review.warnings.push(`${appName}'s ${change.label} ${change.to} is on another origin than the issuer (${issuer.origin}): ${appName} sends requests there, so check that it belongs to your identity provider.`);
		}
	}

	return review;
}

/** Why a plain http:// URL of the IdP puts the client secret at risk; undefined when it does not. */
function plainHttpReason(url: URL, issuer: URL | undefined, appName: string): string | undefined {
	if (url.protocol !== 'http:') {
		return undefined;
	}

	if (issuer?.protocol === 'https:') {
		return `the issuer ${issuer.origin} uses https://, so this is a downgrade (loopback included): the client secret and tokens ${appName} sends there would travel unencrypted`;
	}

	if (!isLoopback(url.hostname)) {
		return `${url.hostname} is not a loopback address, so the client secret and tokens ${appName} sends there would cross the network unencrypted, readable by anyone on the way`;
	}

	return undefined;
}

/** The app's own URL: the same origin and a path at or below the app's. */
function isUnder(url: URL, app: URL): boolean {
	const base = app.pathname.replace(/\/+$/, '');
	return url.origin === app.origin && (url.pathname === base || url.pathname.startsWith(`${base}/`));
}

function parsedUrl(text: string | undefined): URL | undefined {
	return text && /^https?:\/\//i.test(text) && URL.canParse(text) ? new URL(text) : undefined;
}

/** The sentence apply refuses with: each URL, and why. */
export function plainHttpRefusal(endpoints: readonly PlainHttpEndpoint[], appName: string): string {
	const items = endpoints.map((endpoint) => `${endpoint.label} ${endpoint.url} (${endpoint.reason})`);
	return `Refusing to write ${items.join('; ')} into ${appName}.`;
}
