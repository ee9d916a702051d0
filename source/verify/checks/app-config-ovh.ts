import type {IntegrationContext} from '../../integrations/types.js';
import type {CheckOutcome} from '../types.js';
import {skipped} from '../values.js';

/** TODO: read GET /cloud/project/{service}/containerRegistry/{registry}/openIdConnect once source/integrations/app/ovh-signing.ts exists. */
export async function ovhAppConfig(_context: IntegrationContext): Promise<CheckOutcome> {
	return skipped('Not checked yet: reading the OVHcloud registry\'s OIDC settings back is not available in this version.');
}
