import type {IndependentCheck} from '../types.js';
import {skipped} from '../values.js';
import {harborAppConfig} from './app-config-harbor.js';
import {ovhAppConfig} from './app-config-ovh.js';
import {portainerAppConfig} from './app-config-portainer.js';

/** Reads the app's side back: what it will really send to the IdP. */
export const appConfigCheck: IndependentCheck = {
	id: 'app-config',
	title: 'App settings',
	needsDiscovery: false,
	async run(context, discovery) {
		switch (context.values['app']) {
			case 'harbor': {
				return harborAppConfig(context, discovery);
			}

			case 'portainer': {
				return portainerAppConfig(context, discovery);
			}

			case 'ovh-mpr': {
				return ovhAppConfig(context, discovery);
			}

			default: {
				return skipped(context.values['app'] ? `Not checked: no app check for "${context.values['app']}".` : 'Not checked: no app value.');
			}
		}
	},
};
