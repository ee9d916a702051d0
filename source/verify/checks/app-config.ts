import {skipped} from '../../core/check-outcome.js';
import type {IndependentCheck} from '../types.js';
import {idpName} from '../values.js';

/** Reads the app's side back: what it will really send to the IdP. Only the app's integration knows how. */
export const appConfigCheck: IndependentCheck = {
	id: 'app-config',
	title: 'App settings',
	needsDiscovery: false,
	async run(context, discovery) {
		if (!context.app) {
			return skipped(context.values['app'] ? `Not checked: no app check for "${context.values['app']}".` : 'Not checked: no app value.');
		}

		return context.app.readSettings(context, {discovery, idpName: idpName(context)});
	},
};
