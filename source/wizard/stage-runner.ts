import type {SessionHandle} from '../core/session/integration-context.js';
import type {AppIntegration, IdpIntegration, IntegrationContext} from '../integrations/types.js';
import type {SessionSecrets} from '../secrets/secrets.js';
import {type AutomationStage, currentValues, type Screen, type SessionView} from './machine.js';
// The stages (and verification, the sign-in proof, the HTTP client behind them) load when a stage
// starts, not with the wizard: its first frame needs none of them.
import type {ApplyStage} from './stages/apply-stage.js';
import type {RegisterStage} from './stages/register-stage.js';
import type {VerifyStage} from './stages/verify-stage.js';
import type {TryItActions} from './try-it.js';

export type StageRun = {kind: 'register'; stage: RegisterStage} | {kind: 'apply'; stage: ApplyStage} | {kind: 'verify'; stage: VerifyStage; tryIt?: TryItActions | undefined};

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
	constructor(private readonly sources: StageSources) {}

	stages(view: SessionView): AutomationStage[] {
		return this.sources.automationStages?.(view) ?? [];
	}

	/** The screen after the review: the first automated stage, or the checklist on the manual path. */
	first(view: SessionView): Screen {
		const [first] = this.stages(view);
		return first ? {name: 'automation', stage: first} : {name: 'checklist'};
	}

	/** The screen after a finished (or passed over) stage. */
	after(view: SessionView, from: AutomationStage): Screen {
		const stages = this.stages(view);
		const next = stages[stages.indexOf(from) + 1];
		return next ? {name: 'automation', stage: next} : {name: 'checklist'};
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
				const [{VerifyStage}, {tryItActions}] = await Promise.all([import('./stages/verify-stage.js'), import('./try-it.js')]);
				const tryIt = tryItActions(currentValues(view), await this.app(view), readOnlyContext);
				return {kind: 'verify', stage: new VerifyStage(view.pair, handle, secrets), tryIt};
			}
		}
	}

	private async app(view: SessionView): Promise<AppIntegration | undefined> {
		return view.pair.app.automation ? this.sources.loadAppIntegration?.(view.pair.app.automation) : undefined;
	}
}
