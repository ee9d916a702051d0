import {discoverySchema, discoveryUrl as issuerDiscoveryUrl} from '../../../core/discovery.js';
import {RemoteError} from '../../../core/errors.js';
import type {HttpClient} from '../../../core/http.js';
import type {Values} from '../../types.js';
import {parseAnswer} from '../../kit/http-advice.js';
import {optionalValue, requireValue} from '../../kit/values.js';

/**
 * The identity provider's endpoints for apps that want them one by one (Portainer): from the
 * discovery document when it can be read, else from the URLs the IdP flow derived.
 */

/** Only what the app is configured with; the other members are not checked. */
const endpointsSchema = discoverySchema.pick({issuer: true, authorization_endpoint: true, token_endpoint: true, userinfo_endpoint: true, end_session_endpoint: true});

export type IdpEndpoints = {
	authorize: string;
	token: string;
	userinfo: string;
	endSession?: string;
};

export function discoveryUrl(values: Values, app: string): string {
	return optionalValue(values, 'discovery_url') ?? issuerDiscoveryUrl(requireValue(values, 'issuer', app));
}

export async function idpEndpoints(http: HttpClient, values: Values, app: string): Promise<{endpoints: IdpEndpoints; warnings: string[]}> {
	const url = discoveryUrl(values, app);
	const step = `${app}: read the identity provider's discovery document`;
	try {
		const {body} = await http.json({url, step});
		const document = parseAnswer(endpointsSchema, body, {url, step, product: 'an OpenID Connect discovery document'});
		const userinfo = document.userinfo_endpoint ?? optionalValue(values, 'userinfo_url');
		if (!userinfo) {
			throw new RemoteError({
				host: new URL(url).host,
				step,
				reason: 'no-userinfo',
				message: 'the discovery document names no userinfo endpoint',
				hint: `${app} reads the user name from the userinfo endpoint: give its URL as userinfo_url.`,
			});
		}

		const warnings = document.issuer === values['issuer'] ? [] : [`The discovery document says the issuer is ${document.issuer}, not ${values['issuer'] ?? '(none given)'}: check the issuer URL.`];
		return {
			endpoints: {
				authorize: document.authorization_endpoint,
				token: document.token_endpoint,
				userinfo,
				...(document.end_session_endpoint ? {endSession: document.end_session_endpoint} : {}),
			},
			warnings,
		};
	} catch (error) {
		const fallback = fromValues(values);
		if (!(error instanceof RemoteError) || error.reason === 'no-userinfo' || !fallback) {
			throw error;
		}

		return {
			endpoints: fallback,
			warnings: [`The identity provider's discovery document could not be read (${error.message}); the endpoint URLs derived for this provider are used instead.`],
		};
	}
}

function fromValues(values: Values): IdpEndpoints | undefined {
	const authorize = optionalValue(values, 'authorize_url');
	const token = optionalValue(values, 'token_url');
	const userinfo = optionalValue(values, 'userinfo_url');
	const endSession = optionalValue(values, 'end_session_url');
	if (!authorize || !token || !userinfo) {
		return undefined;
	}

	return {authorize, token, userinfo, ...(endSession ? {endSession} : {})};
}
