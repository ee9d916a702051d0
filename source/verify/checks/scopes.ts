import {splitScopes} from '../../core/scopes.js';
import type {CheckOutcome, DiscoveryCheck} from '../types.js';
import {requireValues} from '../../core/check-outcome.js';
import {appName, idpName} from '../values.js';
import type {VerifyContext} from '../context.js';

const offlineAccessWhy = 'without a refresh token the CLI secret used for docker login stops working when the first ID token expires';

export const scopesCheck: DiscoveryCheck = {
	id: 'scopes',
	title: 'Scopes and claims',
	needsDiscovery: true,
	async run(context, metadata) {
		const required = requireValues(context.values, ['scopes']);
		if ('outcome' in required) {
			return required.outcome;
		}

		const {values} = context;
		const app = appName(context);
		const idp = idpName(context);
		const scopes = splitScopes(required.values.scopes, values['scope_separator']);
		const failures: string[] = [];
		const fixes: string[] = [];
		if (!scopes.includes('openid')) {
			failures.push('openid is not among the scopes');
			fixes.push(`Add openid to the scopes of ${app}: without it there is no ID token.`);
		}

		if (context.app?.needsOfflineAccess && !scopes.includes('offline_access')) {
			failures.push('offline_access is not among the scopes');
			fixes.push(`Add offline_access to the scopes of ${app}: ${offlineAccessWhy}.`);
		}

		const supported = metadata.scopes_supported;
		const unsupported = supported ? scopes.filter((scope) => !supported.includes(scope)) : [];
		if (unsupported.includes('offline_access')) {
			fixes.push(`Offer offline_access at ${idp}${context.idp?.offlineAccessHow ? ` (${context.idp.offlineAccessHow})` : ''}: ${offlineAccessWhy}.`);
		}

		const others = unsupported.filter((scope) => scope !== 'offline_access');
		if (others.length > 0) {
			const separatorHint = others.some((scope) => /[\s,]/.test(scope)) ? ` The scopes must be separated by "${values['scope_separator'] === ',' ? ',' : ' '}" for ${app}.` : '';
			fixes.push(`Remove ${others.join(', ')} from the scopes of ${app}, or offer ${others.length === 1 ? 'it' : 'them'} at ${idp}.${separatorHint}`);
		}

		if (unsupported.length > 0) {
			failures.push(`the IdP does not offer ${unsupported.join(', ')} (scopes_supported: ${supported?.join(' ')})`);
		}

		const scopeList = scopes.join(' ');
		if (failures.length > 0) {
			return {status: 'fail', seen: `Scopes ${scopeList}: ${failures.join('; ')}.`, fix: fixes.join(' ')};
		}

		return claimsOutcome(scopeList, supported !== undefined, metadata.claims_supported, context);
	},
};

function claimsOutcome(scopeList: string, published: boolean, claimsSupported: string[] | undefined, context: VerifyContext): CheckOutcome {
	const {values} = context;
	const scopesSeen = published ? `The IdP offers every scope (${scopeList})` : `Scopes ${scopeList} (the IdP does not publish scopes_supported)`;
	const wanted = (['username_claim', 'groups_claim'] as const).flatMap((key) => (values[key] ? [{key, claim: values[key]}] : []));
	if (!claimsSupported || wanted.length === 0) {
		return {status: 'pass', seen: `${scopesSeen}.`};
	}

	const missing = wanted.filter(({claim}) => !claimsSupported.includes(claim));
	if (missing.length === 0) {
		return {status: 'pass', seen: `${scopesSeen}, and publishes the claims ${wanted.map(({claim}) => claim).join(', ')}.`};
	}

	return {
		status: 'warn',
		seen: `${scopesSeen}, but claims_supported lacks ${missing.map(({key, claim}) => `${claim} (${key})`).join(', ')}.`,
		fix: `${context.idp?.claimsNote ? `${context.idp.claimsNote} ` : ''}Check that ${idpName(context)} puts ${missing.map(({claim}) => claim).join(' and ')} into the ID token or userinfo (a scope or protocol mapper), or pick a claim it publishes: ${claimsSupported.join(', ')}.`,
	};
}
