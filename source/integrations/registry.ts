import type {AppIntegration, IdpIntegration} from './types.js';

/**
 * id → code module, imported only when used so that `--help` or `checklist` never load them.
 * A flow file's `automation:` must name one of these.
 */
const idpLoaders: Record<string, () => Promise<IdpIntegration>> = {};

const appLoaders: Record<string, () => Promise<AppIntegration>> = {};

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
