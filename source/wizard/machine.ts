import {buildChecklist, type ChecklistStep} from '../checklist/build.js';
import type {Field, Warning} from '../core/flows/schema.js';
import {fieldDefault, type Pair, pairFields, pairWarnings, computeValues} from '../core/flows/pair.js';
import type {Session, WizardStep} from '../core/session/store.js';

/**
 * The wizard's screens and the pure rules for moving between them. No I/O here: the controller
 * (controller.ts) persists and talks to the keychain; the Ink UI only renders.
 */
export type Screen =
	| {name: 'loading'; message: string}
	| {name: 'welcome'; resumable: Session[]}
	| {name: 'keychain'; reason: string}
	| {name: 'idp'}
	| {name: 'app'}
	| {name: 'fields'; index: number; detour?: Detour}
	| {name: 'warnings'; index: number}
	| {name: 'review'}
	/** One manual step of a side, in full; `then` comes after the last, `back` before the first. */
	| {name: 'steps'; side: Side; index: number; then: Screen; back: Screen}
	/** After resume: secrets the session had are not here (kept in memory by the run that saved it). */
	| {name: 'lost-secrets'; keys: string[]}
	| {name: 'automation'; stage: AutomationStage}
	| {name: 'checklist'}
	| {name: 'done'; message: string};

export type AutomationStage = 'register' | 'apply' | 'verify';

/** The two sides of a setup: the IdP (registration) and the app (its settings). */
export type Side = 'idp' | 'app';

/**
 * A few fields answered out of order (the one a failed step concerns, a secret to type again):
 * after the last of `keys`, the wizard goes to `then` instead of the next question.
 */
export type Detour = {keys: string[]; then: 'review' | 'resume' | Screen};

/** The order of the automated stages; a session gets those its credentials allow. */
export const stageOrder: readonly AutomationStage[] = ['register', 'apply', 'verify'];

export function stepOf(screen: Screen): WizardStep | undefined {
	switch (screen.name) {
		case 'idp':
		case 'app': {
			return 'pair';
		}

		case 'fields': {
			// A detour answers a few fields out of order: the session stays at the step it reached.
			return screen.detour ? undefined : 'fields';
		}

		case 'warnings':
		case 'review':
		case 'checklist': {
			return screen.name;
		}

		case 'automation': {
			return screen.stage;
		}

		case 'done': {
			return 'done';
		}

		default: {
			return undefined;
		}
	}
}

export type SessionView = {
	pair: Pair;
	session: Session;
	/** Secret keys whose value is available (keychain, environment or this run's memory). */
	presentSecrets: ReadonlySet<string>;
};

export function visibleFields(view: SessionView): Field[] {
	return pairFields(view.pair, view.session.answers, view.presentSecrets).filter((field) => !(field.role === 'registration' && hasAdminCredential(view)));
}

/** An IdP admin credential was given (and the person did not choose to go on by hand), so the client will be registered automatically. */
export function hasAdminCredential(view: SessionView): boolean {
	return (
		!byHand(view.session, 'idp') &&
		Boolean(view.pair.idp.automation) &&
		view.pair.idp.fields.some((field) => field.role === 'admin-credential' && field.kind === 'secret' && view.presentSecrets.has(field.key))
	);
}

/** The app's admin credential was given (and the person did not choose to go on by hand), so its settings are applied automatically. */
export function hasAppCredential(view: SessionView): boolean {
	return (
		!byHand(view.session, 'app') &&
		Boolean(view.pair.app.automation) &&
		view.pair.app.fields.some((field) => field.role === 'app-credential' && field.kind === 'secret' && view.presentSecrets.has(field.key))
	);
}

/** Where the session records the sides the person chose to do by hand after a failed automatic step. */
const byHandArtifact = 'wizard-by-hand';

export function byHand(session: Session, side: Side): boolean {
	const sides = session.artifacts[byHandArtifact];
	return Array.isArray(sides) && sides.includes(side);
}

export function withByHand(session: Session, side: Side): Session {
	const sides = Array.isArray(session.artifacts[byHandArtifact]) ? (session.artifacts[byHandArtifact] as unknown[]).filter((item): item is Side => item === 'idp' || item === 'app') : [];
	return {...session, artifacts: {...session.artifacts, [byHandArtifact]: [...new Set([...sides, side])]}};
}

/** The sides whose automation had one of these secrets (an IdP admin credential, the app's) and has no other now. */
export function lostSides(view: SessionView, keys: readonly string[]): Side[] {
	const needs = (fields: readonly Field[], role: Field['role']) => {
		const credentials = fields.filter((field) => field.role === role && field.kind === 'secret');
		return credentials.some((field) => keys.includes(field.key)) && !credentials.some((field) => view.presentSecrets.has(field.key));
	};
	return [...(needs(view.pair.idp.fields, 'admin-credential') ? (['idp'] as const) : []), ...(needs(view.pair.app.fields, 'app-credential') ? (['app'] as const) : [])];
}

/** The manual steps of one side, as the checklist says them (rendered with the answers so far). */
export function manualSteps(view: SessionView, side: Side): ChecklistStep[] {
	const checklist = buildChecklist(view.pair, view.session.answers, view.presentSecrets);
	return checklist.sections[side === 'idp' ? 0 : 1]?.steps ?? [];
}

/** The fields a side's own flow asks (the IdP's or the app's), in the order they are asked. */
export function sideFields(view: SessionView, side: Side): Field[] {
	const own = new Set((side === 'idp' ? view.pair.idp.fields : view.pair.app.fields).map((field) => field.key));
	return visibleFields(view).filter((field) => own.has(field.key));
}

/** The first field the IdP's registration produces (the client ID), on the manual path. */
export function firstRegistrationIndex(view: SessionView): number {
	return visibleFields(view).findIndex((field) => field.role === 'registration');
}

/** The first field of a detour's keys that is asked now, with the detour that remains after it. */
export function detourScreen(view: SessionView, detour: Detour): Screen | undefined {
	const fields = visibleFields(view);
	for (const [position, key] of detour.keys.entries()) {
		const index = fields.findIndex((field) => field.key === key);
		if (index !== -1) {
			return {name: 'fields', index, detour: {...detour, keys: detour.keys.slice(position)}};
		}
	}

	return undefined;
}

export function currentValues(view: SessionView): Record<string, string> {
	return computeValues(view.pair, view.session.answers);
}

export function warningsToShow(view: SessionView): Warning[] {
	return pairWarnings(view.pair, currentValues(view), view.presentSecrets);
}

/** What Enter keeps on a field: the saved answer, else the flow's default. */
export function initialValue(view: SessionView, field: Field): string {
	if (field.kind === 'secret') {
		return '';
	}

	return view.session.answers[field.key] ?? fieldDefault(view.pair, field, view.session.answers) ?? '';
}

export function isAnswered(view: SessionView, field: Field): boolean {
	return field.kind === 'secret' ? view.presentSecrets.has(field.key) : view.session.answers[field.key] !== undefined;
}

/** Where a resumed session continues: the first unanswered required field, else the saved step. */
export function resumeScreen(view: SessionView): Screen {
	const fields = visibleFields(view);
	const reached = view.session.step;
	const missing = fields.findIndex((field) => !isAnswered(view, field) && !(field.optional && field.kind === 'secret' && reached !== 'fields' && reached !== 'pair'));
	if (reached === 'pair') {
		return {name: 'fields', index: 0};
	}

	if (missing !== -1) {
		return {name: 'fields', index: missing};
	}

	switch (reached) {
		case 'fields':
		case 'warnings': {
			return {name: 'warnings', index: 0};
		}

		case 'review': {
			return {name: 'review'};
		}

		case 'register':
		case 'apply':
		case 'verify': {
			return {name: 'automation', stage: reached};
		}

		case 'checklist':
		case 'done': {
			return {name: 'checklist'};
		}
	}
}

/** The screen after a warning: the next warning, then the review. */
export function nextWarningScreen(view: SessionView, index: number): Screen {
	return index + 1 < warningsToShow(view).length ? {name: 'warnings', index: index + 1} : {name: 'review'};
}

export function previousScreen(view: SessionView | undefined, screen: Screen): Screen | undefined {
	switch (screen.name) {
		case 'app': {
			return {name: 'idp'};
		}

		case 'fields': {
			if (view && screen.index > 0 && screen.index === firstRegistrationIndex(view)) {
				const steps = manualSteps(view, 'idp');
				if (steps.length > 0) {
					return {name: 'steps', side: 'idp', index: steps.length - 1, then: {name: 'fields', index: screen.index}, back: {name: 'fields', index: screen.index - 1}};
				}
			}

			return screen.index > 0 ? {name: 'fields', index: screen.index - 1} : {name: 'app'};
		}

		case 'steps': {
			return screen.index > 0 ? {...screen, index: screen.index - 1} : screen.back;
		}

		case 'warnings': {
			if (screen.index > 0) {
				return {name: 'warnings', index: screen.index - 1};
			}

			return view ? {name: 'fields', index: Math.max(visibleFields(view).length - 1, 0)} : undefined;
		}

		case 'review': {
			const count = view ? warningsToShow(view).length : 0;
			return count > 0 ? {name: 'warnings', index: count - 1} : view ? {name: 'fields', index: Math.max(visibleFields(view).length - 1, 0)} : undefined;
		}

		case 'checklist': {
			return {name: 'review'};
		}

		default: {
			return undefined;
		}
	}
}
