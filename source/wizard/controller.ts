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
import {commandLine} from '../core/command-line.js';
import {describeError, ExitCode} from '../core/errors.js';
import type {KeychainProbe, SecretStore} from '../secrets/keychain.js';
import {memoryStore} from '../secrets/keychain.js';
import {redactHandled} from '../secrets/redact.js';
import {SessionSecrets} from '../secrets/secrets.js';
import {
	type AutomationStage,
	type Detour,
	detourScreen,
	firstRegistrationIndex,
	hasAppCredential,
	lostSides,
	manualSteps,
	nextWarningScreen,
	previousScreen,
	resumeScreen,
	type Screen,
	type SessionView,
	type Side,
	sideFields,
	stepOf,
	visibleFields,
	warningsToShow,
	withByHand,
} from './machine.js';
import {hasSessionFiles} from '../core/session/files.js';
import {newSession, type Session} from '../core/session/session.js';
import type * as SessionStore from '../core/session/store.js';
import {secretEnvironmentName} from '../secrets/secrets.js';
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
	/**
	 * The session store reads saved files with a schema: it loads beside the keychain check, after
	 * the first frame (sooner only when the welcome screen has saved sessions to list), and every
	 * way to a session waits for that check.
	 */
	private sessionStore: typeof SessionStore | undefined;
	private sessionStoreLoading: Promise<typeof SessionStore> | undefined;
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
		const resume = this.state.view && !this.state.view.session.finished ? `\nYour answers are saved. Resume with: ${this.command(`resume ${this.state.view.session.id}`)}` : '';
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
			// Without saved sessions, set before anything is awaited: the first frame is this screen.
			const welcome = async () => this.set({screen: {name: 'welcome', resumable: hasSessionFiles(this.env) ? await this.resumableSessions() : []}});
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

			const resumable = await this.resumableSessions();
			if (resumable.length === 1) {
				await this.resumeSession(resumable[0]!.id);
			} else if (resumable.length === 0) {
				this.finish(ExitCode.usage, `There is no unfinished session to resume. Start a new one with: ${this.command()}`);
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

	/** Starts the keychain check once (and the session store's loading); resolves with whether the keychain can be used. */
	private openStore(): Promise<boolean> {
		// The store loads on the next turn, so that the first frame is drawn before it is parsed.
		const storeLoaded = async () => new Promise((resolve) => setImmediate(resolve)).then(async () => this.loadSessionStore());
		this.storeOpened ??= Promise.all([this.deps.openKeychain(), storeLoaded()]).then(([probe]) => {
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

	private async loadSessionStore(): Promise<typeof SessionStore> {
		this.sessionStoreLoading ??= import('../core/session/store.js').then((store) => (this.sessionStore = store));
		return this.sessionStoreLoading;
	}

	/** The session store, loaded with the keychain check that every way to a session waits for. */
	private loadedStore(): typeof SessionStore {
		if (!this.sessionStore) {
			throw new Error('The session store is used before the keychain check has finished.');
		}

		return this.sessionStore;
	}

	private async resumableSessions(): Promise<Session[]> {
		const {listSessions} = await this.loadSessionStore();
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

	/**
	 * The pair is chosen. Going back and changing the app (or the IdP) replaces the session: the
	 * answers and stored secrets of the side that stayed are carried over (the IdP URL stays), and the
	 * old session is deleted instead of being left behind unfinished.
	 */
	async chooseApp(app: string): Promise<void> {
		const idp = this.pendingIdp ?? this.state.view?.session.idp;
		if (!idp) {
			this.set({screen: {name: 'idp'}});
			return;
		}

		const previous = this.state.view?.session;
		const pair = getPair(this.deps.catalogue, idp, app);
		let session = previous && previous.idp === idp && previous.app === app ? previous : newSession(idp, app);
		const carried: string[] = [];
		if (previous && session !== previous) {
			const kept = new Set([...(previous.idp === idp ? pair.idp.fields : []), ...(previous.app === app ? pair.app.fields : [])].map((field) => field.key));
			session = {...session, answers: Object.fromEntries(Object.entries(previous.answers).filter(([key]) => kept.has(key)))};
			const store = this.requireStore();
			for (const key of previous.secrets.filter((item) => kept.has(item))) {
				const value = await store.get(`${previous.id}/${key}`);
				if (value) {
					await store.set(`${session.id}/${key}`, value);
					carried.push(key);
				}
			}

			session = {...session, secrets: carried};
			await this.discard(previous);
		}

		this.secrets = new SessionSecrets(this.requireStore(), session.id, this.env);
		this.set({view: {pair, session, presentSecrets: new Set([...this.environmentSecrets(idp, app), ...carried])}});
		this.moveTo({name: 'fields', index: 0});
	}

	/** A session replaced before it was finished: its file and its keychain entries go. */
	private async discard(session: Session): Promise<void> {
		if (session.finished) {
			return;
		}

		this.loadedStore().deleteSessionFile(session.id, this.env);
		await new SessionSecrets(this.requireStore(), session.id, this.env).deleteAll().catch(() => 0);
	}

	async resumeSession(id: string): Promise<void> {
		if (!(await this.storeReady())) {
			return;
		}

		this.set({screen: {name: 'loading', message: `Loading session ${id}…`}});
		const session = this.loadedStore().loadSession(id, this.env);
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

		// Secrets the session had but that are not here (a run without keychain kept them in memory):
		// say so, instead of quietly taking the manual path.
		const fields = new Set([...pair.idp.fields, ...pair.app.fields].filter((field) => field.kind === 'secret').map((field) => field.key));
		const lost = session.secrets.filter((key) => fields.has(key) && !present.has(key));
		this.set({screen: lost.length > 0 ? {name: 'lost-secrets', keys: lost} : this.resumed(this.state.view ?? view)});
	}

	/** Where a resumed session goes on; at the client ID of the manual path, the IdP's steps come first again. */
	private resumed(view: SessionView): Screen {
		const screen = resumeScreen(view);
		const steps = screen.name === 'fields' && screen.index > 0 && screen.index === firstRegistrationIndex(view) ? manualSteps(view, 'idp') : [];
		return steps.length > 0 && screen.name === 'fields' ? {name: 'steps', side: 'idp', index: 0, then: screen, back: {name: 'fields', index: screen.index - 1}} : screen;
	}

	/** The lost secrets are typed again, one field each, then the session goes on where it was. */
	retypeLostSecrets(): void {
		const {screen, view} = this.state;
		if (screen.name !== 'lost-secrets' || !view) {
			return;
		}

		this.moveTo(detourScreen(view, {keys: screen.keys, then: 'resume'}) ?? this.resumed(view));
	}

	/** Without the lost credentials: the sides they automated are done by hand. */
	continueWithoutLostSecrets(): void {
		const {screen, view} = this.state;
		if (screen.name !== 'lost-secrets' || !view) {
			return;
		}

		let session = view.session;
		for (const side of lostSides(view, screen.keys)) {
			session = withByHand(session, side);
		}

		const next = {...view, session: {...session, secrets: session.secrets.filter((key) => !screen.keys.includes(key))}};
		if (this.persist(next)) {
			this.moveTo(this.resumed(next));
		}
	}

	/** The options to offer for a field, or the reason there are none (the person then types it). */
	async fieldOptions(field: Field): Promise<{options?: FieldOption[]; error?: string}> {
		const view = this.state.view;
		// Lists are read with the app's credentials: without them (skipped on purpose) there is no list to offer.
		if (!view || !field.options_from || !this.deps.fieldOptions || !this.secrets || !hasAppCredential(view)) {
			return {};
		}

		try {
			const options = await this.deps.fieldOptions(view, field, this.secrets);
			return options && options.length > 0 ? {options} : {};
		} catch (error) {
			return {error: describeError(error).message};
		}
	}

	/**
	 * Validates and stores the answer of the current field; returns the error to show, if any.
	 * `forKey` is the field the screen was showing: a key press that reaches a screen already left
	 * (a fast double Enter) must not answer the next field with the previous one's value.
	 */
	async submitField(raw: string, companions: Record<string, string> = {}, forKey?: string): Promise<string | undefined> {
		const {screen, view} = this.state;
		if (screen.name !== 'fields' || !view) {
			return undefined;
		}

		const field = visibleFields(view)[screen.index];
		if (!field || (forKey !== undefined && field.key !== forKey)) {
			return undefined;
		}

		const answered = await answerField(view, field, raw, companions, this.secrets!);
		if (!answered.ok) {
			return answered.error;
		}

		let next = answered.view;
		this.set({view: next, notice: undefined});
		if (screen.detour) {
			const rest = {...screen.detour, keys: screen.detour.keys.filter((key) => key !== field.key)};
			const following = rest.keys.length > 0 ? detourScreen(next, rest) : undefined;
			if (following) {
				this.moveTo(following);
				return undefined;
			}

			next = await this.enrich(next);
			this.moveTo(this.detourEnd(next, screen.detour));
			return undefined;
		}

		const fields = visibleFields(next);
		const count = fields.length;
		if (screen.index + 1 < count) {
			const following: Screen = {name: 'fields', index: screen.index + 1};
			// On the manual path the IdP's steps come, in full, before the client ID they produce.
			const steps = screen.index + 1 === firstRegistrationIndex(next) ? manualSteps(next, 'idp') : [];
			this.moveTo(steps.length > 0 ? {name: 'steps', side: 'idp', index: 0, then: following, back: screen} : following);
			return undefined;
		}

		next = await this.enrich(next);
		this.moveTo(warningsToShow(next).length > 0 ? {name: 'warnings', index: 0} : {name: 'review'});
		return undefined;
	}

	/** Values read once every field is answered (a generic provider's endpoints from discovery). */
	private async enrich(view: SessionView): Promise<SessionView> {
		if (!this.deps.enrichAnswers || !this.secrets) {
			return view;
		}

		this.set({screen: {name: 'loading', message: `Reading ${view.pair.idp.name}'s discovery document…`}});
		const enriched = await this.deps.enrichAnswers(view, this.secrets).catch((error: unknown) => ({answers: undefined, notice: describeError(error).message}));
		const next = {...view, session: {...view.session, answers: {...view.session.answers, ...enriched.answers}}};
		this.set({view: next, notice: enriched.notice});
		return next;
	}

	/** Where a detour leads once its fields are answered. */
	private detourEnd(view: SessionView, detour: Detour): Screen {
		if (detour.then === 'resume') {
			return this.resumed(view);
		}

		if (detour.then === 'review') {
			// A changed answer may bring a warning that was not read yet.
			const warnings = warningsToShow(view);
			const unread = warnings.findIndex((warning) => !view.session.acknowledged.includes(warning.id));
			return unread === -1 ? {name: 'review'} : {name: 'warnings', index: unread};
		}

		const then = detour.then;
		return then.name === 'automation' && !this.stages.stages(view).includes(then.stage) ? this.stages.after(view, then.stage) : then;
	}

	/** The next page of a side's manual steps, then what follows them. */
	nextStep(): void {
		const {screen, view} = this.state;
		if (screen.name !== 'steps' || !view) {
			return;
		}

		this.moveTo(screen.index + 1 < manualSteps(view, screen.side).length ? {...screen, index: screen.index + 1} : screen.then);
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

		const resume = view ? `\nYour answers are saved. Resume with: ${this.command(`resume ${view.session.id}`)}` : '';
		this.finish(code, `${message}${resume}`);
	}

	editAnswers(): void {
		this.moveTo({name: 'fields', index: 0});
	}

	/**
	 * A failed stage: "Edit the answers" opens the field the failure concerns (the first of `concerns`
	 * that is asked, a stored credential first), then goes back to that stage.
	 */
	editConcerned(stage: AutomationStage, concerns: readonly string[]): void {
		const view = this.state.view;
		if (!view) {
			return;
		}

		const fields = visibleFields(view);
		const field = this.concernedField(concerns);
		const detour = field ? detourScreen(view, {keys: [field.key], then: {name: 'automation', stage}}) : undefined;
		const first = sideFields(view, stage === 'apply' ? 'app' : 'idp')[0];
		this.moveTo(detour ?? {name: 'fields', index: first ? fields.indexOf(first) : 0});
	}

	/** The asked field a failure concerns: the first of `concerns` on screen, a secret only when one is stored. */
	concernedField(concerns: readonly string[]): Field | undefined {
		const view = this.state.view;
		if (!view) {
			return undefined;
		}

		const fields = visibleFields(view);
		const asked = concerns.map((key) => fields.find((field) => field.key === key)).filter((field): field is Field => field !== undefined);
		return asked.find((field) => field.kind !== 'secret' || view.presentSecrets.has(field.key)) ?? asked[0];
	}

	/**
	 * A failed stage: "Continue by hand" records that this side is done by hand, shows its manual steps
	 * in full, asks what they produce (the client ID and secret), then goes on with the next stage.
	 */
	continueByHand(stage: AutomationStage): void {
		const view = this.state.view;
		if (!view || stage === 'verify') {
			return;
		}

		const side: Side = stage === 'register' ? 'idp' : 'app';
		const next = {...view, session: withByHand(view.session, side)};
		if (!this.persist(next)) {
			return;
		}

		const after = this.stages.after(next, stage);
		const registration = next.pair.idp.fields.filter((field) => field.role === 'registration').map((field) => field.key);
		const then = side === 'idp' ? (detourScreen(next, {keys: registration, then: after}) ?? after) : after;
		const steps = manualSteps(next, side);
		this.moveTo(steps.length > 0 ? {name: 'steps', side, index: 0, then, back: {name: 'automation', stage}} : then);
	}

	/** Esc on a stage that is not waiting: the stage before it, or the review. */
	backFromStage(stage: AutomationStage): void {
		const view = this.state.view;
		if (view) {
			this.set({notice: undefined});
			this.moveTo(this.stages.before(view, stage));
		}
	}

	/** From the checklist of the manual path: check the setup once the steps are done. */
	verifyFromChecklist(): void {
		this.moveTo({name: 'automation', stage: 'verify'});
	}

	/** Where the client secret is, said in the checklist (never its value). */
	secretPlaces(view: SessionView): Record<string, string> {
		const places: Record<string, string> = {};
		for (const key of ['client_secret']) {
			if (this.env[secretEnvironmentName(key)]) {
				places[key] = `from ${secretEnvironmentName(key)}`;
			} else if (view.presentSecrets.has(key)) {
				places[key] = this.state.storage === 'memory' ? 'kept in memory for this run' : 'stored in keychain';
			}
		}

		return places;
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

	/**
	 * Ctrl+C: save what we have and say how to resume. A running sign-in proof stops first and
	 * deletes its test user (`said`: what it did); a second Ctrl+C quits at once.
	 */
	interrupt(said?: string): void {
		if (this.stages.interrupt((cleanup) => this.interrupt(cleanup))) {
			return;
		}

		const before = said ? `${said}\n` : '';
		const view = this.state.view;
		if (view && !view.session.finished) {
			if (!this.persist(view)) {
				return;
			}

			this.finish(ExitCode.interrupted, `${before}Interrupted. Your answers were saved.\nResume with: ${this.command(`resume ${view.session.id}`)}`);
			return;
		}

		this.finish(ExitCode.interrupted, `${before}Interrupted. Nothing was saved.`);
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
			const session = this.loadedStore().saveSession(view.session, this.env);
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

	/** A command as the person runs sso-setup (npx, or npm start in a checkout): hints run as printed. */
	command(args = ''): string {
		return commandLine(args, this.env);
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
