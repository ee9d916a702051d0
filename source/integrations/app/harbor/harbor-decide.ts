import * as z from 'zod';
import {UsageError} from '../../../core/errors.js';
import {atLeast, formatVersion, type Version} from '../../../core/versions.js';
import type {PlanChange, Values} from '../../types.js';
import {optionalBoolean, optionalValue} from '../../kit/values.js';
import type {HarborConfigurations} from './harbor-api.js';
import type {HarborLikeSettings} from '../../kit/harbor-like.js';
import {changeRow} from '../../kit/plan-rows.js';

/** Which Harbor configuration keys sso-setup sets, from which version, and how they compare (harbor.md §1). */

type Kind = 'string' | 'boolean' | 'json';
type KeySpec = {label: string; kind: Kind; since: Version};

export const harborKeys = {
	auth_mode: {label: 'Auth mode', kind: 'string', since: [2, 0, 0]},
	oidc_name: {label: 'OIDC provider name', kind: 'string', since: [1, 8, 0]},
	oidc_endpoint: {label: 'OIDC endpoint (issuer)', kind: 'string', since: [1, 8, 0]},
	oidc_client_id: {label: 'OIDC client ID', kind: 'string', since: [1, 8, 0]},
	oidc_scope: {label: 'OIDC scope', kind: 'string', since: [1, 8, 0]},
	oidc_user_claim: {label: 'Username claim', kind: 'string', since: [2, 1, 0]},
	oidc_groups_claim: {label: 'Group claim name', kind: 'string', since: [1, 10, 0]},
	oidc_admin_group: {label: 'OIDC admin group', kind: 'string', since: [2, 2, 0]},
	oidc_verify_cert: {label: 'Verify certificate', kind: 'boolean', since: [1, 8, 0]},
	oidc_auto_onboard: {label: 'Automatic onboarding', kind: 'boolean', since: [2, 1, 0]},
	oidc_extra_redirect_parms: {label: 'Extra redirect parameters', kind: 'json', since: [2, 2, 0]},
	primary_auth_mode: {label: 'Primary auth mode', kind: 'boolean', since: [2, 8, 0]},
	oidc_logout: {label: 'OIDC session logout', kind: 'boolean', since: [2, 13, 0]},
} as const satisfies Record<string, KeySpec>;

export type HarborKey = keyof typeof harborKeys;
export type HarborValue = string | boolean;
export type HarborDesired = Partial<Record<HarborKey, HarborValue>>;

export const secretKey = 'oidc_client_secret';
export const secretLabel = 'OIDC client secret';

const versionText = (version: Version) => `v${formatVersion(version)}`;

/** Harbor lists every setting it knows in GET /configurations (except secrets): that decides when the version is unknown. */
function supported(key: HarborKey, version: Version | undefined, current: HarborConfigurations): boolean {
	return version ? atLeast(version, harborKeys[key].since) : key in current;
}

const extraParamsSchema = z.record(z.string(), z.string());

function extraRedirectParams(values: Values): string {
	const raw = optionalValue(values, 'extra_redirect_params')!;
	try {
		return JSON.stringify(extraParamsSchema.parse(JSON.parse(raw)));
	} catch {
		throw new UsageError(`harbor: extra_redirect_params must be a JSON object of strings, such as {"prompt":"login"}, not ${raw}.`);
	}
}

/** What the OIDC keys should be, limited to what this Harbor version knows, with a warning for each left out. */
export function desiredHarborSettings(
	settings: HarborLikeSettings,
	values: Values,
	version: Version | undefined,
	current: HarborConfigurations,
): {desired: HarborDesired; warnings: string[]} {
	const wanted: HarborDesired = {
		auth_mode: 'oidc_auth',
		oidc_name: settings.name,
		oidc_endpoint: settings.endpoint,
		oidc_client_id: settings.clientId,
		oidc_scope: settings.scope,
		oidc_verify_cert: settings.verifyCert,
		// Left out unless given: an admin's own parameters (e.g. {"prompt":"login"}) are kept.
		...(optionalValue(values, 'extra_redirect_params') === undefined ? {} : {oidc_extra_redirect_parms: extraRedirectParams(values)}),
		...(settings.userClaim === undefined ? {} : {oidc_user_claim: settings.userClaim}),
		...(settings.groupsClaim === undefined ? {} : {oidc_groups_claim: settings.groupsClaim}),
		...(settings.adminGroup === undefined ? {} : {oidc_admin_group: settings.adminGroup}),
		...(settings.autoOnboard === undefined ? {} : {oidc_auto_onboard: settings.autoOnboard}),
	};
	const primary = optionalBoolean(values, 'primary_auth_mode', 'harbor');
	const logout = optionalBoolean(values, 'oidc_logout', 'harbor');
	if (primary !== undefined) wanted.primary_auth_mode = primary;
	if (logout !== undefined) wanted.oidc_logout = logout;

	const desired: HarborDesired = {};
	const warnings: string[] = [];
	const named = version ? `Harbor ${versionText(version)}` : 'This Harbor';
	for (const [key, value] of Object.entries(wanted) as Array<[HarborKey, HarborValue]>) {
		if (supported(key, version, current)) {
			desired[key] = value;
			continue;
		}

		const since = versionText(harborKeys[key].since);
		if (key === 'primary_auth_mode') {
			warnings.push(`${named} cannot make OIDC the primary sign-in (primary_auth_mode came with ${since}): people will see the local sign-in form with a "Login via OIDC provider" button.`);
		} else if (key === 'oidc_logout') {
			warnings.push(`${named} cannot sign people out of the identity provider when they sign out of Harbor (oidc_logout came with ${since}).`);
		} else if (key !== 'oidc_extra_redirect_parms' || value !== '{}') {
			warnings.push(`${named} has no "${harborKeys[key].label}" setting (it came with ${since}); it is left out.`);
		}
	}

	return {desired, warnings};
}

export function sameHarborValue(key: HarborKey, current: unknown, wanted: HarborValue): boolean {
	if (harborKeys[key].kind === 'json') {
		try {
			return JSON.stringify(JSON.parse(String(current))) === wanted;
		} catch {
			return false;
		}
	}

	return current === wanted;
}

/** The rows of the plan: each key whose current value differs from the wanted one. */
export function harborChanges(desired: HarborDesired, current: HarborConfigurations): PlanChange[] {
	const changes: PlanChange[] = [];
	for (const [key, wanted] of Object.entries(desired) as Array<[HarborKey, HarborValue]>) {
		const now = current[key]?.value;
		if (!sameHarborValue(key, now, wanted)) {
			changes.push(changeRow(key, harborKeys[key].label, now, wanted));
		}
	}

	return changes;
}

/** The current values of the keys sso-setup may change: the backup rollback restores. */
export function harborBackup(current: HarborConfigurations): Partial<Record<HarborKey, HarborValue>> {
	const backup: Partial<Record<HarborKey, HarborValue>> = {};
	for (const key of Object.keys(harborKeys) as HarborKey[]) {
		const value = current[key]?.value;
		if (typeof value === 'string' || typeof value === 'boolean') {
			backup[key] = value;
		}
	}

	return backup;
}
