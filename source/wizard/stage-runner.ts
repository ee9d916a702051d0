import type {SessionHandle} from '../core/session/integration-context.js';
import type {AppIntegration, IdpIntegration, IntegrationContext} from '../integrations/types.js';
import type {SessionSecrets} from '../secrets/secrets.js';
import {type AutomationStage, currentValues, type Screen, type SessionView, stageOrder} from './machine.js';
// The stages (and verification, the sign-in proof, the HTTP client behind them) load when a stage
// starts, not with the wizard: its first frame needs none of them.
import type {ApplyStage} from './stages/apply-stage.js';
import type {RegisterStage} from './stages/register-stage.js';
import type {SignInStage} from './stages/sign-in-stage.js';
import type {VerifyStage} from './stages/verify-stage.js';
import type {TryItActions} from './try-it.js';

/** The verify step ends with the sign-in proof (`signIn`), offered once the checks are done. */
export type StageRun = {kind: 'register'; stage: RegisterStage} | {kind: 'apply'; stage: ApplyStage} | {kind: 'verify'; stage: VerifyStage; tryIt?: TryItActions | undefined; signIn: SignInStage};

export type StageSources = {
	/** The steps after review that automate the IdP and app sides (none on the manual path). */
	automationStages?(view: SessionView): AutomationStage[];
	loadIdpIntegration?(id: string): Promise<IdpIntegration | undefined>;
	loadAppIntegration?(id: string): Promise<AppIntegration | undefined>;
	/** Where the state (and the run lock) lives: SSO_SETUP_HOME. */
	env?: NodeJS.ProcessEnv;
};

/** Which automated stages a session gets, in which order, and the object that runs each one. */
export class StageRunner {
	/** The last sign-in proof made: Ctrl+C stops it while it runs. */
	private signIn: SignInStage | undefined;

	constructor(private readonly sources: StageSources) {}

	/** Ctrl+C: true when a running sign-in proof takes it: it stops, deletes its test user, then calls `then` with what it did. */
	interrupt(then: (said: string) => void): boolean {
		return this.signIn?.interrupt(then) ?? false;
	}

	stages(view: SessionView): AutomationStage[] {
		return this.sources.automationStages?.(view) ?? [];
	}

	/** The screen after the review: the first automated stage, or the checklist on the manual path. */
	first(view: SessionView): Screen {
		const [first] = this.stages(view);
		return first ? {name: 'automation', stage: first} : {name: 'checklist'};
	}

	/**
	 * The screen after a finished (or passed over) stage: the next stage this session gets, then the
	 * checklist. `from` need not be one of them (a side done by hand, verification from the checklist).
	 */
	after(view: SessionView, from: AutomationStage): Screen {
		const next = this.stages(view).find((stage) => stageOrder.indexOf(stage) > stageOrder.indexOf(from));
		return next ? {name: 'automation', stage: next} : {name: 'checklist'};
	}

	/** Esc on a stage: the stage before it, else the review (the checklist for a verification started there). */
	before(view: SessionView, from: AutomationStage): Screen {
		const stages = this.stages(view);
		if (!stages.includes(from)) {
			return {name: 'checklist'};
		}

		const previous = stages.filter((stage) => stageOrder.indexOf(stage) < stageOrder.indexOf(from)).at(-1);
		return previous ? {name: 'automation', stage: previous} : {name: 'review'};
	}

	/** The object that runs a stage, or undefined when this pair has no module for it. */
	async create(name: AutomationStage, view: SessionView, handle: SessionHandle, secrets: SessionSecrets, readOnlyContext: () => IntegrationContext): Promise<StageRun | undefined> {
		if (name !== 'verify') {
			// The same lock as `sso-setup apply` for this app: never two writing runs at once.
			const {lockAppRun} = await import('../core/session/run-lock.js');
			lockAppRun({idp: view.pair.idp.id, app: view.pair.app.id, appUrl: currentValues(view)['app_url'], sessionId: view.session.id}, this.sources.env);
		}

		switch (name) {
			case 'register': {
				const {RegisterStage} = await import('./stages/register-stage.js');
				const idp = view.pair.idp.automation ? await this.sources.loadIdpIntegration?.(view.pair.idp.automation) : undefined;
				return idp ? {kind: 'register', stage: new RegisterStage(idp, view.pair, handle, secrets)} : undefined;
			}

			case 'apply': {
				const {ApplyStage} = await import('./stages/apply-stage.js');
				const app = await this.app(view);
				return app ? {kind: 'apply', stage: new ApplyStage(app, view.pair, handle, secrets)} : undefined;
			}

			case 'verify': {
				const [{VerifyStage}, {SignInStage}, {tryItActions}] = await Promise.all([import('./stages/verify-stage.js'), import('./stages/sign-in-stage.js'), import('./try-it.js')]);
				const app = await this.app(view);
				const tryIt = tryItActions(currentValues(view), app, readOnlyContext);
				const verify = new VerifyStage(view.pair, handle, secrets);
				const signIn = new SignInStage(view.pair, handle, secrets, {
					checks: () => (verify.state.phase === 'done' ? verify.state.results : []),
					// The IdP's automation, else the built-in module of that id (the generic provider), as verify loads them.
					integrations: async () => ({idp: await this.sources.loadIdpIntegration?.(view.pair.idp.automation ?? view.pair.idp.id), app}),
				});
				this.signIn = signIn;
				return {kind: 'verify', stage: verify, tryIt, signIn};
			}
		}
	}

	private async app(view: SessionView): Promise<AppIntegration | undefined> {
		return view.pair.app.automation ? this.sources.loadAppIntegration?.(view.pair.app.automation) : undefined;
	}
}
