import type {IntegrationContext} from '../integrations/types.js';
import type {ProviderMetadata} from './metadata.js';

export const checkIds = ['discovery', 'issuer', 'scopes', 'client-secret', 'redirect-uri', 'app-config', 'way-back-in'] as const;
export type CheckId = (typeof checkIds)[number];

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export type CheckResult = {
	id: CheckId;
	title: string;
	status: CheckStatus;
	/** What was observed, in one or two sentences. Never a secret. */
	seen: string;
	/** What to do about a warning or a failure. */
	fix?: string;
	/** For a skipped check: the values it lacked (field keys). */
	missing?: readonly string[];
};

/** A row of the in-progress view: the final statuses plus the two a spinner shows. */
export type CheckProgress = Omit<CheckResult, 'status'> & {status: CheckStatus | 'pending' | 'running'};

/** What a check decides; the runner adds id and title. */
export type CheckOutcome = Omit<CheckResult, 'id' | 'title'>;

type CheckBase = {id: CheckId; title: string};

/** Runs once discovery has succeeded, with the provider metadata; skipped by the runner when discovery failed. */
export type DiscoveryCheck = CheckBase & {
	needsDiscovery: true;
	run(context: IntegrationContext, metadata: ProviderMetadata): Promise<CheckOutcome>;
};

/** Starts at once; may await the metadata (undefined when discovery failed) for a comparison. */
export type IndependentCheck = CheckBase & {
	needsDiscovery: false;
	run(context: IntegrationContext, discovery: Promise<ProviderMetadata | undefined>): Promise<CheckOutcome>;
};

export type Check = DiscoveryCheck | IndependentCheck;
