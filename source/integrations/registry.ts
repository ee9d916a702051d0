import type {AppIntegration, IdpIntegration} from './types.js';

/**
 * id → code module, imported only when used so that `--help` or `checklist` never load them.
 * A flow file's `automation:` must name one of these.
 */
const idpLoaders: Record<string, () => Promise<IdpIntegration>> = {
	authentik: async () => (await import('./idp/authentik/index.js')).authentik,
	keycloak: async () => (await import('./idp/keycloak/index.js')).keycloak,
	'pocket-id': async () => (await import('./idp/pocket-id/index.js')).pocketId,
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
