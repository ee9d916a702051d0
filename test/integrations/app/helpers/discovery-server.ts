import {startRecordingServer, type RecordingServer} from '../../../servers/recording-server.js';

/**
 * A minimal identity provider for app tests: only its discovery document, at
 * `<issuer without trailing slash>/.well-known/openid-configuration`, like authentik's per-app
 * issuers (which end in "/").
 */
export type DiscoveryServer = RecordingServer & {
	issuer: string;
	document: Record<string, string>;
};

export async function startDiscoveryServer(options: {issuerPath?: string; withoutEndSession?: boolean; tls?: {key: string; cert: string}} = {}): Promise<DiscoveryServer> {
	const issuerPath = options.issuerPath ?? '/application/o/harbor/';
	const holder: {document: Record<string, string>} = {document: {}};
	const server = await startRecordingServer({
		...(options.tls ? {tls: options.tls} : {}),
		failureBody: () => ({error: 'server_error'}),
		handle(call) {
			if (call.method === 'GET' && call.pathname === `${issuerPath.replace(/\/$/, '')}/.well-known/openid-configuration`) {
				return {status: 200, json: holder.document};
			}

			return {status: 404, json: {error: 'not_found'}};
		},
	});
	const issuer = `${server.url}${issuerPath}`;
	holder.document = {
		issuer,
		authorization_endpoint: `${server.url}/application/o/authorize/`,
		token_endpoint: `${server.url}/application/o/token/`,
		userinfo_endpoint: `${server.url}/application/o/userinfo/`,
		jwks_uri: `${server.url}${issuerPath}jwks/`,
		...(options.withoutEndSession ? {} : {end_session_endpoint: `${server.url}${issuerPath}end-session/`}),
	};
	return {...server, issuer, document: holder.document};
}
