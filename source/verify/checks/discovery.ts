import {ClientError} from 'openid-client';
import {fetchProviderMetadata} from '../../core/discovery-fetch.js';
import {verificationDiscoveryUrl} from '../../core/discovery-url.js';
import {RemoteError} from '../../core/errors.js';
import {isLoopback} from '../../core/hosts.js';
import {skipped, type CheckOutcome} from '../../core/check-outcome.js';
import {providerMetadataSchema, type ProviderMetadata} from '../../core/provider-metadata.js';
import type {VerifyContext} from '../context.js';
import {appName, idpName} from '../values.js';

const step = 'verify: discovery';

/**
 * Reads the provider metadata over verified TLS. The issuer is deliberately not compared here
 * (openid-client would throw on a mismatch, and compares normalised URLs): the issuer check does it
 * byte for byte and names both strings.
 */
export async function discoverProvider(context: VerifyContext): Promise<{outcome: CheckOutcome; metadata?: ProviderMetadata}> {
	const {values} = context;
	const url = verificationDiscoveryUrl(values);
	if (!url) {
		return {outcome: skipped('Not checked: no issuer value (give it with --set issuer=…).', ['issuer'])};
	}

	let raw: unknown;
	try {
		raw = await fetchProviderMetadata(context.http, step, new URL(url), values['client_id'] || 'sso-setup-verify');
	} catch (error) {
		return {outcome: failure(url, error, context)};
	}

	const parsed = providerMetadataSchema.safeParse(raw);
	if (!parsed.success) {
		const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'document'))].join(', ');
		return {
			outcome: {
				status: 'fail',
				seen: `${url} answered, but the document is not valid provider metadata (${fields} missing or wrong).`,
				fix: `Check that the issuer points at ${idpName(context)}'s OpenID provider for this client, not at another page of the server.`,
			},
		};
	}

	const metadata = {...parsed.data, discoveryUrl: url};
	if (url.startsWith('http:') && !isLoopback(new URL(url).hostname)) {
		return {
			metadata,
			outcome: {
				status: 'warn',
				seen: `${url} answered over plain HTTP.`,
				fix: 'Serve the identity provider over HTTPS: sign-in codes, tokens and the client secret travel unencrypted otherwise.',
			},
		};
	}

	return {metadata, outcome: {status: 'pass', seen: `${url} answered${url.startsWith('https:') ? ' over verified TLS' : ''}.`}};
}

function failure(url: string, error: unknown, context: VerifyContext): CheckOutcome {
	const cause = error instanceof ClientError ? error.cause : error;
	if (cause instanceof RemoteError) {
		const what = cause.message.startsWith(`${cause.step}: `) ? cause.message.slice(cause.step.length + 2) : cause.message;
		return {status: 'fail', seen: `Could not read ${url}: ${what}.`, fix: transportFix(cause, context)};
	}

	if (cause instanceof Response) {
		const location = cause.headers.get('location');
		const answer = location ? `HTTP ${cause.status} redirecting to ${location}` : `HTTP ${cause.status}, content-type ${cause.headers.get('content-type') ?? 'none'}`;
		return {
			status: 'fail',
			seen: `${url} did not answer with provider metadata (${answer}).`,
			fix: `${location ? 'Use the final URL in the issuer (check http vs https and the host). ' : ''}${issuerShapeHint(context)}`,
		};
	}

	const detail = error instanceof Error ? error.message : String(error);
	return {status: 'fail', seen: `${url} did not answer with provider metadata (${detail}).`, fix: issuerShapeHint(context)};
}

function issuerShapeHint(context: VerifyContext): string {
	return context.idp?.issuerShape ?? 'Check the issuer URL: the provider metadata must be at <issuer>/.well-known/openid-configuration.';
}

function transportFix(error: RemoteError, context: VerifyContext): string {
	const app = appName(context);
	switch (error.reason) {
		case 'tls-self-signed':
		case 'tls-unknown-ca': {
			const what = error.reason === 'tls-self-signed' ? "the IdP's self-signed certificate" : "the certificate authority that signed the IdP's certificate";
			return `Trust ${what}: set the ca_file value (or NODE_EXTRA_CA_CERTS) to its PEM file. ${context.app?.trustPrivateCa ?? `${app} must trust it too.`} A certificate from a public CA avoids both.`;
		}

		case 'tls-expired': {
			return `Renew the IdP's certificate. Turning certificate verification off in ${app} would hide the problem and let anyone on the network pose as the IdP.`;
		}

		case 'tls-wrong-host': {
			return 'Use the host name the certificate was issued for in the issuer URL, or reissue the certificate with this host name.';
		}

		default: {
			return error.hint ?? `Check that ${error.host} is reachable from this machine and from ${app}.`;
		}
	}
}
