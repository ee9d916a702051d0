import {describeError, type ExitCodeValue} from '../../core/errors.js';
import type {Pair} from '../../core/flows/pair.js';
import type {IdpIntegration, IdpPlan, IdpRegistration, Question} from '../../integrations/types.js';
import {redact} from '../../secrets/redact.js';
import type {SessionSecrets} from '../../secrets/secrets.js';
import {buildContext, type SessionHandle} from '../../core/session/integration-context.js';
import {Observable} from '../observable.js';
import {concernedKeys} from '../failing-field.js';
import {RequestWatch} from '../request-watch.js';

export type RegisterState =
	| {phase: 'planning'; progress: string}
	| {phase: 'question'; question: Question}
	| {phase: 'confirm'; plan: IdpPlan}
	| {phase: 'working'; progress: string}
	| {phase: 'done'; registration: IdpRegistration}
	/** `concerns`: the answers the failure is about, most likely first (see failing-field.ts). */
	| {phase: 'error'; message: string; hint?: string; exitCode: ExitCodeValue; concerns: string[]};

/**
 * Registers the client at the IdP: plan (asking the plan's questions one by one), show it, then
 * create or update on confirmation. Plain TypeScript; the wizard renders `state`.
 */
export class RegisterStage extends Observable<RegisterState> {
	private plan: IdpPlan | undefined;
	/** The request being waited for, for the countdown. */
	readonly requests = new RequestWatch();

	constructor(
		private readonly idp: IdpIntegration,
		private readonly pair: Pair,
		private readonly session: SessionHandle,
		private readonly secrets: SessionSecrets,
		/** Without a person to ask (`apply`), every question takes its default. */
		private readonly useDefaults = false,
	) {
		super({phase: 'planning', progress: `${pair.idp.name}: connecting…`});
	}

	async start(): Promise<void> {
		this.set({phase: 'planning', progress: `${this.pair.idp.name}: connecting…`});
		try {
			const context = this.requests.watch(buildContext(this.pair, this.session, this.secrets, (progress) => this.set({phase: 'planning', progress})));
			this.plan = await this.idp.plan(context);
			const open = this.openQuestion(this.plan);
			if (open && this.useDefaults) {
				this.session.update((session) => ({...session, answers: {...session.answers, [open.key]: open.default}}));
				await this.start();
				return;
			}

			this.set(open ? {phase: 'question', question: open} : {phase: 'confirm', plan: this.plan});
		} catch (error) {
			this.fail(error);
		}
	}

	/** Stores the answer to the current question and plans again with it. */
	async answer(value: string): Promise<void> {
		const state = this.state;
		if (state.phase !== 'question') {
			return;
		}

		this.session.update((session) => ({...session, answers: {...session.answers, [state.question.key]: value}}));
		await this.start();
	}

	async confirm(): Promise<IdpRegistration | undefined> {
		const plan = this.plan;
		if (!plan) {
			return undefined;
		}

		this.set({phase: 'working', progress: `${this.pair.idp.name}: ${plan.action === 'create' ? 'creating' : 'updating'} the client…`});
		try {
			const context = this.requests.watch(buildContext(this.pair, this.session, this.secrets, (progress) => this.set({phase: 'working', progress})));
			const registration = await this.idp.register(context, plan);
			this.session.update((session) => ({...session, completed: [...new Set([...session.completed, 'register'])]}));
			this.set({phase: 'done', registration});
			return registration;
		} catch (error) {
			this.fail(error);
			return undefined;
		}
	}

	private openQuestion(plan: IdpPlan): Question | undefined {
		const answers = this.session.current().answers;
		return plan.questions.find((question) => answers[question.key] === undefined);
	}

	private fail(error: unknown): void {
		const {message, hint, exitCode} = describeError(error);
		const concerns = concernedKeys(error, this.pair, this.session.current().answers, 'idp');
		this.set({phase: 'error', message: redact(message, this.secrets.known()), hint: hint && redact(hint, this.secrets.known()), exitCode, concerns});
	}
}
