import path from 'node:path';
import type {Checklist} from '../checklist/build.js';
import {formatChecklist} from '../checklist/format.js';
import {writeChecklistFile} from '../checklist/write.js';
import type {Field} from '../core/flows/schema.js';
import type {AppIntegration, FieldOption, IdpIntegration, IntegrationContext} from '../integrations/types.js';
import {answerField} from './answering.js';
import {type StageRun, StageRunner} from './stage-runner.js';
import {buildContext, type SessionHandle} from '../core/session/integration-context.js';
import type {Catalogue} from '../core/flows/load.js';
import {getPair} from '../core/flows/pair.js';
import {describeError, ExitCode} from '../core/errors.js';
import type {KeychainProbe, SecretStore} from '../secrets/keychain.js';
import {memoryStore} from '../secrets/keychain.js';
import {redactHandled} from '../secrets/redact.js';
import {SessionSecrets} from '../secrets/secrets.js';
import {
	type AutomationStage,
	nextWarningScreen,
	previousScreen,
	resumeScreen,
	type Screen,
	type SessionView,
	stepOf,
	visibleFields,
	warningsToShow,
} from './machine.js';
import {listSessions, loadSession, newSession, saveSession, type Session} from '../core/session/store.js';
import {hasPendingCleanup} from '../sign-in/pending.js';

export type WizardState = {
	screen: Screen;
	view?: SessionView;
	storage: 'keychain' | 'memory' | 'pending';
	/** A one-line message about the last action ("Checklist written to …"). */
	notice?: string;
	/** Set when the wizard ends: the process exits with it after the last frame. */
	exit?: {code: number; message: string};
};

export type WizardDependencies = {
	catalogue: Catalogue;
	openKeychain(): Promise<KeychainProbe>;
	env?: NodeJS.ProcessEnv;
	/** The steps after review that automate the IdP and app sides (none on the manual path). */
	automationStages?(view: SessionView): AutomationStage[];
	/** A list to pick a field's value from (the flow's `options_from`), fetched by the app's automation. */
	fieldOptions?(view: SessionView, field: Field, secrets: SessionSecrets): Promise<FieldOption[] | undefined>;
	/** Values read once every field is answered (e.g. a generic provider's endpoints from discovery). */
	enrichAnswers?(view: SessionView, secrets: SessionSecrets): Promise<{answers?: Record<string, string>; notice?: string}>;
	/** The integration modules, by the flows' `automation` id (the registry's lazy imports). */
	loadIdpIntegration?(id: string): Promise<IdpIntegration | undefined>;
	loadAppIntegration?(id: string): Promise<AppIntegration | undefined>;
	/** Finishes the sign-in clean-up an earlier run left in a resumed session; returns what to tell the person. */
	finishSignInCleanup?(view: SessionView, handle: SessionHandle, secrets: SessionSecrets): Promise<string | undefined>;
};

export type {StageRun} from './stage-runner.js';

/**
 * The wizard's state and every action the UI can send. Plain TypeScript: it saves the session after
 * every answered step and keeps secrets in the keychain; the Ink components only render `state`.
 */
export class WizardController {
	state: WizardState = {screen: {name: 'loading', message: 'Opening the keychain…'}, storage: 'pending'};
	private readonly listeners = new Set<(state: WizardState) => void>();
	private store: SecretStore | undefined;
	private secrets: SessionSecrets | undefined;
	private pendingStart: (() => Promise<void>) | undefined;
	private storeOpened: Promise<boolean> | undefined;
	private storeProblem: string | undefined;
	private pendingIdp: string | undefined;

	private readonly stages: StageRunner;

	constructor(private readonly deps: WizardDependencies) {
		this.stages = new StageRunner(deps);
	}

	get catalogue(): Catalogue {
		return this.deps.catalogue;
	}

	hasAutomation(view: SessionView): boolean {
		return this.stages.stages(view).length > 0;
	}

	/** An unexpected failure: end with its message (the session stays saved). */
	fail(error: unknown): void {
		const described = describeError(error);
		const message = redactHandled(described.message);
		const hint = described.hint === undefined ? undefined : redactHandled(described.hint);
		const {exitCode} = described;
		const resume = this.state.view && !this.state.view.session.finished ? `\nYour answers are saved. Resume with: npx sso-setup resume ${this.state.view.session.id}` : '';
		this.finish(exitCode, `✖ ${message}${hint ? `\n  ${hint}` : ''}${resume}`);
	}

	subscribe(listener: (state: WizardState) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Opens the keychain, then shows the welcome screen, resumes a session, or asks to pick one. */
	async start(options: {resume?: boolean; sessionId?: string} = {}): Promise<void> {
		const opened = this.openStore();
		if (!options.sessionId && !options.resume) {
			// The welcome screen needs no keychain: it is the first frame, and the keychain check
			// finishes behind it (the screens after it wait for the answer).
			const welcome = async () => this.set({screen: {name: 'welcome', resumable: this.resumableSessions()}});
			await welcome();
			if (!(await opened) && this.state.screen.name === 'welcome') {
				this.askAboutStorage(welcome);
			}

			return;
		}

		const begin = async () => {
			if (options.sessionId) {
				await this.resumeSession(options.sessionId);
				return;
			}

			const resumable = this.resumableSessions();
			if (resumable.length === 1) {
				await this.resumeSession(resumable[0]!.id);
			} else if (resumable.length === 0) {
				this.finish(ExitCode.usage, 'There is no unfinished session to resume. Start a new one with: npx sso-setup');
			} else {
				this.set({screen: {name: 'welcome', resumable}});
			}
		};

		if (await opened) {
			await begin();
		} else {
			this.askAboutStorage(begin);
		}
	}

	/** Starts the keychain check once; resolves with whether the keychain can be used. */
	private openStore(): Promise<boolean> {
		this.storeOpened ??= this.deps.openKeychain().then((probe) => {
			if (probe.ok) {
				this.store = probe.store;
				this.set({storage: 'keychain'});
				return true;
			}

			this.storeProblem = probe.reason;
			return false;
		});
		return this.storeOpened;
	}

	/** No keychain: ask whether to keep secrets in memory, then go on with `next`. */
	private askAboutStorage(next: () => Promise<void>): void {
		this.pendingStart = next;
		this.set({screen: {name: 'keychain', reason: this.storeProblem ?? 'the keychain cannot be opened'}});
	}

	/** Whether a secret store is open; waits for the keychain check when it is still running. */
	private async storeReady(): Promise<boolean> {
		if (!this.store) {
			await this.openStore();
		}

		return this.store !== undefined;
	}

	private resumableSessions(): Session[] {
		return listSessions(this.env).sessions.filter((session) => !session.finished && this.deps.catalogue.idps.has(session.idp) && this.deps.catalogue.apps.has(session.app));
	}

	/** The person accepted keeping secrets in memory for this run only. */
	async useMemoryStorage(): Promise<void> {
		this.store = memoryStore();
		this.set({storage: 'memory'});
		await this.pendingStart?.();
	}

	async startNew(): Promise<void> {
		if (!(await this.storeReady())) {
			return;
		}

		this.set({screen: {name: 'idp'}, view: undefined});
	}

	chooseIdp(idp: string): void {
		this.pendingIdp = idp;
		this.set({screen: {name: 'app'}});
	}

	chooseApp(app: string): void {
		const idp = this.pendingIdp ?? this.state.view?.session.idp;
		if (!idp) {
			this.set({screen: {name: 'idp'}});
			return;
		}

		const previous = this.state.view?.session;
		const session = previous && previous.idp === idp && previous.app === app ? previous : newSession(idp, app);
		this.secrets = new SessionSecrets(this.requireStore(), session.id, this.env);
		this.set({view: {pair: getPair(this.deps.catalogue, idp, app), session, presentSecrets: this.environmentSecrets(idp, app)}});
		this.moveTo({name: 'fields', index: 0});
	}

	async resumeSession(id: string): Promise<void> {
		if (!(await this.storeReady())) {
			return;
		}

		this.set({screen: {name: 'loading', message: `Loading session ${id}…`}});
		const session = loadSession(id, this.env);
		const pair = getPair(this.deps.catalogue, session.idp, session.app);
		this.secrets = new SessionSecrets(this.requireStore(), session.id, this.env);
		const present = new Set(this.environmentSecrets(session.idp, session.app));
		for (const key of session.secrets) {
			if (await this.secrets.get(key)) {
				present.add(key);
			}
		}

		const view: SessionView = {pair, session, presentSecrets: present};
		this.set({view, notice: `Resumed session ${session.id}. Saved answers are the defaults: Enter keeps them.`});
		if (hasPendingCleanup(session.artifacts) && this.deps.finishSignInCleanup) {
			this.set({screen: {name: 'loading', message: 'Deleting the sign-in test user an earlier run left…'}});
			const said = await this.deps.finishSignInCleanup(view, this.sessionHandle(), this.secrets);
			if (said) {
				this.set({notice: said});
			}
		}

		this.set({screen: resumeScreen(this.state.view ?? view)});
	}

	/** The options to offer for a field, or the reason there are none (the person then types it). */
	async fieldOptions(field: Field): Promise<{options?: FieldOption[]; error?: string}> {
		const view = this.state.view;
		if (!view || !field.options_from || !this.deps.fieldOptions || !this.secrets) {
			return {};
		}

		try {
			const options = await this.deps.fieldOptions(view, field, this.secrets);
			return options && options.length > 0 ? {options} : {};
		} catch (error) {
			return {error: describeError(error).message};
		}
	}

	/** Validates and stores the answer of the current field; returns the error to show, if any. */
	async submitField(raw: string, companions: Record<string, string> = {}): Promise<string | undefined> {
		const {screen, view} = this.state;
		if (screen.name !== 'fields' || !view) {
			return undefined;
		}

		const field = visibleFields(view)[screen.index];
		if (!field) {
			return undefined;
		}

		const answered = await answerField(view, field, raw, companions, this.secrets!);
		if (!answered.ok) {
			return answered.error;
		}

		let next = answered.view;
		this.set({view: next, notice: undefined});
		const count = visibleFields(next).length;
		if (screen.index + 1 < count) {
			this.moveTo({name: 'fields', index: screen.index + 1});
			return undefined;
		}

		if (this.deps.enrichAnswers && this.secrets) {
			this.set({screen: {name: 'loading', message: `Reading ${next.pair.idp.name}'s discovery document…`}});
			const enriched = await this.deps.enrichAnswers(next, this.secrets).catch((error: unknown) => ({answers: undefined, notice: describeError(error).message}));
			next = {...next, session: {...next.session, answers: {...next.session.answers, ...enriched.answers}}};
			this.set({view: next, notice: enriched.notice});
		}

		this.moveTo(warningsToShow(next).length > 0 ? {name: 'warnings', index: 0} : {name: 'review'});
		return undefined;
	}

	acknowledgeWarning(): void {
		const {screen, view} = this.state;
		if (screen.name !== 'warnings' || !view) {
			return;
		}

		const warning = warningsToShow(view)[screen.index];
		const session = warning ? {...view.session, acknowledged: [...new Set([...view.session.acknowledged, warning.id])]} : view.session;
		this.set({view: {...view, session}});
		this.moveTo(nextWarningScreen({...view, session}, screen.index));
	}

	confirmReview(): void {
		const view = this.state.view;
		if (!view) {
			return;
		}

		this.moveTo(this.stages.first(view));
	}

	/** The automated stage is finished (or passed over): on to the next one, then the checklist. */
	advanceAutomation(from: AutomationStage): void {
		const view = this.state.view;
		if (!view) {
			return;
		}

		this.moveTo(this.stages.after(view, from));
	}

	/** Ends the run with a code (e.g. 3 when a precondition blocks), keeping the session resumable. */
	stop(code: number, message: string): void {
		const view = this.state.view;
		if (view && !this.persist(view)) {
			return;
		}

		const resume = view ? `\nYour answers are saved. Resume with: npx sso-setup resume ${view.session.id}` : '';
		this.finish(code, `${message}${resume}`);
	}

	editAnswers(): void {
		this.moveTo({name: 'fields', index: 0});
	}

	/** Esc: one screen back, answers kept. */
	back(): void {
		const previous = previousScreen(this.state.view, this.state.screen);
		if (previous) {
			this.set({screen: previous, notice: undefined});
		}
	}

	/** Writes the checklist as Markdown; returns the reason when the file cannot be written. */
	writeChecklist(checklist: Checklist, file: string): string | undefined {
		try {
			writeChecklistFile(file, formatChecklist(checklist, 'markdown'));
		} catch (error) {
			return describeError(error).message;
		}

		this.set({notice: `Checklist written to ${path.resolve(file)}`});
		return undefined;
	}

	/** The last screen: marks the session finished. */
	complete(message: string): void {
		const view = this.state.view;
		if (view && !this.persist({...view, session: {...view.session, step: 'done', finished: true}})) {
			return;
		}

		this.finish(ExitCode.ok, message);
	}

	/** Ctrl+C: save what we have and say how to resume. */
	interrupt(): void {
		const view = this.state.view;
		if (view && !view.session.finished) {
			if (!this.persist(view)) {
				return;
			}

			this.finish(ExitCode.interrupted, `Interrupted. Your answers were saved.\nResume with: npx sso-setup resume ${view.session.id}`);
			return;
		}

		this.finish(ExitCode.interrupted, 'Interrupted. Nothing was saved.');
	}

	quit(message = 'Nothing was changed.'): void {
		this.finish(ExitCode.ok, message);
	}

	/** The session as automated steps see it: every change they make is saved at once. */
	sessionHandle(): SessionHandle {
		return {
			current: () => this.requireView().session,
			update: (change, presentSecret) => this.updateSession(change, presentSecret),
		};
	}

	/** The object that runs an automated step, or undefined when this pair has no module for it. */
	async createStage(name: AutomationStage): Promise<StageRun | undefined> {
		return this.stages.create(name, this.requireView(), this.sessionHandle(), this.secrets!, () => this.readOnlyContext());
	}

	/** An integration context over the current session that writes nothing (for lists and lookups). */
	readOnlyContext(): IntegrationContext {
		const view = this.requireView();
		const session = view.session;
		return buildContext(view.pair, {current: () => session, update: () => {}}, this.secrets!);
	}

	/** Secrets of the current session, for integrations and redaction. */
	sessionSecrets(): SessionSecrets | undefined {
		return this.secrets;
	}

	/** Replaces the session (integrations record artifacts and values) and saves it. */
	updateSession(update: (session: Session) => Session, presentSecret?: string): void {
		const view = this.state.view;
		if (!view) {
			return;
		}

		const presentSecrets = presentSecret ? new Set([...view.presentSecrets, presentSecret]) : view.presentSecrets;
		this.persist({...view, session: update(view.session), presentSecrets});
	}

	moveTo(screen: Screen): void {
		const view = this.state.view;
		const step = stepOf(screen);
		if (view && step && !this.persist({...view, session: {...view.session, step}})) {
			return;
		}

		this.set({screen});
	}

	/** Saves the session and makes it current; a failed save ends the wizard with the reason. */
	private persist(view: SessionView): boolean {
		try {
			const session = saveSession(view.session, this.env);
			this.set({view: {...view, session}});
			return true;
		} catch (error) {
			this.fail(error);
			return false;
		}
	}

	private finish(code: number, message: string): void {
		this.set({screen: {name: 'done', message}, exit: {code, message}});
	}

	private environmentSecrets(idp: string, app: string): Set<string> {
		const pair = getPair(this.deps.catalogue, idp, app);
		const probe = new SessionSecrets(memoryStore(), 'probe', this.env);
		return new Set([...pair.idp.fields, ...pair.app.fields].filter((field) => field.kind === 'secret' && probe.inEnvironment(field.key)).map((field) => field.key));
	}

	private requireView(): SessionView {
		const view = this.state.view;
		if (!view || !this.secrets) {
			throw new Error('No session is open.');
		}

		return view;
	}

	private requireStore(): SecretStore {
		if (!this.store) {
			throw new Error('The secret store is not open yet.');
		}

		return this.store;
	}

	private get env(): NodeJS.ProcessEnv {
		return this.deps.env ?? process.env;
	}

	private set(patch: Partial<WizardState>): void {
		this.state = {...this.state, ...patch};
		for (const listener of this.listeners) {
			listener(this.state);
		}
	}
}
