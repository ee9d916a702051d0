import type {AppVerification, IdpVerification, IntegrationContext} from '../integrations/types.js';

/**
 * What a check works with: the session's context, plus what the two integrations say about
 * verification (absent for a side added with --flows and no code: then only generic checks run).
 */
export type VerifyContext = IntegrationContext & {app?: AppVerification; idp?: IdpVerification};
