import type {Field} from './flows/schema.js';
import {isLoopback} from './hosts.js';
import {splitScopes} from './scopes.js';
import {maxAnswerLength} from './session/answer-rules.js';
import {hasControlCharacters, maskUserInfo} from './text.js';

/** DNS limits (RFC 1035): a label is at most 63 characters, a name 253; port 0 reaches nothing. */
export function hostNameProblem(url: URL): string | undefined {
	if (url.port === '0') {
		return 'port 0 is not a port a server listens on';
	}

	if (url.hostname.length > 253) {
		return 'the host name is longer than 253 characters';
	}

	if (!url.hostname.startsWith('[') && url.hostname.split('.').some((label) => label.length > 63)) {
		return 'a part of the host name is longer than 63 characters';
	}

	return undefined;
}

/**
 * `fills`: values of other fields read from this answer (a pasted issuer's slug); `notice`: how the
 * answer will be saved, when that is not obvious from `value` alone.
 */
export type FieldCheck = {ok: true; value: string; warning?: string; fills?: Record<string, string>; notice?: string} | {ok: false; error: string};

/** The answers one checked field gives: its own value and the ones read from it. */
export function checkedAnswers(key: string, check: FieldCheck & {ok: true}): Record<string, string> {
	return {...check.fills, [key]: check.value};
}

/** Validates and normalises one answer as the user types it. Never throws. */
export function checkField(field: Field, raw: string, scopeSeparator: ',' | ' ' = ','): FieldCheck {
	const input = field.kind === 'secret' ? raw : raw.trim();
	if (input === '') {
		return field.optional ? {ok: true, value: ''} : {ok: false, error: `${field.label} is required.`};
	}

	if (input.length > maxAnswerLength) {
		return {ok: false, error: `${field.label} is too long (more than ${maxAnswerLength} characters).`};
	}

	switch (field.kind) {
		case 'url': {
			return checkUrl(field, input);
		}

		case 'scopes': {
			return checkScopes(input, scopeSeparator);
		}

		case 'boolean': {
			return checkBoolean(field, input);
		}

		case 'choice': {
			const choice = field.choices?.find((item) => item.value === input || item.label.toLowerCase() === input.toLowerCase());
			if (choice) {
				return {ok: true, value: choice.value};
			}

			return field.other ? checkText(field, input) : {ok: false, error: `${field.label} must be one of: ${field.choices?.map((item) => item.value).join(', ')}.`};
		}

		case 'text':
		case 'secret': {
			return checkText(field, input);
		}
	}
}

/** Free text (and a choice's typed other value): printable, no credentials in a URL, the flow's pattern. */
function checkText(field: Field, input: string): FieldCheck {
	if (hasControlCharacters(input)) {
		return {ok: false, error: `${field.label} contains control characters.`};
	}

	// Free-text endpoints (ovh_endpoint) too: a password in a URL ends up in files and logs.
	if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(input)) {
		return {ok: false, error: `${field.label} must not contain a user name or password (${maskUserInfo(input)}).`};
	}

	if (field.pattern && !new RegExp(field.pattern, 'u').test(input)) {
		return {ok: false, error: field.pattern_message ?? `${field.label} has an unexpected format.`};
	}

	return {ok: true, value: input};
}

export function normaliseUrl(input: string, trailingSlash: Field['trailing_slash'] = 'strip'): URL | undefined {
	// URL silently drops leading and trailing control characters (and the slash rule would then look at the wrong end).
	if (!/^https?:\/\//i.test(input) || /[\s\u0000-\u001F\u007F]/.test(input)) {
		return undefined;
	}

	try {
		const url = new URL(input);
		if (!url.hostname) {
			return undefined;
		}

		if (trailingSlash === 'strip') {
			url.pathname = url.pathname.replace(/\/+$/, '') || '/';
		} else if (trailingSlash === 'require' && !url.pathname.endsWith('/')) {
			url.pathname += '/';
		}

		return url;
	} catch {
		return undefined;
	}
}

/** URL#toString always writes "/" for an empty path; strip mode wants no trailing slash at all. */
export function formatUrl(url: URL, trailingSlash: Field['trailing_slash'] = 'strip'): string {
	const text = url.toString();
	return trailingSlash === 'strip' && url.pathname === '/' && !url.search && !url.hash ? text.replace(/\/$/, '') : text;
}

function checkUrl(field: Field, input: string): FieldCheck {
	if (hasControlCharacters(input)) {
		return {ok: false, error: `${field.label} contains control characters.`};
	}

	// "javascript:alert(1)", "mailto:…": another scheme, not a host name without one.
	if (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(input) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
		return {ok: false, error: `${field.label} must start with https:// or http://.`};
	}

	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
		return {ok: false, error: `${field.label} must be a full URL starting with https:// (for example https://${input.replace(/^\/+/, '').split('/')[0] || 'example.com'}).`};
	}

	if (!/^https?:\/\//i.test(input)) {
		return {ok: false, error: `${field.label} must start with https:// or http://.`};
	}

	const url = normaliseUrl(input, field.trailing_slash);
	if (!url) {
		return {ok: false, error: `${field.label} is not a valid URL.`};
	}

	if (url.username || url.password) {
		return {ok: false, error: `${field.label} must not contain a user name or password (${maskUserInfo(input)}).`};
	}

	const hostProblem = hostNameProblem(url);
	if (hostProblem) {
		return {ok: false, error: `${field.label}: ${hostProblem}.`};
	}

	// URL drops an empty query or fragment ("https://host?"), so look at what was typed too.
	if (url.search || url.hash || /[?#]/.test(input)) {
		return {ok: false, error: `${field.label} must not contain a query (?…) or fragment (#…).`};
	}

	const recognised = field.paths && url.pathname !== '/' ? recognisePath(field, url) : undefined;
	if (recognised && !recognised.ok) {
		return recognised;
	}

	if (!field.allow_path && url.pathname !== '/') {
		return {ok: false, error: `${field.label} must be the bare address, without a path (drop "${url.pathname}").`};
	}

	// URL always writes "/" for an empty path; keep means as typed, and an issuer without its slash must stay so.
	const typedSlash = input.endsWith('/');
	const value = recognised?.value ?? (field.trailing_slash === 'keep' && url.pathname === '/' && !typedSlash ? formatUrl(url, 'strip') : formatUrl(url, field.trailing_slash));
	const result: FieldCheck = recognised ?? {ok: true, value};
	if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
		return {...result, warning: `Plain http:// to ${url.hostname} sends tokens and passwords unencrypted${field.insecure_http ? `; ${field.insecure_http}` : ''}. Use https:// unless this is a lab.`};
	}

	return result;
}

/** A path the flow understands (`paths`): the base URL it stands for and the values read from it. */
function recognisePath(field: Field, url: URL): FieldCheck {
	for (const {pattern, what} of field.paths ?? []) {
		const groups = new RegExp(pattern, 'u').exec(url.pathname)?.groups;
		if (!groups) {
			continue;
		}

		const base = new URL(url.origin);
		base.pathname = groups['base_path'] ?? '/';
		const value = formatUrl(normaliseUrl(base.toString(), field.trailing_slash) ?? base, field.trailing_slash);
		const fills = Object.fromEntries(Object.entries(groups).filter((entry): entry is [string, string] => entry[0] !== 'base_path' && Boolean(entry[1])));
		const read = Object.entries(fills).map(([key, item]) => `${key} ${item}`);
		return {ok: true, value, fills, notice: `That is ${what}. Will be saved as ${value}${read.length > 0 ? ` (${read.join(', ')})` : ''}.`};
	}

	const understood = (field.paths ?? []).map((item) => item.what).join('; or ');
	return {ok: false, error: `${field.label}: the path "${url.pathname}" is not understood. Give the bare address (${url.origin}), or ${understood}.`};
}

export {splitScopes as normaliseScopes} from './scopes.js';

function checkScopes(input: string, separator: ',' | ' '): FieldCheck {
	const scopes = splitScopes(input);
	const invalid = scopes.find((scope) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope));
	if (invalid) {
		return {ok: false, error: `"${invalid}" is not a valid scope name.`};
	}

	if (!scopes.includes('openid')) {
		return {ok: false, error: 'The scopes must include openid.'};
	}

	const value = scopes.join(separator);
	const typedOther = separator === ',' ? /\s/.test(input.trim().replace(/\s*,\s*/g, ',')) : input.includes(',');
	return typedOther ? {ok: true, value, warning: `Scopes are ${separator === ',' ? 'comma' : 'space'}-separated for this app: saved as "${value}".`} : {ok: true, value};
}

function checkBoolean(field: Field, input: string): FieldCheck {
	const lower = input.toLowerCase();
	if (['y', 'yes', 'true', '1', 'on'].includes(lower)) {
		return {ok: true, value: 'true'};
	}

	if (['n', 'no', 'false', '0', 'off'].includes(lower)) {
		return {ok: true, value: 'false'};
	}

	return {ok: false, error: `${field.label} must be yes or no.`};
}

/** Secret fields by the contract's naming rule (design.md): never on the command line, never in files. */
export function isSecretKey(key: string): boolean {
	return /(_secret|_password|_token|_api_key)$/.test(key) || key === 'ovh_consumer_key' || key === 'ovh_application_secret';
}
