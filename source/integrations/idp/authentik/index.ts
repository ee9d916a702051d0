import {SsoSetupError, UsageError} from '../../../core/errors.js';
import {requireSecret} from '../../kit/require-secret.js';
import {defineIdp, type IntegrationContext} from '../../types.js';
import {writeRegistration} from '../../kit/artifacts.js';
import {AuthentikApi, tokenHint} from './authentik-api.js';
import {decide} from './authentik-decide.js';
import {lookUp, type AuthentikRegistration} from './authentik-lookup.js';
import {confirmIssuer} from '../../kit/issuer-check.js';
import {readAppSettings, type AppSettings} from '../../kit/app-settings.js';
import {logIn} from './authentik-flow.js';
import {createTestUser, deleteTestUser, type TestUserTarget} from './authentik-test-user.js';

/**
 * authentik: an OAuth2/OpenID provider plus an application with the user's slug. Re-runs find the
 * application by slug and patch its provider; a provider created by an interrupted run is found
 * through the session artifact (or its name) and reused.
 */

const slugPattern = /^[-a-zA-Z0-9_]+$/;

type Prepared = {api: AuthentikApi; settings: AppSettings; slug: string; providerName: string};

async function prepare(context: IntegrationContext): Promise<Prepared> {
	const settings = readAppSettings(context, 'authentik');
	const slug = context.values['slug'] ?? settings.app;
	if (!slugPattern.test(slug)) {
		throw new UsageError(`authentik: "${slug}" is not a valid application slug.`, {hint: 'Use letters, digits, "-" and "_" only, e.g. --set slug=harbor.'});
	}

	const token = await requireSecret(context, 'authentik_token', 'authentik', tokenHint(settings.idpUrl));
	return {api: new AuthentikApi(context, settings.idpUrl, token), settings, slug, providerName: `Provider for ${slug}`};
}

/** Whether this session already holds the client id and secret that authentik has. */
async function credentialsKept(context: IntegrationContext, clientId: string, secret: string | undefined): Promise<boolean> {
	return context.values['client_id'] === clientId && secret !== undefined && (await context.secret('client_secret')) === secret;
}

async function testUserTarget(context: IntegrationContext): Promise<TestUserTarget> {
	const {api, settings, slug} = await prepare(context);
	return {api, idpUrl: settings.idpUrl, slug};
}

export function authentikIssuer(idpUrl: string, slug: string): string {
	return `${idpUrl}/application/o/${slug}/`;
}

export const authentik = defineIdp({
	id: 'authentik',
	verification: {
		name: 'authentik',
		issuerShape: 'An authentik issuer looks like https://<host>/application/o/<application slug>/ (with the final slash).',
		offlineAccessHow: 'add the offline_access scope mapping, goauthentik.io/providers/oauth2/scope-offline_access, to the provider',
		refusedCredentialsNote: 'authentik gives the same answer when the redirect URI is not registered: see the redirect URI check.',
		// providers/oauth2/views/token.py: __check_redirect_uri raises invalid_client before the code is looked up.
		refusesClientForUnregisteredRedirect: true,
	},
	adminCredentialKeys: ['authentik_token'],
	signIn: {
		async createTestUser(context, user) {
			return createTestUser(context, await testUserTarget(context), user);
		},
		async deleteTestUser(context, record) {
			return deleteTestUser(context, await testUserTarget(context), record);
		},
		async logIn(_context, browser, authorizeUrl, credentials) {
			return logIn(browser, authorizeUrl, credentials);
		},
	},
	async plan(context) {
		const {api, settings, slug, providerName} = await prepare(context);
		const findings = await lookUp(context, api, slug, providerName);
		const decision = decide(findings, settings, context.values, slug, providerName);
		const provider = findings.provider;
		if (decision.action === 'none' && provider && !(await credentialsKept(context, provider.client_id, provider.client_secret))) {
			decision.action = 'update';
			decision.changes.push({key: 'client_secret', label: 'Client ID and secret', to: 'read from authentik into this session (secret in the keychain)', secret: true});
		}

		return {
			action: decision.action,
			summary: [...decision.summary, `The issuer will be ${authentikIssuer(settings.idpUrl, slug)} (with its trailing slash).`],
			changes: decision.changes,
			questions: decision.questions,
			warnings: decision.warnings,
		};
	},
	async register(context) {
		const {api, settings, slug, providerName} = await prepare(context);
		const findings = await lookUp(context, api, slug, providerName);
		const decision = decide(findings, settings, context.values, slug, providerName);
		const done: string[] = [];
		let providerPk: number;
		if ('create' in decision.provider) {
			context.progress(`authentik: creating the OAuth2 provider "${providerName}"`);
			const created = await api.createProvider(decision.provider.create);
			providerPk = created.pk;
			await writeRegistration<AuthentikRegistration>(context, {idp: 'authentik', providerPk, slug});
			done.push(`authentik OAuth2 provider "${created.name}" (created)`);
		} else {
			providerPk = decision.provider.pk;
			await writeRegistration<AuthentikRegistration>(context, {idp: 'authentik', providerPk, slug, applicationPk: findings.application?.pk});
			if (Object.keys(decision.provider.update).length > 0) {
				context.progress(`authentik: updating the OAuth2 provider "${findings.provider?.name ?? providerName}"`);
				await api.updateProvider(providerPk, decision.provider.update);
				done.push(`authentik OAuth2 provider "${findings.provider?.name ?? providerName}" (updated)`);
			} else {
				done.push(`authentik OAuth2 provider "${findings.provider?.name ?? providerName}" (unchanged)`);
			}
		}

		if ('create' in decision.application) {
			context.progress(`authentik: creating the application "${slug}"`);
			const application = await api.createApplication({...decision.application.create, provider: providerPk});
			await writeRegistration<AuthentikRegistration>(context, {idp: 'authentik', providerPk, slug, applicationPk: application.pk});
			done.push(`authentik application "${slug}" (created)`);
		} else if (decision.application.update) {
			context.progress(`authentik: linking the application "${slug}" to the provider`);
			await api.updateApplication(slug, {provider: providerPk});
			done.push(`authentik application "${slug}" (linked to the provider)`);
		} else {
			done.push(`authentik application "${slug}" (unchanged)`);
		}

		context.progress('authentik: reading the client credentials');
		const provider = await api.provider(providerPk);
		if (!provider) {
			throw new SsoSetupError(`authentik: the OAuth2 provider ${providerPk} disappeared while it was being set up.`, {hint: 'Run the step again: it creates what is missing.'});
		}

		if (!provider.client_secret) {
			throw new SsoSetupError('authentik: the provider was saved, but authentik did not return its client secret.', {
				hint: 'Newer authentik releases may keep secrets elsewhere: copy the client secret from the provider page (Applications → Providers) and enter it as client_secret.',
			});
		}

		await context.setValue('client_id', provider.client_id);
		await context.setSecret('client_secret', provider.client_secret);
		const issuer = authentikIssuer(settings.idpUrl, slug);
		const warnings = [...decision.warnings, ...(await confirmIssuer(context, issuer, 'authentik'))];
		return {clientId: provider.client_id, issuer, done, warnings};
	},
});
