import {commandLine} from '../../core/command-line.js';
import {splitScopes} from '../../core/scopes.js';
import type {DiscoveryCheck} from '../types.js';
import {requireValues} from '../../core/check-outcome.js';
import type {ProviderMetadata} from '../../core/provider-metadata.js';
import {appName, idpName} from '../values.js';
import type {VerifyContext} from '../context.js';

const offlineAccessWhy = 'without a refresh token the CLI secret used for docker login stops working when the first ID token expires';

/**
 * What the app asks for is checked against the session (openid, offline_access when the app needs
 * it, the separator): those fail. What discovery publishes is only compared: OpenID Connect
 * Discovery lets a provider leave supported values out of scopes_supported, claims_supported and
 * grant_types_supported (one lists "openid profile email address phone" and still issues refresh
 * tokens for offline_access), so a value missing there is a warning naming it, never a failure.
 */
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
		const scopes = splitScopes(required.values.scopes, values['scope_separator']);
		const separator = values['scope_separator'] === ',' ? ',' : ' ';
		const separatorHint = scopes.some((scope) => /[\s,]/.test(scope)) ? ` The scopes must be separated by "${separator}" for ${app}.` : '';
		const failures: string[] = [];
		const fixes: string[] = [];
		if (!scopes.includes('openid')) {
			failures.push('openid is not among the scopes');
			fixes.push(`Add openid to the scopes of ${app}: without it there is no ID token.${separatorHint}`);
		}

		if (context.app?.needsOfflineAccess && !scopes.includes('offline_access')) {
			failures.push('offline_access is not among the scopes');
			fixes.push(`Add offline_access to the scopes of ${app}: ${offlineAccessWhy}.`);
		}

		const scopeList = scopes.join(' ');
		if (failures.length > 0) {
			return {status: 'fail', seen: `Scopes ${scopeList}: ${failures.join('; ')}.`, fix: fixes.join(' ')};
		}

		const notices = [...unlistedScopes(scopes, metadata, context, separatorHint), ...unlistedGrants(metadata, context), ...unlistedClaims(metadata, context)];
		const published = metadata.scopes_supported === undefined ? `Scopes ${scopeList} (the IdP does not publish scopes_supported)` : `Scopes ${scopeList}`;
		if (notices.length === 0) {
			const claims = wantedClaims(context).map(({claim}) => claim);
			const claimsSeen = metadata.claims_supported && claims.length > 0 ? `, and publishes the claims ${claims.join(', ')}` : '';
			return {status: 'pass', seen: metadata.scopes_supported === undefined ? `${published}${claimsSeen}.` : `The IdP offers every scope (${scopeList})${claimsSeen}.`};
		}

		return {
			status: 'warn',
			seen: `${published}: ${notices.map((notice) => notice.seen).join('; ')}. Discovery's lists may leave out what the IdP supports, so this alone is no failure.`,
			fix: `${notices.map((notice) => notice.fix).join(' ')} Run ${commandLine('verify --sign-in')} to see what the IdP really sends.`,
		};
	},
};

type Notice = {seen: string; fix: string};

function unlistedScopes(scopes: string[], metadata: ProviderMetadata, context: VerifyContext, separatorHint: string): Notice[] {
	const supported = metadata.scopes_supported;
	if (!supported) {
		return [];
	}

	const unlisted = scopes.filter((scope) => !supported.includes(scope));
	if (unlisted.length === 0) {
		return [];
	}

	const idp = idpName(context);
	const app = appName(context);
	const fixes: string[] = [];
	if (unlisted.includes('offline_access')) {
		fixes.push(`Check that ${idp} offers offline_access${context.idp?.offlineAccessHow ? ` (${context.idp.offlineAccessHow})` : ''}: ${offlineAccessWhy}.`);
	}

	const others = unlisted.filter((scope) => scope !== 'offline_access');
	if (others.length > 0) {
		fixes.push(`Check that ${idp} offers ${others.join(', ')}, or remove ${others.length === 1 ? 'it' : 'them'} from the scopes of ${app}.${separatorHint}`);
	}

	return [{seen: `scopes_supported (${supported.join(' ')}) does not list ${unlisted.join(', ')}`, fix: fixes.join(' ')}];
}

/** The grants the app uses: the code flow always, refresh tokens when it needs offline access. */
function unlistedGrants(metadata: ProviderMetadata, context: VerifyContext): Notice[] {
	const supported = metadata.grant_types_supported;
	if (!supported) {
		return [];
	}

	const wanted = ['authorization_code', ...(context.app?.needsOfflineAccess ? ['refresh_token'] : [])];
	const unlisted = wanted.filter((grant) => !supported.includes(grant));
	if (unlisted.length === 0) {
		return [];
	}

	return [
		{
			seen: `grant_types_supported (${supported.join(' ')}) does not list ${unlisted.join(', ')}`,
			fix: `Check that ${idpName(context)} allows the ${unlisted.map((grant) => (grant === 'refresh_token' ? 'refresh token grant' : 'authorization code flow')).join(' and the ')} for this client.`,
		},
	];
}

function wantedClaims({values}: VerifyContext): Array<{key: string; claim: string}> {
	return (['username_claim', 'groups_claim'] as const).flatMap((key) => (values[key] ? [{key, claim: values[key]}] : []));
}

function unlistedClaims(metadata: ProviderMetadata, context: VerifyContext): Notice[] {
	const supported = metadata.claims_supported;
	const missing = supported ? wantedClaims(context).filter(({claim}) => !supported.includes(claim)) : [];
	if (!supported || missing.length === 0) {
		return [];
	}

	return [
		{
			seen: `claims_supported lacks ${missing.map(({key, claim}) => `${claim} (${key})`).join(', ')}`,
			fix: `${context.idp?.claimsNote ? `${context.idp.claimsNote} ` : ''}Check that ${idpName(context)} puts ${missing.map(({claim}) => claim).join(' and ')} into the ID token or userinfo (a scope or protocol mapper), or pick a claim it publishes: ${supported.join(', ')}.`,
		},
	];
}
