import {skipped} from '../../core/check-outcome.js';
import type {IndependentCheck} from '../types.js';
import {appName} from '../values.js';

/** The local admin can still sign in with a password, so a broken IdP cannot lock anyone out. */
export const wayBackInCheck: IndependentCheck = {
	id: 'way-back-in',
	title: 'Way back in (local admin)',
	needsDiscovery: false,
	async run(context) {
		const base = context.values['app_url']?.replace(/\/+$/, '');
		const fallback = context.values['fallback_login_url'] ?? (context.app && base ? `${base}${context.app.fallbackPath}` : undefined);
		if (!fallback) {
			return skipped('Not checked: no app or app_url value.');
		}

		const where = `If the IdP fails, sign in at ${fallback}`;
		if (!context.app) {
			return skipped(`Not checked: sso-setup cannot sign in to ${appName(context)} itself. ${where} with the local admin's password.`);
		}

		return context.app.wayBackIn(context, {url: fallback, where});
	},
};
