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
};

/** A row of the in-progress view: the final statuses plus the two a spinner shows. */
export type CheckProgress = Omit<CheckResult, 'status'> & {status: CheckStatus | 'pending' | 'running'};

/** What a check decides; the runner adds id and title. */
export type CheckOutcome = Omit<CheckResult, 'id' | 'title'>;

export type CheckInput = {
	context: IntegrationContext;
	/**
	 * The provider metadata once the discovery check has run (undefined when it failed). Checks
	 * declared with needsDiscovery receive it already settled; others may await it when they need it.
	 */
	discovery: Promise<ProviderMetadata | undefined>;
};

export type Check = {
	id: CheckId;
	title: string;
	/** Start only after discovery, and be skipped when it failed. */
	needsDiscovery: boolean;
	run(input: CheckInput): Promise<CheckOutcome>;
};
