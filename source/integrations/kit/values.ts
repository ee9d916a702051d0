import {UsageError} from '../../core/errors.js';
import {splitScopes} from '../../core/scopes.js';
import type {Values} from '../types.js';
import {commandLine} from '../../core/command-line.js';

/** Reading the session values and secrets an app integration needs, with errors that say which key. */

export function requireValue(values: Values, key: string, app: string): string {
	const value = values[key]?.trim();
	if (!value) {
		throw new UsageError(`${app}: the value "${key}" is missing.`, {
			hint: `Answer it in the wizard, or pass --set ${key}=… to ${commandLine('apply')}.`,
		});
	}

	return value;
}

/** "true"/"false" → boolean; absent → undefined. */
export function optionalBoolean(values: Values, key: string, app: string): boolean | undefined {
	const value = values[key]?.trim().toLowerCase();
	if (value === undefined || value === '') {
		return undefined;
	}

	if (value === 'true' || value === 'false') {
		return value === 'true';
	}

	throw new UsageError(`${app}: the value "${key}" must be true or false, not "${values[key]}".`);
}

export function optionalValue(values: Values, key: string): string | undefined {
	const value = values[key]?.trim();
	return value ? value : undefined;
}

/**
 * Scopes arrive joined with the app's separator, but people paste both forms (Portainer's own UI
 * suggests commas, Harbor wants them). Split on both, drop duplicates, make sure `openid` is there.
 */
export function scopeList(raw: string | undefined, fallback: readonly string[]): string[] {
	const given = splitScopes(raw ?? '');
	const scopes = given.length > 0 ? given : [...new Set(fallback)];
	return scopes.includes('openid') ? scopes : ['openid', ...scopes];
}

export function withoutTrailingSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

/** The app's base URL without a trailing slash; refused when it is not http(s). */
export function appBaseUrl(values: Values, app: string): string {
	const raw = requireValue(values, 'app_url', app);
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new UsageError(`${app}: app_url "${raw}" is not a URL.`, {hint: 'Give the address you open in the browser, e.g. https://harbor.example.com.'});
	}

	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new UsageError(`${app}: app_url "${raw}" must start with https:// (or http://).`);
	}

	return withoutTrailingSlash(url.toString());
}
