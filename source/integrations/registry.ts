import type {AppIntegration, IdpIntegration} from './types.js';

/**
 * id → code module, imported only when used so that `--help` or `checklist` never load them.
 * A flow file's `automation:` must name one of these.
 */
const idpLoaders: Record<string, () => Promise<IdpIntegration>> = {
	authentik: async () => (await import('./idp/authentik/index.js')).authentik,
	keycloak: async () => (await import('./idp/keycloak/index.js')).keycloak,
	'pocket-id': async () => (await import('./idp/pocket-id/index.js')).pocketId,
	// The generic provider: no admin API (no flow names it as automation), but discovery and verification hints.
	oidc: async () => (await import('./idp/oidc/index.js')).oidcGeneric,
};

const appLoaders: Record<string, () => Promise<AppIntegration>> = {
	harbor: async () => (await import('./app/harbor/index.js')).harbor,
	portainer: async () => (await import('./app/portainer/index.js')).portainer,
	'ovh-mpr': async () => (await import('./app/ovh-mpr/index.js')).ovhMpr,
};

export const knownAutomation = {
	idp: ['authentik', 'keycloak', 'pocket-id'],
	app: ['harbor', 'portainer', 'ovh-mpr'],
} as const;

export async function loadIdpIntegration(id: string): Promise<IdpIntegration | undefined> {
	return idpLoaders[id]?.();
}

export async function loadAppIntegration(id: string): Promise<AppIntegration | undefined> {
	return appLoaders[id]?.();
}

/**
 * The integrations of a pair's two flows: the IdP's automation, else the built-in module of that
 * id (the generic provider's discovery); the app's automation only, so that an app added with
 * --flows and no automation gets the generic checks and nothing of another app.
 */
export async function loadPairIntegrations(pair: {idp: {id: string; automation?: string | undefined}; app: {automation?: string | undefined}}): Promise<{idp?: IdpIntegration | undefined; app?: AppIntegration | undefined}> {
	const [idp, app] = await Promise.all([loadIdpIntegration(pair.idp.automation ?? pair.idp.id), pair.app.automation ? loadAppIntegration(pair.app.automation) : undefined]);
	return {idp, app};
}
