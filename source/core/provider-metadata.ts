import * as z from 'zod';
import {discoverySchema} from './discovery.js';

/** The part of the provider metadata that the checks use; the endpoints they call must be URLs. */
export const providerMetadataSchema = z.object({
	...discoverySchema.pick({
		issuer: true,
		scopes_supported: true,
		claims_supported: true,
		grant_types_supported: true,
		token_endpoint_auth_methods_supported: true,
		code_challenge_methods_supported: true,
	}).shape,
	authorization_endpoint: z.url(),
	token_endpoint: z.url(),
	userinfo_endpoint: z.url().optional(),
	end_session_endpoint: z.url().optional(),
});

export type ProviderMetadata = z.infer<typeof providerMetadataSchema> & {
	/** Where the document was read. */
	discoveryUrl: string;
};
