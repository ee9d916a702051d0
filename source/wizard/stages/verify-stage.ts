import type {Pair} from '../../core/flows/pair.js';
import {loadPairIntegrations} from '../../integrations/registry.js';
import {runVerification} from '../../verify/run.js';
import type {CheckProgress, CheckResult} from '../../verify/types.js';
import type {SessionSecrets} from '../../secrets/secrets.js';
import {buildContext, type SessionHandle} from '../../core/session/integration-context.js';
import {Observable} from '../observable.js';

export type VerifyState = {phase: 'ready'} | {phase: 'running'; rows: CheckProgress[]} | {phase: 'done'; results: CheckResult[]};

/** Runs every verification check, reporting each row as it starts and ends. Changes nothing. */
export class VerifyStage extends Observable<VerifyState> {
	constructor(
		private readonly pair: Pair,
		private readonly session: SessionHandle,
		private readonly secrets: SessionSecrets,
	) {
		super({phase: 'ready'});
	}

	async start(): Promise<CheckResult[]> {
		this.set({phase: 'running', rows: []});
		const context = buildContext(this.pair, this.session, this.secrets);
		const results = await runVerification(context, {onUpdate: (rows) => this.set({phase: 'running', rows}), integrations: await loadPairIntegrations(this.pair)});
		this.session.update((session) => ({...session, completed: [...new Set([...session.completed, 'verify'])]}));
		this.set({phase: 'done', results});
		return results;
	}
}
