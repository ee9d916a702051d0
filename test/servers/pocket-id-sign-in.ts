import {createHash, generateKeyPairSync, randomBytes, randomUUID, type KeyObject} from 'node:crypto';
import {exportJWK, SignJWT} from 'jose';
import type {FakePocketClient} from './pocket-id.js';
import {clientCredentials, redirect, respond, type IdpRequest, type Reply} from './recording-server.js';

/**
 * The part of the fake Pocket ID a sign-in goes through, following Pocket ID's backend (v2.14):
 * users and their groups (controller/user_controller.go, dto/user_dto.go), one-time access tokens
 * issued by an administrator and exchanged for the session cookie (onetimeaccess/), the fosite
 * authorize endpoint with its interaction sessions (oidc/authorization_handler.go,
 * authorization_service.go: authenticate, consent, re-authenticate; a user outside the allowed
 * groups is sent to /interaction/error), before v2.10 the web app's POST /api/oidc/authorize
 * (service/oidc_service.go), and a token endpoint and userinfo that honour the codes it issued,
 * with the claims of oidc/claims_service.go.
 */

export type FakePocketUser = {
	id: string;
	username: string;
	email: string | null;
	emailVerified: boolean;
	firstName: string;
	lastName: string;
	displayName: string;
	isAdmin: boolean;
	disabled: boolean;
	groupIds: string[];
};

type Group = {id: string; name: string; friendlyName: string};

export type PocketSignInShared = {
	url: () => string;
	/** The fake's version is at least major.minor. */
	at: (major: number, minor: number) => boolean;
	clients: FakePocketClient[];
	groups: Group[];
	contractErrors: string[];
	matchesCallback: (pattern: string, uri: string) => boolean;
};

type InteractionSession = {
	id: string;
	clientId: string;
	userId: string | undefined;
	scopes: string[];
	parameters: URLSearchParams;
	authenticationRequired: boolean;
	reauthenticationRequired: boolean;
	consentRequired: boolean;
};

type IssuedCode = {clientId: string; userId: string; scopes: string[]; redirectUri: string; nonce: string | undefined; challenge: string | undefined; method: string; expires: number; authTime: number};

/** UserCreateDto's JSON fields (v2.14): anything else is a typo the real server would silently drop. */
const userFields = new Set(['id', 'username', 'email', 'emailVerified', 'firstName', 'lastName', 'displayName', 'isAdmin', 'locale', 'disabled', 'userGroupIds']);
const usernamePattern = /^[a-zA-Z0-9]([a-zA-Z0-9_.@-]*[a-zA-Z0-9])?$/;
const clientScopes = new Set(['openid', 'profile', 'email', 'groups', 'offline_access']);
const accessDenied = 'You are not allowed to access this service.';
let rsaKey: {privateKey: KeyObject; publicKey: KeyObject} | undefined;

function signingKeyPair(): {privateKey: KeyObject; publicKey: KeyObject} {
	rsaKey ??= generateKeyPairSync('rsa', {modulusLength: 2048});
	return rsaKey;
}

export function createPocketSignIn(shared: PocketSignInShared) {
	const users: FakePocketUser[] = [];
	const oneTimeTokens = new Map<string, {userId: string; expires: number}>();
	/** Browser sessions: the access_token cookie's value → user id and sign-in time. */
	const browserSessions = new Map<string, {userId: string; authTime: number}>();
	const interactions = new Map<string, InteractionSession>();
	const consents = new Map<string, Set<string>>();
	const codes = new Map<string, IssuedCode>();
	const accessTokens = new Map<string, {userId: string; clientId: string; scopes: string[]}>();

	const cookieName = () => (shared.url().startsWith('http://') ? 'access_token' : '__Host-access_token');
	const error = (status: number, message: string, code: string) => respond(status, {error: message, code});
	const notSignedIn = () => error(401, 'You are not signed in', 'not_signed_in');
	const userNotFound = () => error(404, 'User not found', 'user_not_found');

	const groupView = (group: Group) => ({id: group.id, friendlyName: group.friendlyName, name: group.name, customClaims: [], userCount: users.filter((user) => user.groupIds.includes(group.id)).length, ldapId: null, createdAt: new Date().toISOString()});
	const userView = (user: FakePocketUser) => ({
		id: user.id,
		username: user.username,
		email: user.email,
		emailVerified: user.emailVerified,
		firstName: user.firstName,
		lastName: user.lastName,
		displayName: user.displayName,
		isAdmin: user.isAdmin,
		locale: null,
		customClaims: [],
		userGroups: shared.groups.filter((group) => user.groupIds.includes(group.id)).map(groupView),
		ldapId: null,
		disabled: user.disabled,
	});
	const groupNames = (user: FakePocketUser) => shared.groups.filter((group) => user.groupIds.includes(group.id)).map((group) => group.name);

	const signedInUser = (request: IdpRequest): {user: FakePocketUser; authTime: number} | undefined => {
		const cookie = (request.headers.cookie ?? '')
			.split(';')
			.map((part) => part.trim())
			.find((part) => part.startsWith(`${cookieName()}=`))
			?.slice(cookieName().length + 1);
		const session = cookie ? browserSessions.get(cookie) : undefined;
		const user = users.find((candidate) => candidate.id === session?.userId);
		return user && session && !user.disabled ? {user, authTime: session.authTime} : undefined;
	};

	/** IsUserGroupAllowedToAuthorize; before v2.0 a client with allowed groups was restricted to them. */
	const mayUse = (user: FakePocketUser, client: FakePocketClient): boolean => {
		const restricted = shared.at(2, 0) ? client.isGroupRestricted : client.allowedUserGroupIds.length > 0;
		return !restricted || client.allowedUserGroupIds.some((id) => user.groupIds.includes(id));
	};

	const hasConsent = (userId: string, clientId: string, scopes: readonly string[]) => {
		const given = consents.get(`${userId} ${clientId}`);
		return Boolean(given && scopes.every((scope) => given.has(scope)));
	};

	const consent = (userId: string, clientId: string, scopes: readonly string[]) => {
		const key = `${userId} ${clientId}`;
		consents.set(key, new Set([...(consents.get(key) ?? []), ...scopes]));
	};

	// ------------------------------------------------------------ the admin API (X-API-Key)

	const userProblems = (body: unknown): string[] => {
		if (!body || typeof body !== 'object') return ['the body is not a JSON object'];
		const record = body as Record<string, unknown>;
		const problems = Object.keys(record)
			.filter((key) => !userFields.has(key))
			.map((key) => `unknown field "${key}" in UserCreateDto`);
		if (typeof record['username'] !== 'string' || record['username'].length > 50 || !usernamePattern.test(record['username'])) problems.push('username is required: letters, digits, "_", ".", "@", "-", at most 50');
		if (record['email'] !== undefined && record['email'] !== null && (typeof record['email'] !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(record['email']))) problems.push('email must be an e-mail address');
		for (const key of ['firstName', 'lastName']) {
			if (record[key] !== undefined && (typeof record[key] !== 'string' || (record[key] as string).length > 50)) problems.push(`${key} must be at most 50 characters`);
		}

		for (const key of ['emailVerified', 'isAdmin', 'disabled']) {
			if (record[key] !== undefined && typeof record[key] !== 'boolean') problems.push(`${key} must be a boolean`);
		}

		return problems;
	};

	/** The admin routes of users and one-time access tokens; undefined for the others. */
	const api = (request: IdpRequest): Reply | undefined => {
		const {method, path, query, body} = request;
		const refuse = (problems: string[]) => {
			shared.contractErrors.push(...problems);
			return error(400, problems.join('; '), 'validation_error');
		};

		if (path === '/api/users' && method === 'GET') {
			const search = (query.get('search') ?? '').toLowerCase();
			const found = users.filter((user) => [user.username, user.email ?? '', user.firstName, user.lastName].some((field) => field.toLowerCase().includes(search))).map(userView);
			return respond(200, {data: found, pagination: {totalPages: 1, totalItems: found.length, currentPage: 1, itemsPerPage: 20}});
		}

		if (path === '/api/users' && method === 'POST') {
			const problems = userProblems(body);
			if (problems.length > 0) return refuse(problems);
			const wanted = body as Record<string, any>;
			if (wanted['email'] && users.some((user) => user.email === wanted['email'])) return error(409, 'Email is already in use', 'already_in_use');
			if (users.some((user) => user.username === wanted['username'])) return error(409, 'Username is already in use', 'already_in_use');
			const user: FakePocketUser = {
				id: wanted['id'] ?? randomUUID(),
				username: wanted['username'],
				email: wanted['email'] ?? null,
				emailVerified: wanted['emailVerified'] ?? false,
				firstName: wanted['firstName'] ?? '',
				lastName: wanted['lastName'] ?? '',
				displayName: wanted['displayName'] ?? '',
				isAdmin: wanted['isAdmin'] ?? false,
				disabled: wanted['disabled'] ?? false,
				groupIds: (wanted['userGroupIds'] ?? []).filter((id: string) => shared.groups.some((group) => group.id === id)),
			};
			users.push(user);
			return respond(201, userView(user));
		}

		const match = /^\/api\/users\/([^/]+)(\/[a-z-]+)?$/.exec(path);
		if (!match || match[1] === 'me') return undefined;
		const user = users.find((candidate) => candidate.id === decodeURIComponent(match[1]!));
		const route = `${method} ${match[2] ?? ''}`;
		if (!['GET ', 'DELETE ', 'PUT /user-groups', 'POST /one-time-access-token'].includes(route)) return undefined;
		if (!user) return userNotFound();
		switch (route) {
			case 'GET ': {
				return respond(200, userView(user));
			}

			case 'DELETE ': {
				users.splice(users.indexOf(user), 1);
				for (const [cookie, session] of browserSessions) if (session.userId === user.id) browserSessions.delete(cookie);
				return respond(204, undefined);
			}

			case 'PUT /user-groups': {
				const ids = (body as {userGroupIds?: unknown} | undefined)?.userGroupIds;
				if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) return refuse(['userGroupIds is required: a list of group ids']);
				user.groupIds = (ids as string[]).filter((id) => shared.groups.some((group) => group.id === id));
				return respond(200, userView(user));
			}

			default: {
				// POST /users/:id/one-time-access-token with tokenCreateDto {ttl}: a six-character code up to 15 minutes, twelve after.
				const ttl = seconds((body as {ttl?: unknown} | undefined)?.ttl);
				if (ttl === undefined || (ttl !== 0 && (ttl <= 1 || ttl > 31 * 24 * 3600))) return refuse(['ttl must be a duration between 1s and 31 days']);
				const lifetime = ttl === 0 ? 15 * 60 : ttl;
				const token = randomCode(lifetime <= 15 * 60 ? 6 : 12);
				oneTimeTokens.set(token, {userId: user.id, expires: Date.now() + lifetime * 1000});
				return respond(201, {token});
			}
		}
	};

	// ------------------------------------------------------------ the browser

	const exchangeOneTimeToken = (token: string): Reply => {
		const issued = oneTimeTokens.get(token);
		oneTimeTokens.delete(token);
		const user = users.find((candidate) => candidate.id === issued?.userId);
		if (!issued || issued.expires < Date.now() || !user) return error(401, 'Token is invalid or expired', 'token_invalid_or_expired');
		if (user.disabled) return error(403, 'User is disabled', 'user_disabled');
		const session = randomBytes(24).toString('hex');
		browserSessions.set(session, {userId: user.id, authTime: Math.floor(Date.now() / 1000)});
		// cookie.AddAccessTokenCookie: Secure and HttpOnly, whatever the scheme.
		return {...respond(200, userView(user)), headers: {'content-type': 'application/json', 'set-cookie': `${cookieName()}=${session}; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax`}};
	};

	const interactionView = (session: InteractionSession) => {
		const client = shared.clients.find((candidate) => candidate.id === session.clientId)!;
		const steps = requiredSteps(session);
		return {
			id: session.id,
			scopes: session.scopes,
			scopeInfo: [],
			client: {id: client.id, name: client.name, description: '', hasLogo: client.hasLogo, hasDarkLogo: false, launchURL: client.launchURL, requiresReauthentication: client.requiresReauthentication, clientType: client.isPublic ? 'public' : 'confidential'},
			...(steps[0] ? {currentStep: steps[0]} : {}),
			requiredSteps: steps,
		};
	};

	const completeInteraction = (request: IdpRequest, id: string): Reply => {
		const signedIn = signedInUser(request);
		const session = interactions.get(id);
		if (!session) return error(404, 'OIDC interaction not found or expired', 'not_found');
		if (!signedIn) return notSignedIn();
		const step = (request.body as {step?: unknown} | undefined)?.step;
		if (session.userId !== undefined && session.userId !== signedIn.user.id) return error(400, 'The interaction session belongs to another user.', 'invalid_request');
		const steps = requiredSteps(session);
		if (steps.length === 0) return respond(200, {redirectUrl: `/authorize?interaction=${encodeURIComponent(id)}`});
		if (steps[0] !== step) return error(400, `Expected interaction step ${steps[0]} but got ${String(step)}`, 'validation_error');
		switch (step) {
			case 'authenticate': {
				session.userId = signedIn.user.id;
				session.authenticationRequired = false;
				session.consentRequired ||= !hasConsent(signedIn.user.id, session.clientId, session.scopes);
				session.reauthenticationRequired ||= shared.clients.find((client) => client.id === session.clientId)?.requiresReauthentication ?? false;
				break;
			}

			case 'consent': {
				session.userId = signedIn.user.id;
				consent(signedIn.user.id, session.clientId, session.scopes);
				session.consentRequired = false;
				break;
			}

			default: {
				// reauthenticate needs the __Secure-reauthentication_token of a passkey ceremony.
				return error(400, 'Missing field reauthenticationToken', 'missing_field');
			}
		}

		return respond(200, requiredSteps(session).length === 0 ? {redirectUrl: `/authorize?interaction=${encodeURIComponent(id)}`} : {interaction: interactionView(session)});
	};

	const interactionError = (message: string) => redirect(`${shared.url()}/interaction/error?${new URLSearchParams({error: message})}`);

	/** fosite's authorize endpoint (v2.10 and later) with Pocket ID's interaction sessions. */
	const authorize = (request: IdpRequest): Reply => {
		let query = request.query;
		const resumed = query.get('interaction');
		const stored = resumed ? interactions.get(resumed) : undefined;
		if (resumed) {
			if (!stored) return interactionError('The interaction session is invalid or has expired.');
			query = new URLSearchParams(stored.parameters);
		}

		const client = shared.clients.find((candidate) => candidate.id === query.get('client_id'));
		if (!client) return interactionError('The requested OAuth 2.0 Client does not exist.');
		const redirectUri = query.get('redirect_uri') ?? '';
		if (!client.callbackURLs.some((pattern) => shared.matchesCallback(pattern, redirectUri))) return interactionError("The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.");
		const state = query.get('state') ?? '';
		if (state.length < 8) return interactionError('The state is missing or does not have enough characters and is therefore considered too weak.');
		// From here the redirect URI is valid: fosite sends errors to it.
		const toClient = (errorCode: string, description: string) => {
			const target = new URL(redirectUri);
			target.searchParams.set('error', errorCode);
			target.searchParams.set('error_description', description);
			target.searchParams.set('iss', shared.url());
			target.searchParams.set('state', state);
			return redirect(target.toString());
		};

		const scopes = (query.get('scope') ?? '').split(/\s+/).filter(Boolean);
		const unknown = scopes.find((scope) => !clientScopes.has(scope));
		if (unknown) return toClient('invalid_scope', `The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope '${unknown}'.`);
		if ((client.pkceEnabled || client.isPublic) && !query.get('code_challenge')) {
			return toClient('invalid_request', "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. This client requires PKCE, but the 'code_challenge' parameter is missing.");
		}

		const prompt = (query.get('prompt') ?? '').split(/\s+/);
		const signedIn = signedInUser(request);
		if (!signedIn) {
			if (prompt.includes('none')) return toClient('login_required', 'The Authorization Server requires End-User authentication.');
			if (stored) return redirect(`${shared.url()}/interaction?interaction=${encodeURIComponent(stored.id)}`);
			return redirect(`${shared.url()}/interaction?interaction=${encodeURIComponent(newInteraction(client, scopes, query, undefined, {authenticationRequired: true, consentRequired: prompt.includes('consent')}).id)}`);
		}

		const {user, authTime} = signedIn;
		if (!mayUse(user, client)) return interactionError(accessDenied);
		if (stored) {
			if (requiredSteps(stored).length > 0) return redirect(`${shared.url()}/interaction?interaction=${encodeURIComponent(stored.id)}`);
			interactions.delete(stored.id);
		} else {
			const consentRequired = prompt.includes('consent') || !hasConsent(user.id, client.id, scopes);
			if (prompt.includes('none') && consentRequired) return toClient('consent_required', 'The Authorization Server requires End-User consent.');
			if (consentRequired || client.requiresReauthentication) {
				const created = newInteraction(client, scopes, query, user.id, {consentRequired, reauthenticationRequired: client.requiresReauthentication});
				return redirect(`${shared.url()}/interaction?interaction=${encodeURIComponent(created.id)}`);
			}

			consent(user.id, client.id, scopes);
		}

		const code = `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
		codes.set(code, {clientId: client.id, userId: user.id, scopes, redirectUri, nonce: query.get('nonce') ?? undefined, challenge: query.get('code_challenge') ?? undefined, method: query.get('code_challenge_method') ?? 'plain', expires: Date.now() + 600_000, authTime});
		const target = new URL(redirectUri);
		target.searchParams.set('code', code);
		target.searchParams.set('iss', shared.url());
		target.searchParams.set('scope', scopes.join(' '));
		target.searchParams.set('state', state);
		return redirect(target.toString());
	};

	const newInteraction = (client: FakePocketClient, scopes: string[], query: URLSearchParams, userId: string | undefined, needs: {authenticationRequired?: boolean; consentRequired?: boolean; reauthenticationRequired?: boolean}) => {
		const parameters = new URLSearchParams(query);
		parameters.delete('interaction');
		const session: InteractionSession = {
			id: randomUUID(),
			clientId: client.id,
			userId,
			scopes,
			parameters,
			authenticationRequired: needs.authenticationRequired ?? false,
			reauthenticationRequired: needs.reauthenticationRequired ?? client.requiresReauthentication,
			consentRequired: needs.consentRequired ?? false,
		};
		interactions.set(session.id, session);
		return session;
	};

	/** Before v2.10: the web app's /authorize page POSTs this with the session cookie (service/oidc_service.go Authorize). */
	const legacyAuthorize = (request: IdpRequest): Reply => {
		const signedIn = signedInUser(request);
		if (!signedIn) return notSignedIn();
		const body = (request.body ?? {}) as Record<string, unknown>;
		// Go's JSON decoder matches "clientId" to the clientID field.
		const clientId = String(body['clientId'] ?? body['clientID'] ?? '');
		if (!clientId || typeof body['scope'] !== 'string') return error(400, 'clientID and scope are required', 'validation_error');
		const client = shared.clients.find((candidate) => candidate.id === clientId);
		if (!client) return error(404, 'Record not found', 'not_found');
		if (client.isPublic && !body['codeChallenge']) return error(400, 'code challenge is required for public clients', 'validation_error');
		const callbackURL = String(body['callbackURL'] ?? '');
		const matched = callbackURL === '' ? client.callbackURLs[0] : client.callbackURLs.some((pattern) => shared.matchesCallback(pattern, callbackURL)) ? callbackURL : undefined;
		if (!matched) return error(400, 'invalid callback URL, it might be necessary for an admin to fix this', 'validation_error');
		if (!mayUse(signedIn.user, client)) return error(403, "You're not allowed to access this service", 'access_denied');
		const scopes = body['scope'].split(/\s+/).filter(Boolean);
		consent(signedIn.user.id, client.id, scopes);
		const code = randomBytes(24).toString('hex');
		codes.set(code, {
			clientId: client.id,
			userId: signedIn.user.id,
			scopes,
			redirectUri: matched,
			nonce: typeof body['nonce'] === 'string' ? body['nonce'] : undefined,
			challenge: typeof body['codeChallenge'] === 'string' && body['codeChallenge'] ? body['codeChallenge'] : undefined,
			method: typeof body['codeChallengeMethod'] === 'string' && body['codeChallengeMethod'] ? body['codeChallengeMethod'] : 'plain',
			expires: Date.now() + 900_000,
			authTime: signedIn.authTime,
		});
		return respond(200, {code, callbackURL: matched, issuer: shared.url()});
	};

	// ------------------------------------------------------------ tokens

	const claimsFor = (user: FakePocketUser, scopes: readonly string[]): Record<string, unknown> => ({
		...(scopes.includes('profile')
			? {
					given_name: user.firstName,
					family_name: user.lastName,
					name: `${user.firstName} ${user.lastName}`.trim() || user.displayName,
					display_name: user.displayName,
					preferred_username: user.username,
					picture: `${shared.url()}/api/users/${user.id}/profile-picture.png`,
				}
			: {}),
		...(scopes.includes('email') && user.email ? {email: user.email, email_verified: user.emailVerified} : {}),
		...(scopes.includes('groups') ? {groups: groupNames(user)} : {}),
	});

	/** The authorization_code grant of a code this fake issued (the client is already authenticated); undefined for another code. */
	const exchange = async (request: IdpRequest, client: FakePocketClient): Promise<Reply | undefined> => {
		const form = (request.body ?? {}) as Record<string, string>;
		const issued = form['grant_type'] === 'authorization_code' ? codes.get(form['code'] ?? '') : undefined;
		if (!issued) return undefined;
		const fosite = shared.at(2, 10);
		const invalidGrant = () =>
			fosite
				? respond(400, {error: 'invalid_grant', error_description: 'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.'})
				: error(400, 'Invalid authorization code', 'invalid_grant');
		if (issued.clientId !== client.id || issued.expires < Date.now() || (fosite && issued.redirectUri !== form['redirect_uri'])) return invalidGrant();
		if (issued.challenge) {
			const verifier = form['code_verifier'] ?? '';
			const computed = issued.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
			if (computed !== issued.challenge) return invalidGrant();
		}

		codes.delete(form['code']!);
		const user = users.find((candidate) => candidate.id === issued.userId);
		if (!user || user.disabled) return invalidGrant();
		if (!mayUse(user, client)) return respond(403, {error: 'access_denied', error_description: `The resource owner or authorization server denied the request. ${accessDenied}`});
		const now = Math.floor(Date.now() / 1000);
		const accessToken = randomBytes(32).toString('hex');
		accessTokens.set(accessToken, {userId: user.id, clientId: client.id, scopes: issued.scopes});
		const idToken = await new SignJWT({
			iss: shared.url(),
			sub: user.id,
			aud: [client.id],
			exp: now + 3600,
			iat: now,
			auth_time: issued.authTime,
			...(issued.nonce ? {nonce: issued.nonce} : {}),
			...claimsFor(user, issued.scopes),
			type: 'id-token',
		})
			.setProtectedHeader({alg: 'RS256', kid: keyId(), typ: 'JWT'})
			.sign(signingKeyPair().privateKey);
		return respond(200, {
			access_token: accessToken,
			expires_in: 3600,
			id_token: idToken,
			scope: issued.scopes.join(' '),
			token_type: fosite ? 'bearer' : 'Bearer',
			...(issued.scopes.includes('offline_access') ? {refresh_token: randomBytes(32).toString('hex')} : {}),
		});
	};

	const userinfo = (request: IdpRequest): Reply => {
		const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
		const token = bearer ? accessTokens.get(bearer) : undefined;
		const user = users.find((candidate) => candidate.id === token?.userId);
		if (!token || !user) return respond(401, {error: 'invalid_token', error_description: 'Token is invalid or expired'});
		return respond(200, {sub: user.id, ...claimsFor(user, token.scopes)});
	};

	/** Routes a browser (or an app) calls without the API key; undefined for the others. */
	const browserRoute = (request: IdpRequest): Reply | Promise<Reply> | undefined => {
		const {method, path} = request;
		let match: RegExpMatchArray | null;
		if (method === 'POST' && (match = /^\/api\/one-time-access-token\/([^/]+)$/.exec(path))) return exchangeOneTimeToken(decodeURIComponent(match[1]!));
		if (shared.at(2, 10)) {
			if (method === 'GET' && (match = /^\/api\/oidc\/interactions\/([^/]+)$/.exec(path))) {
				const session = interactions.get(decodeURIComponent(match[1]!));
				return session ? respond(200, interactionView(session)) : error(404, 'OIDC interaction not found or expired', 'not_found');
			}

			if (method === 'POST' && (match = /^\/api\/oidc\/interactions\/([^/]+)\/complete$/.exec(path))) return completeInteraction(request, decodeURIComponent(match[1]!));
		} else if (method === 'POST' && path === '/api/oidc/authorize') {
			return legacyAuthorize(request);
		}

		if ((method === 'GET' || method === 'POST') && path === '/api/oidc/userinfo') return userinfo(request);
		if (method === 'GET' && path === '/.well-known/jwks.json') return exportJWK(signingKeyPair().publicKey).then((jwk) => respond(200, {keys: [{...jwk, kid: keyId(), alg: 'RS256', use: 'sig'}]}));
		return undefined;
	};

	return {
		users,
		interactions,
		api,
		browserRoute,
		authorize,
		exchange,
		/** The client a token request authenticates as (basic or post). */
		clientOf: (request: IdpRequest) => clientCredentials(request.headers, (request.body ?? {}) as Record<string, string>),
		/** The values of the browser sessions' cookies (a test looks for them in what was said). */
		sessionCookies: () => [...browserSessions.keys()],
	};
}

function requiredSteps(session: InteractionSession): string[] {
	return [
		...(session.authenticationRequired ? ['authenticate'] : []),
		...(session.reauthenticationRequired ? ['reauthenticate'] : []),
		...(session.consentRequired ? ['consent'] : []),
	];
}

/** JSONDuration: a number of seconds or a Go duration string ("5m", "1h30m"); 0 when absent. */
function seconds(value: unknown): number | undefined {
	if (value === undefined || value === '') return 0;
	if (typeof value === 'number') return value;
	if (typeof value !== 'string' || !/^(\d+(h|m|s))+$/.test(value)) return undefined;
	return [...value.matchAll(/(\d+)(h|m|s)/g)].reduce((total, [, amount, unit]) => total + Number(amount) * {h: 3600, m: 60, s: 1}[unit as 'h' | 'm' | 's'], 0);
}

function randomCode(length: number): string {
	const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
	return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function keyId(): string {
	return createHash('sha256').update(signingKeyPair().publicKey.export({format: 'der', type: 'spki'})).digest('hex').slice(0, 16);
}
