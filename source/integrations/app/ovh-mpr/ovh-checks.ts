import {missingSecret, requireValues, type CheckOutcome} from '../../../core/check-outcome.js';
import {splitScopes} from '../../../core/scopes.js';
import {sameSet} from '../../../core/sets.js';
import {appHttp} from '../../kit/http-advice.js';
import {ovhApi, ovhRedirectUri, registryRef, registryUrl, type OvhOidc} from './ovh-api.js';
import type {AppVerification, IntegrationContext} from '../../types.js';
import {Findings} from '../../../core/findings.js';
import type {ProviderMetadata} from '../../../core/provider-metadata.js';
import {compareSignIn, harborCurrentUser, localAdminSignIn, startSignIn} from '../../kit/harbor-sign-in.js';
import {certificateChecksOff} from '../../kit/harbor-like.js';
import {withoutTrailingSlash} from '../../kit/values.js';
import {commandLine} from '../../../core/command-line.js';

const fixApply = `Apply the settings again (${commandLine('apply')}), or correct them in the OVHcloud Control Panel (Managed Private Registry → OIDC).`;

/**
 * Reads the registry's OIDC configuration back through the OVHcloud API (portainer-ovh.md §2),
 * then starts a sign-in at the registry itself, a managed Harbor, to see what it sends to the IdP.
 */
export async function ovhSettingsCheck(context: IntegrationContext, {discovery, idpName}: {discovery: Promise<ProviderMetadata | undefined>; idpName: string}): Promise<CheckOutcome> {
	const required = requireValues(context.values, ['issuer', 'client_id', 'ovh_application_key', 'ovh_service_name', 'ovh_registry_id']);
	if ('outcome' in required) {
		return required.outcome;
	}

	for (const key of ['ovh_application_secret', 'ovh_consumer_key']) {
		if (!(await context.secret(key))) {
			return missingSecret(key);
		}
	}

	const api = await ovhApi(context);
	const where = registryRef(context);
	const [oidc, registry] = await Promise.all([api.oidc(where, 'verify: ovh OIDC settings'), api.registry(where)]);
	const findings = new Findings();
	if (!oidc) {
		findings.fail('The registry has no OpenID Connect configuration.', fixApply);
		return findings.outcome();
	}

	const ready = checkStatus(findings, oidc.status);
	compareSettings(findings, oidc, context.values);
	const registered = context.values['redirect_uri'];
	const redirectUri = registry.url ? ovhRedirectUri(registry.url) : undefined;
	if (redirectUri && registered && redirectUri !== registered) {
		findings.fail(`The registry sends the redirect URI ${redirectUri}, not ${registered}.`, `Register ${redirectUri} at ${idpName}.`);
	}

	if (ready && registry.url) {
		const login = await startSignIn(appHttp(context), registryUrl(registry.url));
		compareSignIn(findings, login, {app: 'The registry', clientId: required.values.client_id, redirectUri: redirectUri ?? registered, metadata: await discovery});
	}

	return findings.outcome();
}

/** True when the configuration is in force; a change still being applied is worth a second look later. */
function checkStatus(findings: Findings, status: string): boolean {
	if (status === 'READY') {
		return true;
	}

	if (['INSTALLING', 'UPDATING', 'PATCHING'].includes(status)) {
		findings.warn(`OVHcloud is still applying the OIDC configuration (status ${status}).`, 'Run the verification again in a few minutes.');
	} else {
		findings.fail(`The registry's OIDC configuration is in status ${status}.`, `${fixApply} If the status stays ERROR, contact OVHcloud support with the registry id.`);
	}

	return false;
}

function compareSettings(findings: Findings, oidc: OvhOidc, values: Readonly<Record<string, string>>): void {
	const mismatches: string[] = [];
	const issuer = values['issuer'] ?? '';
	if (oidc.endpoint !== issuer) {
		mismatches.push(`endpoint "${oidc.endpoint}" instead of "${issuer}"`);
	}

	if (oidc.clientId !== values['client_id']) {
		mismatches.push(`client ID "${oidc.clientId}" instead of "${values['client_id'] ?? ''}"`);
	}

	if (values['scopes']) {
		const sent = oidc.scope.split(',').map((scope) => scope.trim()).filter(Boolean);
		const wanted = splitScopes(values['scopes'], values['scope_separator']);
		if (!sameSet(sent, wanted)) {
			mismatches.push(`scope "${oidc.scope}" instead of "${wanted.join(',')}" (comma-separated)`);
		}
	}

	for (const [key, field] of [['username_claim', 'userClaim'], ['groups_claim', 'groupsClaim']] as const) {
		const wanted = values[key];
		if (wanted && oidc[field] !== wanted) {
			mismatches.push(`${field} "${oidc[field] ?? ''}" instead of "${wanted}"`);
		}
	}

	if (mismatches.length > 0) {
		findings.fail(`The registry's OIDC settings differ: ${mismatches.join('; ')}.`, fixApply);
	} else {
		findings.ok(`The OVHcloud API reads back endpoint ${issuer} and client ${oidc.clientId}.`);
	}
}

/** The registry is a managed Harbor: its local admin signs in the same way. */
export async function ovhWayBackIn(context: IntegrationContext, {where}: {where: string}): Promise<CheckOutcome> {
	return localAdminSignIn(context, where, async () => harborCurrentUser(context, withoutTrailingSlash(context.values['app_url'] ?? '')));
}

export const ovhVerification: AppVerification = {
	name: 'the OVHcloud registry',
	fallbackPath: '/account/sign-in',
	comparesIssuer: true,
	needsOfflineAccess: true,
	trustPrivateCa: `The OVH registry must trust it too: use a certificate from a public CA, or set verifyCert to false (${certificateChecksOff}).`,
	readSettings: ovhSettingsCheck,
	wayBackIn: ovhWayBackIn,
};
