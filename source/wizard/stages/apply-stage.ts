import {describeError, type ExitCodeValue} from '../../core/errors.js';
import type {Pair} from '../../core/flows/pair.js';
import type {AppIntegration, AppPlan, AppPreflight, Blocker, IntegrationContext, PlanChange} from '../../integrations/types.js';
import {redact} from '../../secrets/redact.js';
import type {SessionSecrets} from '../../secrets/secrets.js';
import {buildContext, type SessionHandle} from '../../core/session/integration-context.js';
import {reviewPlanEndpoints} from '../../core/plan-endpoints.js';
import {Observable} from '../observable.js';
import {concernedKeys} from '../failing-field.js';
import {RequestWatch} from '../request-watch.js';

export type ApplyState =
	| {phase: 'preflight'; progress: string}
	| {phase: 'blocked'; preflight: AppPreflight; blockers: Blocker[]}
	| {phase: 'confirm'; preflight: AppPreflight; plan: AppPlan; deleteUsers: readonly string[]}
	| {phase: 'working'; progress: string}
	| {phase: 'done'; notes: string[]; mismatches: PlanChange[]; changed: boolean}
	/** `concerns`: the answers the failure is about, most likely first (see failing-field.ts). */
	| {phase: 'error'; message: string; hint?: string; exitCode: ExitCodeValue; concerns: string[]};

/**
 * Applies the app's settings: preflight (blockers such as Harbor's local users), plan with a
 * backup, explicit confirmation, write, read back. Users are deleted only when listed one by one.
 */
export class ApplyStage extends Observable<ApplyState> {
	private preflight: AppPreflight | undefined;
	private plan: AppPlan | undefined;
	private deleteUsers: string[] = [];
	/** One context for the whole run, so that a sign-in (Portainer bans bursts) happens once. */
	private runContext: IntegrationContext | undefined;
	private progressPhase: 'preflight' | 'working' = 'preflight';
	/** The request being waited for, for the countdown. */
	readonly requests = new RequestWatch();

	constructor(
		private readonly app: AppIntegration,
		private readonly pair: Pair,
		private readonly session: SessionHandle,
		private readonly secrets: SessionSecrets,
	) {
		super({phase: 'preflight', progress: `${pair.app.name}: reading the current settings…`});
	}

	async start(): Promise<void> {
		this.set({phase: 'preflight', progress: `${this.pair.app.name}: reading the current settings…`});
		try {
			const context = this.context('preflight');
			this.preflight = await this.app.preflight(context);
			const open = this.preflight.blockers.filter((blocker) => !this.resolvedByDeletion(blocker));
			if (open.length > 0) {
				this.set({phase: 'blocked', preflight: this.preflight, blockers: open});
				return;
			}

			const plan = await this.app.plan(context, this.preflight);
			// IdP URLs over plain http:// or on another origin than the issuer's: said in the plan (apply also refuses the first).
			this.plan = {...plan, warnings: [...plan.warnings, ...reviewPlanEndpoints(plan.changes, context.values, this.pair.app.name).warnings]};
			if (this.plan.changes.length === 0 && this.deleteUsers.length === 0) {
				this.finishUnchanged();
				return;
			}

			this.set({phase: 'confirm', preflight: this.preflight, plan: this.plan, deleteUsers: this.deleteUsers});
		} catch (error) {
			this.fail(error);
		}
	}

	/** The person confirmed each listed user of a blocker; plan again with them marked for deletion. */
	async deleteBlockingUsers(users: readonly string[]): Promise<void> {
		this.deleteUsers = [...new Set([...this.deleteUsers, ...users])];
		await this.start();
	}

	async confirm(): Promise<void> {
		const plan = this.plan;
		if (!plan) {
			return;
		}

		this.set({phase: 'working', progress: `${this.pair.app.name}: writing the settings…`});
		try {
			const context = this.context('working');
			const notes = await this.app.apply(context, plan, {deleteUsers: this.deleteUsers});
			this.set({phase: 'working', progress: `${this.pair.app.name}: reading the settings back…`});
			const mismatches = await this.app.confirm(context, plan);
			this.session.update((session) => ({...session, completed: [...new Set([...session.completed, 'apply'])]}));
			this.set({phase: 'done', notes, mismatches, changed: true});
		} catch (error) {
			this.fail(error);
		}
	}

	private finishUnchanged(): void {
		this.session.update((session) => ({...session, completed: [...new Set([...session.completed, 'apply'])]}));
		this.set({phase: 'done', notes: [`${this.pair.app.name} already has these settings: nothing to change.`], mismatches: [], changed: false});
	}

	private resolvedByDeletion(blocker: Blocker): boolean {
		return Boolean(blocker.users && blocker.users.length > 0 && blocker.users.every((user) => this.deleteUsers.includes(user)));
	}

	private context(phase: 'preflight' | 'working'): IntegrationContext {
		this.progressPhase = phase;
		this.runContext ??= this.requests.watch(buildContext(this.pair, this.session, this.secrets, (progress) => this.set({phase: this.progressPhase, progress})));
		return this.runContext;
	}

	private fail(error: unknown): void {
		const {message, hint, exitCode} = describeError(error);
		const known = this.secrets.known();
		const concerns = concernedKeys(error, this.pair, this.session.current().answers, 'app');
		this.set({phase: 'error', message: redact(message, known), hint: hint && redact(hint, known), exitCode, concerns});
	}
}
