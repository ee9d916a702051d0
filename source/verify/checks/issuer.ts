import type {DiscoveryCheck} from '../types.js';
import {requireValues} from '../../core/check-outcome.js';
import {appName, idpName} from '../values.js';

/** Harbor (go-oidc) refuses any difference between its configured endpoint and the published issuer, trailing slash included. */
export const issuerCheck: DiscoveryCheck = {
	id: 'issuer',
	title: 'Issuer matches',
	needsDiscovery: true,
	async run(context, metadata) {
		const required = requireValues(context.values, ['issuer']);
		if ('outcome' in required) {
			return required.outcome;
		}

		const configured = required.values.issuer;
		const published = metadata.issuer;
		if (published === configured) {
			return {status: 'pass', seen: `The IdP publishes the issuer "${published}", exactly as configured.`};
		}

		const app = appName(context);
		const seen = `The IdP publishes the issuer "${published}", but ${app} is configured with "${configured}".`;
		const why = differenceHint(configured, published, idpName(context));
		if (context.app?.comparesIssuer === false) {
			// The app is given each endpoint URL and never compares issuers; other clients of the same IdP will.
			return {status: 'warn', seen, fix: `Use "${published}" as the issuer. ${why}${app} itself does not compare issuers, so sign-in may still work.`};
		}

		return {
			status: 'fail',
			seen,
			fix: `Set the issuer in ${app} to "${published}" (now "${configured}"): ${app} compares them byte for byte and refuses the sign-in with "issuer did not match". ${why}`.trim(),
		};
	},
};

function differenceHint(configured: string, published: string, idp: string): string {
	if (configured.replace(/\/+$/, '') === published.replace(/\/+$/, '')) {
		return published.endsWith('/')
			? `Only the final slash differs: ${idp}'s issuer ends with "/". `
			: `Only the final slash differs: ${idp}'s issuer has no final "/". `;
	}

	const host = (url: string) => URL.canParse(url) ? new URL(url).host : url;
	if (host(configured) !== host(published)) {
		return `The host differs: the IdP builds its issuer from its configured public URL or from the Host header (Keycloak's hostname option, authentik behind a proxy), so use the public URL everywhere. `;
	}

	return '';
}
