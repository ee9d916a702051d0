import {skipped} from '../core/check-outcome.js';
import {describeError} from '../core/errors.js';
import {StepTimeout, withinTime} from '../core/time-limit.js';
import type {ProviderMetadata} from '../core/provider-metadata.js';
import {loadAppIntegration, loadIdpIntegration} from '../integrations/registry.js';
import type {AppIntegration, IdpIntegration, IntegrationContext} from '../integrations/types.js';
import {appConfigCheck} from './checks/app-config.js';
import {clientSecretCheck} from './checks/client-secret.js';
import {discoverProvider} from './checks/discovery.js';
import {issuerCheck} from './checks/issuer.js';
import {redirectUriCheck} from './checks/redirect-uri.js';
import {scopesCheck} from './checks/scopes.js';
import {wayBackInCheck} from './checks/way-back-in.js';
import type {VerifyContext} from './context.js';
import type {Check, CheckId, CheckOutcome, CheckProgress, CheckResult} from './types.js';

export type VerifyOptions = {
	/** Called with every row each time a check starts or ends (statuses 'pending' and 'running' included). */
	onUpdate?(results: CheckProgress[]): void;
	/** Time limit of each check. Default 30 s. */
	timeoutMs?: number;
	/** The two sides' integrations (from the registry); by default looked up by the values' app and idp. */
	integrations?: {app?: AppIntegration | undefined; idp?: IdpIntegration | undefined};
};

export const defaultCheckTimeoutMs = 30_000;

const discoveryTitle = 'Provider discovery';

/** The checks after discovery, in the order of the results. */
const checks: readonly Check[] = [issuerCheck, scopesCheck, clientSecretCheck, redirectUriCheck, appConfigCheck, wayBackInCheck];

/**
 * Runs every check once. Discovery goes first; the checks that need its metadata start when it
 * ends, the others start at once and do not wait for each other. Nothing is changed on either side.
 */
export async function runVerification(context: IntegrationContext, options: VerifyOptions = {}): Promise<CheckResult[]> {
	const limitMs = options.timeoutMs ?? defaultCheckTimeoutMs;
	const {app, idp} = options.integrations ?? (await integrationsOf(context));
	const {guarded: recording, secretsRead} = recordingSecrets(context);
	const guarded: VerifyContext = {...recording, ...(app?.verification ? {app: app.verification} : {}), ...(idp?.verification ? {idp: idp.verification} : {})};
	const rows: CheckProgress[] = [{id: 'discovery' as const, title: discoveryTitle}, ...checks].map(({id, title}) => ({id, title, status: 'pending', seen: ''}));
	const update = (id: CheckId, change: Partial<CheckProgress>) => {
		const index = rows.findIndex((row) => row.id === id);
		rows[index] = {...(rows[index] as CheckProgress), ...change};
		options.onUpdate?.(rows.map((row) => ({...row})));
	};

	const track = async (id: CheckId, work: () => Promise<CheckOutcome>) => {
		update(id, {status: 'running'});
		const outcome = await withinLimit(work, limitMs);
		update(id, redact(outcome, secretsRead));
	};

	let metadata: ProviderMetadata | undefined;
	const discoveryDone = track('discovery', async () => {
		const discovered = await discoverProvider(guarded);
		metadata = discovered.metadata;
		return discovered.outcome;
	});
	const discovery = discoveryDone.then(() => metadata);
	await Promise.all([
		discoveryDone,
		...checks.map(async (check) => {
			if (!check.needsDiscovery) {
				return track(check.id, async () => check.run(guarded, discovery));
			}

			await discoveryDone;
			const discoveryRow = rows.find((row) => row.id === 'discovery');
			const notRun = discoveryRow?.status === 'skipped' ? skipped('Not checked: provider discovery could not run.', discoveryRow.missing) : skipped('Not checked: discovery failed.');
			return track(check.id, async () => (metadata ? check.run(guarded, metadata) : notRun));
		}),
	]);
	return rows.map(({id, title, status, seen, fix, missing}) => ({id, title, status: status as CheckResult['status'], seen, ...(fix ? {fix} : {}), ...(missing ? {missing} : {})}));
}

async function integrationsOf({values}: IntegrationContext): Promise<{app?: AppIntegration | undefined; idp?: IdpIntegration | undefined}> {
	const [app, idp] = await Promise.all([values['app'] ? loadAppIntegration(values['app']) : undefined, values['idp'] ? loadIdpIntegration(values['idp']) : undefined]);
	return {app, idp};
}

async function withinLimit(work: () => Promise<CheckOutcome>, limitMs: number): Promise<CheckOutcome> {
	try {
		return await withinTime(async () => work().catch(failureOutcome), limitMs);
	} catch (error) {
		if (!(error instanceof StepTimeout)) throw error;
		return {status: 'fail', seen: `No result within ${error.seconds} s.`, fix: 'Check that the servers are reachable from this machine, then run the verification again.'};
	}
}

function failureOutcome(error: unknown): CheckOutcome {
	const {message, hint} = describeError(error);
	return {status: 'fail', seen: message, ...(hint ? {fix: hint} : {})};
}

/** The same context, remembering every secret a check reads so that none can reach a result. */
function recordingSecrets(context: IntegrationContext): {guarded: IntegrationContext; secretsRead: Set<string>} {
	const secretsRead = new Set<string>();
	const guarded: IntegrationContext = {
		values: context.values,
		async secret(key) {
			const value = await context.secret(key);
			if (value) {
				secretsRead.add(value);
			}

			return value;
		},
		setSecret: async (key, value) => context.setSecret(key, value),
		setValue: async (key, value) => context.setValue(key, value),
		artifacts: context.artifacts,
		http: context.http,
		progress: (message) => context.progress(message),
	};
	return {guarded, secretsRead};
}

function redact(outcome: CheckOutcome, secrets: Set<string>): CheckOutcome {
	const hide = (text: string) => [...secrets].reduce((result, secret) => (secret.length >= 4 ? result.replaceAll(secret, '[secret]') : result), text);
	return {status: outcome.status, seen: hide(outcome.seen), ...(outcome.fix ? {fix: hide(outcome.fix)} : {}), ...(outcome.missing ? {missing: outcome.missing} : {})};
}
