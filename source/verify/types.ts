import type {CheckOutcome, CheckStatus} from '../core/check-outcome.js';
import type {ProviderMetadata} from '../core/provider-metadata.js';
import type {VerifyContext} from './context.js';

export type {CheckOutcome, CheckStatus} from '../core/check-outcome.js';

export const checkIds = ['discovery', 'issuer', 'scopes', 'client-secret', 'redirect-uri', 'app-config', 'way-back-in'] as const;
export type CheckId = (typeof checkIds)[number];

export type CheckResult = CheckOutcome & {id: CheckId; title: string};

/** A row of the in-progress view: the final statuses plus the two a spinner shows. */
export type CheckProgress = Omit<CheckResult, 'status'> & {status: CheckStatus | 'pending' | 'running'};

type CheckBase = {id: CheckId; title: string};

/** Runs once discovery has succeeded, with the provider metadata; skipped by the runner when discovery failed. */
export type DiscoveryCheck = CheckBase & {
	needsDiscovery: true;
	run(context: VerifyContext, metadata: ProviderMetadata): Promise<CheckOutcome>;
};

/** Starts at once; may await the metadata (undefined when discovery failed) for a comparison. */
export type IndependentCheck = CheckBase & {
	needsDiscovery: false;
	run(context: VerifyContext, discovery: Promise<ProviderMetadata | undefined>): Promise<CheckOutcome>;
};

export type Check = DiscoveryCheck | IndependentCheck;
