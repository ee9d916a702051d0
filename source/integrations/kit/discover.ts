import {ClientError} from 'openid-client';
import {fetchProviderMetadata} from '../../core/discovery-fetch.js';
import {discoverySchema, discoveryUrl, type DiscoveryDocument} from '../../core/discovery.js';
import {RemoteError, SsoSetupError, UsageError} from '../../core/errors.js';
import type {IntegrationContext} from '../types.js';

/**
 * Fetches and validates the discovery document of `issuer`. The `issuer` it returns must equal the
 * one asked for byte for byte (authentik keeps its trailing slash, the others have none): apps
 * such as Harbor compare them as strings and refuse tokens otherwise.
 */
export async function discover(context: IntegrationContext, issuer: string, label = 'oidc'): Promise<DiscoveryDocument> {
	const step = `${label}: discovery`;
	const url = discoveryUrl(issuer);
	let server: URL;
	try {
		server = new URL(issuer);
	} catch {
		throw new UsageError(`${label}: the issuer "${issuer}" is not a URL.`, {hint: 'Give the issuer URL of the identity provider, starting with https://.'});
	}

	const host = server.host;
	let metadata: unknown;
	try {
		metadata = await fetchProviderMetadata(context.http, step, server, 'sso-setup-discovery');
	} catch (error) {
		throw discoveryError(error, {step, host, url, issuer});
	}

	const parsed = discoverySchema.safeParse(metadata);
	if (!parsed.success) {
		const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
		throw new RemoteError({host, step, reason: 'bad-discovery', message: `the discovery document at ${url} is incomplete (${problems.join('; ')})`, hint: 'Check that the issuer URL points at an OpenID Connect provider.'});
	}

	if (parsed.data.issuer !== issuer) {
		throw issuerMismatch({step, host, url, issuer, found: parsed.data.issuer});
	}

	return parsed.data;
}

type Where = {step: string; host: string; url: string; issuer: string};

function discoveryError(error: unknown, where: Where): Error {
	if (error instanceof SsoSetupError) {
		return error;
	}

	if (error instanceof ClientError && error.cause instanceof SsoSetupError) {
		return error.cause;
	}

	const {step, host, url} = where;
	const code = error instanceof ClientError ? error.code : undefined;
	const cause = error instanceof ClientError ? (error.cause as Record<string, unknown> | undefined) : undefined;
	if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
		const body = cause?.['body'] as Record<string, unknown> | undefined;
		return issuerMismatch({...where, found: String(body?.['issuer'] ?? '')});
	}

	if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && cause instanceof Response && cause.status >= 300 && cause.status < 400) {
		const location = cause.headers.get('location');
		return new RemoteError(
			{host, step, reason: 'redirect', status: cause.status, message: `${url} redirects to ${location && URL.canParse(location, url) ? new URL(location, url).toString() : (location ?? 'another address')} (HTTP ${cause.status})`, hint: 'Use the final address of the identity provider in the issuer (check http vs https, the host and the path).'},
			error,
		);
	}

	if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && cause instanceof Response && cause.status >= 500) {
		return new RemoteError(
			{host, step, reason: 'http-5xx', status: cause.status, message: `the identity provider failed to serve ${url} (HTTP ${cause.status})`, hint: `Look at the logs of the identity provider on ${host}, then run again.`},
			error,
		);
	}

	if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && cause instanceof Response) {
		return new RemoteError(
			{host, step, reason: `http-${cause.status}`, status: cause.status, message: `no discovery document at ${url} (HTTP ${cause.status})`, hint: 'Check the issuer URL: for authentik it ends with /application/o/<slug>/, for Keycloak with /realms/<realm>.'},
			error,
		);
	}

	if (code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
		return new RemoteError({host, step, reason: 'not-json', message: `the discovery document at ${url} is not JSON`, hint: `Check that ${host} is the identity provider and that no login page or proxy answers in its place.`}, error);
	}

	const message = error instanceof Error ? error.message : String(error);
	return new RemoteError({host, step, reason: 'bad-discovery', message: `the discovery document at ${url} could not be used (${message})`, hint: 'Check that the issuer URL points at an OpenID Connect provider.'}, error);
}

function issuerMismatch({step, host, url, issuer, found}: Where & {found: string}): RemoteError {
	return new RemoteError({
		host,
		step,
		reason: 'issuer-mismatch',
		message: `the discovery document at ${url} names the issuer "${found}", not "${issuer}"`,
		hint: 'Apps compare the issuer byte for byte (trailing slash included). Use the issuer exactly as the provider states it, and reach the provider through its public URL.',
	});
}
