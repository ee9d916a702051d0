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
	| {name: 'fields'; index: number}
	| {name: 'warnings'; index: number}
	| {name: 'review'}
	| {name: 'automation'; stage: AutomationStage}
	| {name: 'checklist'}
	| {name: 'done'; message: string};

export type AutomationStage = 'register' | 'apply' | 'verify';

export function stepOf(screen: Screen): WizardStep | undefined {
	switch (screen.name) {
		case 'idp':
		case 'app': {
			return 'pair';
		}

		case 'fields':
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

/** An IdP admin credential was given, so the client will be registered automatically. */
export function hasAdminCredential(view: SessionView): boolean {
	return Boolean(view.pair.idp.automation) && view.pair.idp.fields.some((field) => field.role === 'admin-credential' && field.kind === 'secret' && view.presentSecrets.has(field.key));
}

export function hasAppCredential(view: SessionView): boolean {
	return Boolean(view.pair.app.automation) && view.pair.app.fields.some((field) => field.role === 'app-credential' && field.kind === 'secret' && view.presentSecrets.has(field.key));
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
			return screen.index > 0 ? {name: 'fields', index: screen.index - 1} : {name: 'app'};
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
