import * as z from 'zod';
import {SsoSetupError} from '../../../core/errors.js';
import {atLeast, parseVersion, type Version} from '../../../core/versions.js';
import type {IntegrationContext} from '../../types.js';
import {readRegistration} from '../../kit/artifacts.js';
import type {Application, AuthentikApi, Flow, Keypair, Provider, ScopeMapping} from './authentik-api.js';

/** Everything plan() and register() need to know about the authentik instance, read in one go. */

export const scopeNames = ['openid', 'email', 'profile', 'offline_access'] as const;
export type ScopeName = (typeof scopeNames)[number];
export const managedScope = (name: ScopeName) => `goauthentik.io/providers/oauth2/scope-${name}`;

export type AuthentikFeatures = {
	/** redirect_uris as [{matching_mode, url}] (CVE-2024-52289 fix: 2024.8.5 and 2024.10.3 on). */
	redirectUriList: boolean;
	/** invalidation_flow exists and is required (2024.10 on). */
	invalidationFlow: boolean;
	/** Scope mappings live under /propertymappings/provider/scope/ (2024.8 on). */
	providerScopePath: boolean;
	/** The offline_access scope mapping ships with authentik (2024.2 on). */
	offlineAccess: boolean;
};

export function featuresOf(version: Version | undefined): AuthentikFeatures {
	if (!version) {
		return {redirectUriList: true, invalidationFlow: true, providerScopePath: true, offlineAccess: true};
	}

	return {
		redirectUriList: atLeast(version, [2024, 10, 3]) || (atLeast(version, [2024, 8, 5]) && !atLeast(version, [2024, 10, 0])),
		invalidationFlow: atLeast(version, [2024, 10, 0]),
		providerScopePath: atLeast(version, [2024, 8, 0]),
		offlineAccess: atLeast(version, [2024, 2, 0]),
	};
}

export const authentikRegistrationSchema = z.object({
	idp: z.literal('authentik'),
	providerPk: z.number().int(),
	slug: z.string(),
	applicationPk: z.string().optional(),
});
export type AuthentikRegistration = z.infer<typeof authentikRegistrationSchema>;

export type Findings = {
	versionText: string;
	version: Version | undefined;
	features: AuthentikFeatures;
	authorizationFlows: Flow[];
	invalidationFlows: Flow[];
	mappings: Map<ScopeName, ScopeMapping>;
	keys: Keypair[];
	application: Application | undefined;
	provider: Provider | undefined;
	warnings: string[];
};

export async function lookUp(context: IntegrationContext, api: AuthentikApi, slug: string, providerName: string): Promise<Findings> {
	context.progress('authentik: checking the API token and the version');
	const versionText = await api.version();
	const version = parseVersion(versionText);
	const features = featuresOf(version);
	const warnings: string[] = [];
	if (!version) {
		warnings.push(`authentik reports the version "${versionText}", which sso-setup cannot read; it assumes a current release.`);
	} else if (!features.redirectUriList) {
		warnings.push(`authentik ${versionText} matches redirect URIs as regular expressions (CVE-2024-52289); upgrade to 2024.8.5, 2024.10.3 or later.`);
	}

	context.progress('authentik: looking up the flows, scope mappings and signing keys');
	const [authorizationFlows, invalidationFlows, mappingList, keys] = await Promise.all([
		api.flows('authorization'),
		features.invalidationFlow ? api.flows('invalidation') : Promise.resolve([]),
		api.scopeMappings(features.providerScopePath, scopeNames.map(managedScope)),
		api.signingKeys(),
	]);
	const mappings = new Map<ScopeName, ScopeMapping>();
	for (const name of scopeNames) {
		const mapping = mappingList.find((candidate) => candidate.managed === managedScope(name));
		if (mapping) {
			mappings.set(name, mapping);
		}
	}

	context.progress(`authentik: looking for the application "${slug}"`);
	const {application, provider} = await findExisting(context, api, slug, providerName);
	return {versionText, version, features, authorizationFlows, invalidationFlows, mappings, keys, application, provider, warnings};
}

/** The application by slug; else the provider an interrupted run created (artifact), else one with our name and no application. */
async function findExisting(context: IntegrationContext, api: AuthentikApi, slug: string, providerName: string): Promise<{application?: Application; provider?: Provider}> {
	const application = await api.application(slug);
	if (application) {
		if (application.provider === null || application.provider === undefined) {
			return {application, provider: await orphanProvider(context, api, slug, providerName)};
		}

		const provider = await api.provider(application.provider);
		if (!provider) {
			throw new SsoSetupError(`authentik: the application "${slug}" already uses a provider that is not an OAuth2/OpenID provider.`, {
				hint: 'Choose another application slug, or remove that provider from the application in authentik first.',
			});
		}

		return {application, provider};
	}

	return {provider: await orphanProvider(context, api, slug, providerName)};
}

async function orphanProvider(context: IntegrationContext, api: AuthentikApi, slug: string, providerName: string): Promise<Provider | undefined> {
	const noted = readRegistration(context, authentikRegistrationSchema);
	if (noted && noted.slug === slug) {
		const provider = await api.provider(noted.providerPk);
		if (provider && (!provider.assigned_application_slug || provider.assigned_application_slug === slug)) {
			return provider;
		}
	}

	const named = await api.providerNamed(providerName);
	if (named && named.assigned_application_slug && named.assigned_application_slug !== slug) {
		throw new SsoSetupError(`authentik: a provider named "${providerName}" already belongs to the application "${named.assigned_application_slug}".`, {
			hint: 'Rename that provider in authentik, or choose the slug of that application.',
		});
	}

	return named;
}
