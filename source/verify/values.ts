import type {VerifyContext} from './context.js';

/** The app in a sentence: the integration's own phrase, else the flow's name. */
export function appName(context: Pick<VerifyContext, 'values' | 'app'>): string {
	return context.app?.name ?? context.values['app_name'] ?? 'the app';
}

/** The IdP in a sentence: the integration's own phrase, else the flow's name. */
export function idpName(context: Pick<VerifyContext, 'values' | 'idp'>): string {
	return context.idp?.name ?? context.values['idp_name'] ?? 'the identity provider';
}
