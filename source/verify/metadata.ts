import * as z from 'zod';

/** The part of the OpenID provider metadata (OIDC Discovery 1.0 §3) that the checks use. */
export const providerMetadataSchema = z.object({
	issuer: z.string().min(1),
	authorization_endpoint: z.url(),
	token_endpoint: z.url(),
	userinfo_endpoint: z.url().optional(),
	end_session_endpoint: z.url().optional(),
	scopes_supported: z.array(z.string()).optional(),
	claims_supported: z.array(z.string()).optional(),
	token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
	code_challenge_methods_supported: z.array(z.string()).optional(),
});

export type ProviderMetadata = z.infer<typeof providerMetadataSchema> & {
	/** Where the document was read. */
	discoveryUrl: string;
};
