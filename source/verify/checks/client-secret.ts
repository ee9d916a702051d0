import {randomBytes} from 'node:crypto';
import * as z from 'zod';
import {isLoopback} from '../../core/hosts.js';
import type {HttpClient} from '../../core/http.js';
import {commandLine} from '../../core/command-line.js';
import type {ProviderMetadata} from '../../core/provider-metadata.js';
import type {CheckOutcome, DiscoveryCheck} from '../types.js';
import {redirectUriProbe} from './redirect-uri.js';
import {jsonOrUndefined, missingSecret, requireValues} from '../../core/check-outcome.js';
import type {VerifyContext} from '../context.js';
import {appName, idpName} from '../values.js';

type Method = 'client_secret_basic' | 'client_secret_post';
type Answer = {method: Method; status: number; error: string; description: string};

const errorBodySchema = z.object({error: z.string().optional(), error_description: z.string().optional()});

/**
 * The authorization-code probe (reference/idps.md, section D): a made-up code with the real client
 * credentials. The IdP authenticates the client first, so "invalid_grant" proves the secret and
 * "invalid_client" (or a 401) refutes it; nothing is created. Never client_credentials: it creates
 * a service account on authentik and cannot tell a wrong secret from a disabled grant on Keycloak.
 * Any other answer is compared with a deliberately wrong secret's (issue #14): refused there, the
 * real secret passed; the same answer means it says nothing about the secret, and the check is
 * inconclusive (a warning naming `verify --sign-in`, and the redirect URI when its probe could
 * not confirm it), never a failure.
 */
export const clientSecretCheck: DiscoveryCheck = {
	id: 'client-secret',
	title: 'Client secret',
	needsDiscovery: true,
	async run(context, metadata) {
		const required = requireValues(context.values, ['client_id', 'redirect_uri']);
		if ('outcome' in required) {
			return required.outcome;
		}

		const secret = await context.secret('client_secret');
		if (!secret) {
			return missingSecret('client_secret');
		}

		const {client_id: clientId, redirect_uri: redirectUri} = required.values;
		const tokenEndpoint = metadata.token_endpoint;
		const transport = endpointTransport(metadata.issuer, tokenEndpoint);
		if (transport.refuse) {
			return {status: 'fail', seen: transport.refuse, fix: 'Serve the token endpoint over https:// (check the IdP\'s public URL setting, which its discovery document is built from); sso-setup did not send the client secret.'};
		}

		const answers: Answer[] = [];
		// Like the apps' OAuth libraries (golang.org/x/oauth2 AuthStyleAutoDetect): basic first, then post.
		for (const method of methodsToTry(metadata.token_endpoint_auth_methods_supported)) {
			const answer = await probe(context.http, {tokenEndpoint, clientId, secret, redirectUri, method, secureOrigin: transport.secureOrigin});
			answers.push(answer);
			if (classify(answer) !== 'refused') {
				break;
			}
		}

		const last = answers.at(-1) as Answer;
		const kind = classify(last);
		// An answer that is not about the credentials is compared with a deliberately wrong secret's:
		// only an IdP that tells the two apart says anything about the secret (issue #14).
		const contrast =
			kind === 'grant-refused' || (kind === 'unclear' && last.status < 500)
				? await contrastWithWrongSecret(context, metadata, last, {tokenEndpoint, clientId, secret, redirectUri, secureOrigin: transport.secureOrigin})
				: undefined;
		// An IdP that refuses the client for an unregistered redirect URI: the refusal counts only once the redirect URI is confirmed.
		const redirect = kind === 'refused' && context.idp?.refusesClientForUnregisteredRedirect ? await redirectUriProbe(context, metadata) : undefined;
		const outcome = outcomeFor(answers, contrast, {tokenEndpoint, clientId, redirectUri, redirect}, context);
		return transport.note ? {...outcome, seen: `${outcome.seen} ${transport.note}`} : outcome;
	},
};

function methodsToTry(supported: string[] | undefined): Method[] {
	const methods = (['client_secret_basic', 'client_secret_post'] as const).filter((method) => !supported || supported.includes(method));
	return methods.length > 0 ? methods : ['client_secret_basic'];
}

/**
 * A client secret never goes over http:// when the issuer is https:// (a downgrade, loopback
 * included) nor to another machine; a token endpoint on another origin than the issuer is named.
 */
function endpointTransport(issuer: string, tokenEndpoint: string): {refuse?: string; note?: string; secureOrigin?: string} {
	const issuerUrl = new URL(issuer);
	const endpoint = new URL(tokenEndpoint);
	const secureOrigin = issuerUrl.protocol === 'https:' ? issuerUrl.origin : undefined;
	if (endpoint.protocol === 'http:' && secureOrigin) {
		return {refuse: `The discovery document of ${issuer} names a plain-HTTP token endpoint (${tokenEndpoint}): the client secret would travel unencrypted although the issuer uses https://.`};
	}

	if (endpoint.protocol === 'http:' && !isLoopback(endpoint.hostname)) {
		return {refuse: `The token endpoint ${tokenEndpoint} is plain HTTP on another machine: the client secret would travel unencrypted.`};
	}

	const note = endpoint.origin === issuerUrl.origin ? undefined : `Note: the token endpoint is on another origin (${endpoint.origin}) than the issuer (${issuerUrl.origin}).`;
	return {note, secureOrigin};
}

async function probe(http: HttpClient, probe: {tokenEndpoint: string; clientId: string; secret: string; redirectUri: string; method: Method; secureOrigin: string | undefined}): Promise<Answer> {
	const form: Record<string, string> = {
		grant_type: 'authorization_code',
		code: randomBytes(24).toString('base64url'),
		redirect_uri: probe.redirectUri,
	};
	const headers: Record<string, string> = {};
	if (probe.method === 'client_secret_basic') {
		headers['authorization'] = `Basic ${Buffer.from(`${formEncode(probe.clientId)}:${formEncode(probe.secret)}`).toString('base64')}`;
	} else {
		form['client_id'] = probe.clientId;
		form['client_secret'] = probe.secret;
	}

	const response = await http.request({method: 'POST', url: probe.tokenEndpoint, step: 'verify: client secret', form, headers, expect: 'any', ...(probe.secureOrigin ? {secureOrigin: probe.secureOrigin} : {})});
	const body = errorBodySchema.catch({}).parse(jsonOrUndefined(response.text));

	return {method: probe.method, status: response.status, error: body.error ?? '', description: body.error_description ?? ''};
}

/** RFC 6749 §2.3.1: the credentials are form-encoded before they go into the Basic header. */
function formEncode(value: string): string {
	return encodeURIComponent(value).replaceAll('%20', '+');
}

function classify(answer: Answer): 'accepted' | 'refused' | 'grant-refused' | 'unclear' {
	const text = `${answer.error} ${answer.description}`;
	// Pocket ID up to v2.9 answers {"error":"Invalid authorization code"}, Keycloak "Code not valid".
	if (answer.error === 'invalid_grant' || /invalid authorization code|code not valid/i.test(text)) {
		return 'accepted';
	}

	// Keycloak says unauthorized_client (and may change it: keycloak PR #49626), Pocket ID ≤2.9 a bare message: the 401 is what they share.
	if (answer.status === 401 || answer.error === 'invalid_client') {
		return 'refused';
	}

	if (answer.error === 'unauthorized_client' || answer.error === 'unsupported_grant_type') {
		return 'grant-refused';
	}

	return 'unclear';
}

/**
 * What a deliberately wrong secret gets: 'refused' (so the real one passed the client
 * authentication), 'same' (the answer does not depend on the secret) or 'different'; and the
 * redirect-URI probe's outcome, for an answer that may be about the redirect URI instead.
 */
type Contrast = {kind: 'refused' | 'same' | 'different'; wrong: Answer; redirect: CheckOutcome};

async function contrastWithWrongSecret(
	context: VerifyContext,
	metadata: ProviderMetadata,
	real: Answer,
	facts: {tokenEndpoint: string; clientId: string; secret: string; redirectUri: string; secureOrigin: string | undefined},
): Promise<Contrast> {
	let wrongSecret = `sso-setup-wrong-${randomBytes(18).toString('base64url')}`;
	while (wrongSecret === facts.secret) {
		wrongSecret = `sso-setup-wrong-${randomBytes(18).toString('base64url')}`;
	}

	const [wrong, redirect] = await Promise.all([probe(context.http, {...facts, secret: wrongSecret, method: real.method}), redirectUriProbe(context, metadata)]);
	const kind = classify(wrong) === 'refused' ? 'refused' : wrong.status === real.status && wrong.error === real.error ? 'same' : 'different';
	return {kind, wrong, redirect};
}

function describeAnswer(answer: Answer): string {
	return `HTTP ${answer.status} ${[answer.error, answer.description && `"${answer.description}"`].filter(Boolean).join(' ')}`.trim();
}

function outcomeFor(answers: Answer[], contrast: Contrast | undefined, facts: {tokenEndpoint: string; clientId: string; redirectUri: string; redirect: CheckOutcome | undefined}, context: VerifyContext): CheckOutcome {
	const {tokenEndpoint, clientId, redirectUri} = facts;
	const seen = `A made-up code sent to ${tokenEndpoint}: ${answers.map((answer) => `${answer.method} → ${describeAnswer(answer)}`).join('; ')}`;
	const answer = answers.at(-1) as Answer;
	const idp = idpName(context);
	const app = appName(context);
	const signIn = commandLine('verify --sign-in');
	const wrongSeen = contrast ? `A deliberately wrong secret gets ${describeAnswer(contrast.wrong)}` : '';
	if (contrast?.kind === 'same') {
		const redirectDoubt = contrast.redirect.status === 'pass' ? '' : ` The redirect-URI check could not confirm that "${redirectUri}" is registered, and an unregistered redirect URI can cause this answer.`;
		const causes = [
			...(contrast.redirect.status === 'pass' ? [] : [`that "${redirectUri}" is registered exactly for client "${clientId}" at ${idp}`]),
			...(classify(answer) === 'grant-refused' ? [`that client "${clientId}" may use the authorization code flow${context.idp?.codeFlowHow ? ` (${context.idp.codeFlowHow})` : ''}`] : []),
		];
		return {
			status: 'warn',
			seen: `${seen}. ${wrongSeen}, the same answer: it says nothing about the secret.${redirectDoubt}`,
			fix: `Inconclusive: run ${signIn} to know (a throw-away test user signs in through ${app}, which exchanges a real code with its own secret).${causes.length > 0 ? ` Meanwhile make sure ${causes.join(', and ')}.` : ''}`,
		};
	}

	switch (classify(answer)) {
		case 'accepted': {
			return {status: 'pass', seen: `${seen}. The client credentials were accepted.`};
		}

		case 'refused': {
			if (facts.redirect && facts.redirect.status !== 'pass') {
				return {
					status: 'warn',
					seen: `${seen}. ${idp} refused the client credentials, but it gives this answer whatever the secret while the redirect URI is not registered, and the redirect-URI check could not confirm "${redirectUri}": it says nothing about the secret.`,
					fix: `Inconclusive: first make sure "${redirectUri}" is registered exactly for client "${clientId}" at ${idp} (see the redirect URI check), then run ${commandLine('verify')} again, or ${signIn} to know.`,
				};
			}

			const note = context.idp?.refusedCredentialsNote ? ` ${context.idp.refusedCredentialsNote}` : '';
			return {
				status: 'fail',
				seen: `${seen}. ${idp} refused the client credentials.`,
				fix: `Copy the client secret of client "${clientId}" from ${idp} into ${app} again (and into sso-setup's client_secret), and check that the client ID is exactly "${clientId}".${note}`,
			};
		}

		case 'grant-refused': {
			const secretNote = contrast?.kind === 'refused' ? ` ${wrongSeen}: the secret itself was accepted.` : '';
			return {
				status: 'fail',
				seen: `${seen}. The client may not use the authorization code flow.${secretNote}`,
				fix: `Allow the authorization code flow for client "${clientId}" at ${idp}${context.idp?.codeFlowHow ? ` (${context.idp.codeFlowHow})` : ''}.`,
			};
		}

		case 'unclear': {
			if (contrast?.kind === 'refused') {
				return {status: 'pass', seen: `${seen}, which proves nothing on its own. ${wrongSeen}: the client credentials were accepted.`};
			}

			return {
				status: answer.status >= 500 ? 'fail' : 'warn',
				seen: `${seen}. This answer proves neither a right nor a wrong secret.${contrast ? ` ${wrongSeen}.` : ''}`,
				fix: answer.status >= 500 ? `Look at the logs of ${idp}: its token endpoint failed.` : `Inconclusive: run ${signIn} to know (a throw-away test user signs in through ${app}).`,
			};
		}
	}
}
