import {SsoSetupError, UsageError} from '../../../core/errors.js';
import type {PlanChange, Question, Values} from '../../types.js';
import type {ApplicationBody, Flow, Keypair, ProviderBody, RedirectUris} from './authentik-api.js';
import {scopeNames, type Findings, type ScopeName} from './authentik-lookup.js';
import type {AppSettings} from '../../kit/app-settings.js';

/** Turns what authentik has into what to send: full bodies for a new client, only the differences for an existing one. */

export const flowQuestionKey = 'authentik_authorization_flow';
export const keyQuestionKey = 'authentik_signing_key';
const explicitConsent = 'default-provider-authorization-explicit-consent';
const implicitConsent = 'default-provider-authorization-implicit-consent';
const defaultInvalidation = 'default-provider-invalidation-flow';
const defaultKeyName = 'authentik Self-signed Certificate';

export type Decision = {
	action: 'create' | 'update' | 'none';
	summary: string[];
	changes: PlanChange[];
	questions: Question[];
	warnings: string[];
	/** The POST body when the provider is new, else the PATCH body (possibly empty). */
	provider: {create: ProviderBody} | {pk: number; update: ProviderBody};
	/** The POST body (without the provider pk, added once known) when the application is new. */
	application: {create: ApplicationBody} | {update: boolean};
};

export function decide(findings: Findings, settings: AppSettings, values: Values, slug: string, providerName: string): Decision {
	const existing = findings.provider;
	const questions: Question[] = [];
	const warnings = [...findings.warnings];
	const flow = chooseAuthorizationFlow(findings.authorizationFlows, values[flowQuestionKey], existing?.authorization_flow, questions, settings.appName);
	const invalidation = findings.features.invalidationFlow ? chooseInvalidationFlow(findings.invalidationFlows, existing?.invalidation_flow) : undefined;
	const key = chooseSigningKey(findings.keys, values[keyQuestionKey], existing?.signing_key, questions, warnings);
	const mappings = chooseMappings(findings, warnings);
	if (settings.groupsClaim && settings.groupsClaim !== 'groups') {
		warnings.push(`authentik sends group names in the "groups" claim (with the profile scope), not in "${settings.groupsClaim}": set the app's groups claim to "groups".`);
	}

	const wantedUris = withRedirectUri(existing?.redirect_uris, settings.redirectUri, findings.features.redirectUriList);
	const changes: PlanChange[] = [];
	const summary: string[] = [];
	const flowLabel = (pk: string | null | undefined, flows: Flow[]) => flows.find((candidate) => candidate.pk === pk)?.name ?? pk ?? 'none';

	let provider: Decision['provider'];
	if (existing) {
		const update: ProviderBody = {};
		const change = (field: keyof ProviderBody, label: string, from: string, to: string, value: ProviderBody[typeof field]) => {
			Object.assign(update, {[field]: value});
			changes.push({key: field, label, from, to});
		};

		if (flow.pk !== existing.authorization_flow) {
			change('authorization_flow', 'Authorization flow', flowLabel(existing.authorization_flow, findings.authorizationFlows), flow.name, flow.pk);
		}

		if (invalidation && !existing.invalidation_flow) {
			change('invalidation_flow', 'Invalidation flow', 'none', invalidation.name, invalidation.pk);
		}

		const current = existing.property_mappings ?? [];
		const missing = mappings.filter((mapping) => !current.includes(mapping.pk));
		if (missing.length > 0) {
			change('property_mappings', 'Scope mappings', `${current.length} mapping(s)`, `adds ${missing.map((mapping) => mapping.scope).join(', ')}`, [...current, ...missing.map((mapping) => mapping.pk)]);
		}

		if (wantedUris.changed) {
			change('redirect_uris', 'Redirect URIs', describeUris(existing.redirect_uris), describeUris(wantedUris.value), wantedUris.value);
		}

		if (key && key.pk !== existing.signing_key) {
			change('signing_key', 'Signing key', existing.signing_key ? (findings.keys.find((candidate) => candidate.pk === existing.signing_key)?.name ?? existing.signing_key) : 'none (HS256)', key.name, key.pk);
		}

		if (existing.client_type === 'public') {
			change('client_type', 'Client type', 'public', 'confidential', 'confidential');
		}

		if (existing.issuer_mode === 'global') {
			change('issuer_mode', 'Issuer mode', 'global', 'per provider', 'per_provider');
		}

		if (existing.include_claims_in_id_token === false) {
			change('include_claims_in_id_token', 'Include claims in ID token', 'no', 'yes', true);
		}

		if (settings.clientId && settings.clientId !== existing.client_id) {
			change('client_id', 'Client ID', existing.client_id, settings.clientId, settings.clientId);
		}

		provider = {pk: existing.pk, update};
		summary.push(
			changes.length > 0
				? `Update the OAuth2 provider "${existing.name}" (${changes.map((row) => row.label.toLowerCase()).join(', ')}).`
				: `The OAuth2 provider "${existing.name}" already has the right settings.`,
		);
	} else {
		const create: ProviderBody = {
			name: providerName,
			authorization_flow: flow.pk,
			...(invalidation ? {invalidation_flow: invalidation.pk} : {}),
			property_mappings: mappings.map((mapping) => mapping.pk),
			client_type: 'confidential',
			...(settings.clientId ? {client_id: settings.clientId} : {}),
			redirect_uris: wantedUris.value,
			...(key ? {signing_key: key.pk} : {}),
			include_claims_in_id_token: true,
			issuer_mode: 'per_provider',
		};
		provider = {create};
		changes.push(
			{key: 'provider', label: 'OAuth2 provider', to: providerName},
			{key: 'redirect_uris', label: 'Redirect URIs', to: describeUris(wantedUris.value)},
			{key: 'scopes', label: 'Scopes', to: mappings.map((mapping) => mapping.scope).join(', ')},
			{key: 'authorization_flow', label: 'Authorization flow', to: flow.name},
			...(invalidation ? [{key: 'invalidation_flow', label: 'Invalidation flow', to: invalidation.name}] : []),
			{key: 'signing_key', label: 'Signing key', to: key ? key.name : 'none (HS256)'},
			{key: 'client_id', label: 'Client ID', to: settings.clientId ?? 'generated by authentik'},
			{key: 'client_secret', label: 'Client secret', to: 'generated by authentik', secret: true},
		);
		summary.push(
			`Create the OAuth2/OpenID provider "${providerName}" in authentik ${findings.versionText}: confidential client, redirect URI ${settings.redirectUri}, scopes ${mappings.map((mapping) => mapping.scope).join(', ')}, authorization flow "${flow.name}"${key ? `, signing key "${key.name}"` : ''}.`,
			'authentik generates the client secret; sso-setup keeps it in the keychain, never in the session file.',
		);
	}

	let application: Decision['application'];
	if (findings.application) {
		const attach = !existing || findings.application.provider !== existing.pk;
		application = {update: attach};
		if (attach) {
			changes.push({key: 'application_provider', label: 'Provider of the application', from: 'none', to: providerName});
			summary.push(`Link the existing application "${slug}" to the provider.`);
		}
	} else {
		application = {create: {name: settings.appName, slug, ...(settings.launchUrl ? {meta_launch_url: settings.launchUrl} : {})}};
		changes.push({key: 'application', label: 'Application', to: `${settings.appName} (slug ${slug})`});
		summary.push(`Create the application "${settings.appName}" with the slug "${slug}", linked to that provider.`);
	}

	const action = !existing ? 'create' : changes.length > 0 ? 'update' : 'none';
	return {action, summary, changes, questions, warnings, provider, application};
}

function chooseAuthorizationFlow(flows: Flow[], answer: string | undefined, current: string | undefined, questions: Question[], appName: string): Flow {
	if (flows.length === 0) {
		throw new SsoSetupError('authentik: no authorization flow was found.', {
			hint: 'authentik ships "default-provider-authorization-explicit-consent"; check that the default blueprints were applied and that the token may view flows (authentik_flows.view_flow).',
		});
	}

	if (answer) {
		const chosen = flows.find((flow) => flow.slug === answer || flow.pk === answer);
		if (!chosen) {
			throw new UsageError(`authentik: there is no authorization flow "${answer}".`, {hint: `Choose one of: ${flows.map((flow) => flow.slug).join(', ')}.`});
		}

		return chosen;
	}

	const kept = current === undefined ? undefined : flows.find((flow) => flow.pk === current);
	if (kept) {
		return kept;
	}

	const chosen = flows.find((flow) => flow.slug === explicitConsent) ?? flows.find((flow) => flow.slug === implicitConsent) ?? flows[0]!;
	if (flows.length > 1) {
		questions.push({
			key: flowQuestionKey,
			label: 'authentik authorization flow',
			options: flows.map((flow) => ({value: flow.slug, label: flow.slug === explicitConsent ? `${flow.name} (asks each user once)` : flow.slug === implicitConsent ? `${flow.name} (no consent screen)` : flow.name})),
			default: chosen.slug,
			help: `Explicit consent asks each user once to allow ${appName} to read their profile; implicit consent skips that screen.`,
		});
	}

	return chosen;
}

function chooseInvalidationFlow(flows: Flow[], current: string | null | undefined): Flow {
	const kept = flows.find((flow) => flow.pk === current);
	const chosen = kept ?? flows.find((flow) => flow.slug === defaultInvalidation) ?? flows[0];
	if (!chosen) {
		throw new SsoSetupError('authentik: no invalidation flow was found, and authentik 2024.10 and later require one.', {
			hint: `authentik ships "${defaultInvalidation}"; check that the default blueprints were applied and that the token may view flows.`,
		});
	}

	return chosen;
}

function chooseSigningKey(keys: Keypair[], answer: string | undefined, current: string | null | undefined, questions: Question[], warnings: string[]): Keypair | undefined {
	if (answer) {
		const chosen = keys.find((key) => key.pk === answer || key.name === answer);
		if (!chosen) {
			throw new UsageError(`authentik: there is no signing key "${answer}" with a private key.`, {hint: keys.length > 0 ? `Choose one of: ${keys.map((key) => key.name).join(', ')}.` : 'Create a certificate in System → Certificates first.'});
		}

		return chosen;
	}

	const kept = keys.find((key) => key.pk === current);
	if (kept) {
		return kept;
	}

	if (keys.length === 0) {
		warnings.push('authentik has no certificate with a private key, so tokens will be signed with HS256 using the client secret; Harbor and most apps expect RS256. Create one in System → Certificates and run again.');
		return undefined;
	}

	const chosen = keys.find((key) => key.name === defaultKeyName) ?? keys[0]!;
	if (keys.length > 1) {
		questions.push({
			key: keyQuestionKey,
			label: 'authentik signing key',
			options: keys.map((key) => ({value: key.pk, label: key.name})),
			default: chosen.pk,
			help: 'The certificate whose private key signs the ID tokens (RS256). Any of them works; the default one is fine.',
		});
	}

	return chosen;
}

function chooseMappings(findings: Findings, warnings: string[]): Array<{scope: ScopeName; pk: string}> {
	const chosen: Array<{scope: ScopeName; pk: string}> = [];
	for (const scope of scopeNames) {
		const mapping = findings.mappings.get(scope);
		if (mapping) {
			chosen.push({scope, pk: mapping.pk});
		} else if (scope === 'openid') {
			throw new SsoSetupError('authentik: the managed "openid" scope mapping was not found.', {
				hint: 'Check that the default blueprints were applied (System → Blueprints) and that the token may view property mappings.',
			});
		} else if (scope === 'offline_access') {
			warnings.push(
				findings.features.offlineAccess
					? 'The "offline_access" scope mapping was not found: no refresh token will be issued, so Harbor CLI secrets expire with the ID token.'
					: `authentik ${findings.versionText} has no "offline_access" scope mapping (2024.2 and later): no refresh token will be issued.`,
			);
		} else {
			warnings.push(`The managed "${scope}" scope mapping was not found: the ${scope} claims will be missing.`);
		}
	}

	return chosen;
}

/**
 * Adds the app's redirect URI unless present. Current versions take strict entries; older ones a
 * newline-separated regex string, where the URL is written as is (the upgrade migration turns
 * each line into a strict entry, which an escaped regex would break).
 */
function withRedirectUri(current: RedirectUris | undefined, uri: string, list: boolean): {value: RedirectUris; changed: boolean} {
	const entries = current === undefined ? [] : typeof current === 'string' ? current.split(/\s+/).filter(Boolean).map((url) => ({matching_mode: 'regex' as const, url})) : current;
	const present = entries.some((entry) => entry.url === uri);
	const all = present ? entries : [...entries, {matching_mode: 'strict' as const, url: uri}];
	const sameFormat = current === undefined || (typeof current === 'string') !== list;
	return {value: list ? all : all.map((entry) => entry.url).join('\n'), changed: !present || !sameFormat};
}

function describeUris(uris: RedirectUris | undefined): string {
	if (uris === undefined || uris.length === 0) {
		return 'none';
	}

	return typeof uris === 'string' ? uris.split(/\s+/).filter(Boolean).join(', ') : uris.map((entry) => `${entry.url} (${entry.matching_mode})`).join(', ');
}
