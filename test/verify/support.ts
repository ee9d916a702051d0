import type {HttpOptions} from '../../source/core/http.js';
import {runVerification} from '../../source/verify/run.js';
import {checkIds, type CheckId, type CheckResult} from '../../source/verify/types.js';
import {memoryContext} from '../helpers/context.js';
import type {RunningOp} from '../servers/oidc-op.js';

export const redirectUri = 'https://harbor.example.test/c/oidc/callback';
export const clientSecret = 'right-secret-0123456789';

/** The values of a Harbor ↔ generic OIDC session pointing at a running provider; override any. */
export function harborValues(op: RunningOp, overrides: Record<string, string> = {}): Record<string, string> {
	return {
		app: 'harbor',
		idp: 'oidc',
		issuer: op.issuer,
		client_id: 'harbor',
		scopes: 'openid,profile,email,groups,offline_access',
		scope_separator: ',',
		redirect_uri: redirectUri,
		username_claim: 'preferred_username',
		groups_claim: 'groups',
		...overrides,
	};
}

export async function verify(values: Record<string, string>, secrets: Record<string, string> = {client_secret: clientSecret}, httpOptions: HttpOptions = {timeoutMs: 5000}) {
	const results = await runVerification(memoryContext(values, secrets, httpOptions));
	return {results, byId: (id: CheckId) => results.find((result) => result.id === id) as CheckResult, statuses: Object.fromEntries(results.map((result) => [result.id, result.status]))};
}

/** [id, status] of every check when all pass, in the order of the results. */
export const allPassing = checkIds.map((id) => [id, 'pass']);
