import {randomBytes} from 'node:crypto';
import {extractErrorDetail} from '../../core/http-errors.js';
import {commandLine} from '../../core/command-line.js';
import type {ProviderMetadata} from '../../core/provider-metadata.js';
import type {VerifyContext} from '../context.js';
import type {CheckOutcome, DiscoveryCheck} from '../types.js';
import {requireValues} from '../../core/check-outcome.js';
import {appName, idpName} from '../values.js';

/**
 * One authorization request with prompt=none, redirects not followed (reference/idps.md, section D):
 * a registered redirect URI gets a redirect back to it (error=login_required, no session made), an
 * unregistered one a 400 page or, on Pocket ID 2.10+, a redirect to /interaction/error.
 */
export const redirectUriCheck: DiscoveryCheck = {
	id: 'redirect-uri',
	title: 'Redirect URI registered',
	needsDiscovery: true,
	run: async (context, metadata) => redirectUriProbe(context, metadata),
};

const probes = new WeakMap<VerifyContext, Map<string, Promise<CheckOutcome>>>();

/**
 * The redirect-URI probe's outcome, sent once per verification run (the client-secret check reads
 * it too, to know whether the token endpoint's answer may be about the redirect URI).
 */
export async function redirectUriProbe(context: VerifyContext, metadata: ProviderMetadata): Promise<CheckOutcome> {
	const key = [metadata.authorization_endpoint, context.values['client_id'], context.values['redirect_uri']].join(' ');
	const runs = probes.get(context) ?? new Map<string, Promise<CheckOutcome>>();
	probes.set(context, runs);
	const known = runs.get(key);
	if (known) {
		return known;
	}

	const outcome = probeRedirectUri(context, metadata);
	runs.set(key, outcome);
	return outcome;
}

async function probeRedirectUri(context: VerifyContext, metadata: ProviderMetadata): Promise<CheckOutcome> {
	const required = requireValues(context.values, ['client_id', 'redirect_uri']);
	if ('outcome' in required) {
		return required.outcome;
	}

	const {client_id: clientId, redirect_uri: redirectUri} = required.values;
	const url = new URL(metadata.authorization_endpoint);
	const parameters = {client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: randomBytes(12).toString('base64url'), prompt: 'none'};
	for (const [name, value] of Object.entries(parameters)) {
		url.searchParams.set(name, value);
	}

	let response = await context.http.request({url: url.toString(), step: 'verify: redirect URI', expect: 'any', headers: {accept: 'text/html'}});
	// Dex hands the request on to its connector (/auth → /auth/{connector}), which is where it
	// checks the redirect URI: follow such hops below the authorization endpoint (at most two).
	for (let hop = 0; hop < 2 && isHandOff(response.status, response.headers['location'], url, redirectUri); hop++) {
		response = await context.http.request({url: new URL(response.headers['location'] as string, url).toString(), step: 'verify: redirect URI', expect: 'any', headers: {accept: 'text/html'}});
	}

	const location = response.headers['location'];
	const facts = {clientId, redirectUri, idp: idpName(context), app: appName(context)};
	if (response.status >= 300 && response.status < 400 && location) {
		return redirected(new URL(location, url).toString(), facts);
	}

	const detail = extractErrorDetail(response.text) ?? '';
	if (response.status === 400) {
		return refused(`HTTP 400${detail ? ` "${detail.slice(0, 160)}"` : ''}`, detail, facts);
	}

	if (response.status === 200) {
		return {
			status: 'warn',
			seen: `${metadata.authorization_endpoint} answered with a page (HTTP 200) instead of checking the redirect URI.`,
			fix: `Inconclusive: this IdP checks the redirect URI only after sign-in (Pocket ID up to v2.9 does). Make sure "${redirectUri}" is registered exactly for client "${clientId}" at ${facts.idp}, or run ${commandLine('verify --sign-in')} to know.`,
		};
	}

	return {
		status: response.status >= 500 || response.status === 404 ? 'fail' : 'warn',
		seen: `${metadata.authorization_endpoint} answered HTTP ${response.status}${detail ? ` "${detail.slice(0, 160)}"` : ''}${location ? '' : ', without sending the browser anywhere'}.`,
		fix:
			response.status === 404
				? 'The authorization endpoint published by the IdP does not exist: check the IdP version and its public URL.'
				: `Inconclusive: make sure "${redirectUri}" is registered exactly for client "${clientId}" at ${facts.idp} and look at its logs, or run ${commandLine('verify --sign-in')} to know.`,
	};
}

type Facts = {clientId: string; redirectUri: string; idp: string; app: string};

function redirected(location: string, facts: Facts): CheckOutcome {
	if (location.startsWith(facts.redirectUri)) {
		const error = new URL(location).searchParams.get('error');
		return {status: 'pass', seen: `The IdP sends the browser back to ${facts.redirectUri}${error ? ` (with error=${error}, as expected without a session)` : ''}.`};
	}

	if (new URL(location).pathname.endsWith('/interaction/error')) {
		const error = new URL(location).searchParams.get('error') ?? '';
		return refused(`a redirect to its error page${error ? ` "${error}"` : ''}`, error, facts);
	}

	return {
		status: 'warn',
		seen: `The IdP redirected to ${location.split('?')[0]}, not back to ${facts.redirectUri}.`,
		fix: `Inconclusive: the IdP wants a sign-in before it checks the redirect URI. Make sure "${facts.redirectUri}" is registered exactly for client "${facts.clientId}" at ${facts.idp}, or run ${commandLine('verify --sign-in')} to know.`,
	};
}

/** A redirect to a path below the authorization endpoint on the same origin, not to the redirect URI. */
function isHandOff(status: number, location: string | undefined, authorize: URL, redirectUri: string): boolean {
	if (status < 300 || status >= 400 || !location) {
		return false;
	}

	const next = new URL(location, authorize);
	return !next.toString().startsWith(redirectUri) && next.origin === authorize.origin && next.pathname.startsWith(`${authorize.pathname.replace(/\/$/, '')}/`);
}

function refused(answer: string, detail: string, facts: Facts): CheckOutcome {
	if (/client id error|client not found|client does not exist|invalid_client|unknown client|client is invalid/i.test(detail)) {
		return {
			status: 'fail',
			seen: `The IdP does not know client "${facts.clientId}": ${answer}.`,
			fix: `Use the client ID exactly as ${facts.idp} shows it, in ${facts.app} and in sso-setup's client_id.`,
		};
	}

	return {
		status: 'fail',
		seen: `The IdP refused the redirect URI ${facts.redirectUri} for client "${facts.clientId}": ${answer}.`,
		fix: `Register exactly "${facts.redirectUri}" as a redirect URI of client "${facts.clientId}" at ${facts.idp} (same scheme, host, port, path and final slash); this is the address ${facts.app} sends.`,
	};
}
