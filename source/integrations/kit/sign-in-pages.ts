import {redirectTarget} from '../../core/browser.js';
import type {HttpResponse} from '../../core/http.js';
import {printable} from '../../core/text.js';

/** Small pieces the sign-in sides of the IdPs and apps share (no integration is named here). */

/** The name every throw-away test user starts with (core/sign-in.ts TestUser). */
export const testUserPrefix = 'sso-setup-test-';

/** Only a name sso-setup gave is ever deleted by name. */
export function isTestUserName(name: string): boolean {
	return name.toLowerCase().startsWith(testUserPrefix);
}

/** What the app asked the IdP for, read from the authorization URL. */
export function authorizeRequest(url: string): {clientId: string; redirectUri: string} {
	const parameters = new URL(url).searchParams;
	return {clientId: parameters.get('client_id') ?? '', redirectUri: parameters.get('redirect_uri') ?? ''};
}

/** A URL for a sentence: origin and path only, so a code, a state or a token in the query never shows. */
export function describeUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return printable(`${parsed.origin}${parsed.pathname}`);
	} catch {
		return '(an address that is not a URL)';
	}
}

/**
 * What a browser sends as Accept for a page. The Browser's default also accepts JSON, and Keycloak
 * then answers some refusals (its "Deny access" step) with JSON instead of its error page.
 */
export const pageHeaders = {accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'} as const;

/** Where a redirect sends the browser when it leaves `origin` (the IdP's redirect back to the app), else undefined. */
export function redirectAway(response: HttpResponse, origin: string): string | undefined {
	const target = redirectTarget(response);
	return target && new URL(target).origin !== new URL(origin).origin ? target : undefined;
}
