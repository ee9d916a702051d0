import * as z from 'zod';

export {discoveryUrl} from './discovery-url.js';

/** The provider metadata fields (OIDC Discovery 1.0 §3) sso-setup reads; other members are kept as they come. */
export const discoverySchema = z.looseObject({
	issuer: z.string().min(1),
	authorization_endpoint: z.string().min(1),
	token_endpoint: z.string().min(1),
	userinfo_endpoint: z.string().optional(),
	end_session_endpoint: z.string().optional(),
	jwks_uri: z.string().optional(),
	scopes_supported: z.array(z.string()).optional(),
	claims_supported: z.array(z.string()).optional(),
	code_challenge_methods_supported: z.array(z.string()).optional(),
	grant_types_supported: z.array(z.string()).optional(),
	response_types_supported: z.array(z.string()).optional(),
	token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
	id_token_signing_alg_values_supported: z.array(z.string()).optional(),
});

export type DiscoveryDocument = z.infer<typeof discoverySchema>;
