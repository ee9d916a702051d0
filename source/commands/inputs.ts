import {checkField, hostNameProblem, isSecretKey} from '../core/fields.js';
import {hasControlCharacters, maskUserInfo} from '../core/text.js';
import {shippedCatalogue} from '../core/flows/builtin.js';
import type {Catalogue} from '../core/flows/load.js';
import {computeValues, getPair, type Pair, pairFields, unmetRequirements, type Values} from '../core/flows/pair.js';
import {UsageError} from '../core/errors.js';
import type {Session} from '../core/session/store.js';
import {knownAutomation} from '../integrations/registry.js';
import {secretEnvironmentName} from '../secrets/secrets.js';
import type {ParsedCommand} from './parse.js';

/** The shipped flows, plus those of `--flows` (the only case that reads YAML and builds the schema). */
export async function loadFlows(extraDirectories: readonly string[]): Promise<Catalogue> {
	const shipped = await shippedCatalogue(knownAutomation);
	if (extraDirectories.length === 0) {
		return shipped;
	}

	const {loadCatalogue} = await import('../core/flows/load.js');
	return loadCatalogue(extraDirectories, knownAutomation, shipped);
}

/** Parses repeated `--set key=value`, validating each value with the pair's field rules. */
export function parseSetOptions(sets: readonly string[], pair: Pair, onWarning: (message: string) => void = () => {}): Values {
	const answers: Values = {};
	// Values read from another answer (a pasted issuer's realm): an explicit --set of the same key must agree.
	const filled: Values = {};
	const fields = new Map(pairFields(pair, {}).map((field) => [field.key, field]));
	// Fields hidden by a condition are still settable; look them up in the flows directly.
	for (const field of [...pair.idp.fields, ...pair.app.fields]) {
		if (!fields.has(field.key)) {
			fields.set(field.key, field);
		}
	}

	// Values the flows usually derive, settable for setups not made by sso-setup (e.g. verify).
	const extraKeys = new Set(['issuer', 'client_id', 'test_user', 'ca_file', 'discovery_url', 'authorize_url', 'token_url', 'userinfo_url', 'end_session_url', 'redirect_uri', ...advancedKeys.keys()]);
	for (const item of sets) {
		const separator = item.indexOf('=');
		if (separator <= 0) {
			throw new UsageError(`--set needs key=value, got "${withoutSecret(item)}".`, {hint: 'For example: --set app_url=https://harbor.example.com'});
		}

		const key = item.slice(0, separator).trim();
		const raw = item.slice(separator + 1);
		const field = fields.get(key);
		// A flow from --flows may name a secret field freely: its kind decides too.
		if (isSecretKey(key) || field?.kind === 'secret') {
			throw new UsageError(`${key} is a secret and is not accepted on the command line (other users can read it with ps).`, {
				hint: `Put it in the environment as ${secretEnvironmentName(key)}, or let the wizard ask for it.`,
			});
		}

		if (!field) {
			if (extraKeys.has(key)) {
				answers[key] = advancedKeys.has(key) ? checkAdvanced(key, raw) : ['client_id', 'ca_file', 'test_user'].includes(key) ? checkExtraText(key, raw) : checkExtraUrl(key, raw);
				continue;
			}

			throw new UsageError(`Unknown key "${withoutSecret(key)}" for ${pair.idp.id} → ${pair.app.id}.`, {
				hint: `Known keys: ${[...fields.keys()].filter((name) => !isSecretKey(name)).join(', ')}; also ${[...extraKeys].filter((name) => !fields.has(name)).join(', ')}.`,
			});
		}

		const check = checkField(field, raw, pair.app.scopes.separator);
		if (!check.ok) {
			throw new UsageError(`--set ${key}: ${check.error}`);
		}

		answers[key] = check.value;
		for (const [filledKey, value] of Object.entries(check.fills ?? {})) {
			const target = fields.get(filledKey);
			const filledCheck = target ? checkField(target, value, pair.app.scopes.separator) : undefined;
			if (filledCheck && !filledCheck.ok) {
				throw new UsageError(`--set ${key}: ${filledCheck.error}`);
			}

			filled[filledKey] = filledCheck?.ok ? filledCheck.value : value;
		}

		for (const message of [check.notice, check.warning]) {
			if (message) {
				onWarning(`--set ${key}: ${message}`);
			}
		}
	}

	for (const [key, value] of Object.entries(filled)) {
		if (answers[key] !== undefined && answers[key] !== value) {
			throw new UsageError(`--set ${key}=${answers[key]} contradicts the URL given, which names ${key} ${value}.`, {hint: `Give one of them: the bare address with --set ${key}=…, or the URL alone.`});
		}
	}

	return {...filled, ...answers};
}

/** Answers that need a missing other one (an admin group without a groups claim) are refused, with the reason. */
export function refuseUnmetRequirements(pair: Pair, answers: Values): void {
	const unmet = unmetRequirements(pair, computeValues(pair, answers));
	if (unmet.length > 0) {
		throw new UsageError(unmet.join(' '));
	}
}

/** "client_secret: …" is a secret with the wrong separator: name the key, never echo the value. */
function withoutSecret(text: string): string {
	return /secret|password|token|api_key|consumer_key/i.test(text) ? `${text.slice(0, Math.max(0, text.search(/[:\s]|$/)))}…` : text;
}

function checkExtraText(key: string, raw: string): string {
	if (hasControlCharacters(raw.trim())) {
		throw new UsageError(`--set ${key}: contains control characters.`);
	}

	if (key === 'client_id' && /\s/.test(raw.trim())) {
		throw new UsageError(`--set ${key}: a client ID has no spaces; copy it alone, without what stands next to it.`);
	}

	return raw.trim();
}

/** An issuer, endpoint or redirect URI: kept as given (issuers are compared byte for byte), but a real URL. */
function checkExtraUrl(key: string, raw: string): string {
	const value = raw.trim();
	const url = /^https?:\/\//i.test(value) && !/\s/.test(value) && !hasControlCharacters(value) && URL.canParse(value) ? new URL(value) : undefined;
	if (!url?.hostname) {
		throw new UsageError(`--set ${key}: must be a full http(s) URL.`);
	}

	if (url.username || url.password) {
		throw new UsageError(`--set ${key}: must not contain a user name or password (${maskUserInfo(value)}).`);
	}

	const hostProblem = hostNameProblem(url);
	if (hostProblem) {
		throw new UsageError(`--set ${key}: ${hostProblem}.`);
	}

	// Endpoints may carry a query (RFC 6749, 3.1); an issuer may not (OpenID Connect Discovery, 4.3). Neither a fragment.
	if (value.includes('#') || (key === 'issuer' && value.includes('?'))) {
		throw new UsageError(`--set ${key}: must not contain ${key === 'issuer' ? 'a query (?…) or ' : ''}a fragment (#…).`);
	}

	return value;
}

/**
 * Settings the wizard does not ask (their defaults suit nearly everyone) but scripts may set.
 * Left unset, the app's current value is kept (except verify_cert, which defaults to on).
 */
const advancedKeys = new Map<string, 'boolean' | 'text' | 'json'>([
	['verify_cert', 'boolean'],
	['oidc_logout', 'boolean'],
	['provider_name', 'text'],
	['extra_redirect_params', 'json'],
	['allowed_groups', 'text'],
	['authentik_authorization_flow', 'text'],
	['authentik_signing_key', 'text'],
]);

function checkAdvanced(key: string, raw: string): string {
	const value = raw.trim();
	switch (advancedKeys.get(key)) {
		case 'boolean': {
			if (!['true', 'false'].includes(value)) {
				throw new UsageError(`--set ${key}: use true or false.`);
			}

			return value;
		}

		case 'json': {
			try {
				const parsed: unknown = JSON.parse(value);
				if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((item) => typeof item === 'string')) {
					return JSON.stringify(parsed);
				}
			} catch {
				// Reported below, like any other value that is not an object of strings.
			}

			throw new UsageError(`--set ${key}: use a JSON object of strings, such as {"prompt":"login"}.`);
		}

		default: {
			return checkExtraText(key, raw);
		}
	}
}

export type PairInput = {pair: Pair; answers: Values; session?: Session};

/** --session ID, or --idp and --app, plus --set overrides. The session store loads only for --session. */
export async function resolvePairInput(parsed: ParsedCommand, catalogue: Catalogue, onWarning: (message: string) => void = warn): Promise<PairInput> {
	const sets = (parsed.options['set'] as string[] | undefined) ?? [];
	const sessionId = parsed.options['session'] as string | undefined;
	if (sessionId) {
		const {loadSession} = await import('../core/session/store.js');
		const session = loadSession(sessionId);
		for (const [option, value] of [['idp', session.idp], ['app', session.app]] as const) {
			const given = parsed.options[option];
			if (given !== undefined && given !== value) {
				throw new UsageError(`--${option} ${String(given)} does not match session ${sessionId} (${value}).`);
			}
		}

		const pair = getPair(catalogue, session.idp, session.app);
		return {pair, answers: {...session.answers, ...parseSetOptions(sets, pair, onWarning)}, session};
	}

	const idp = parsed.options['idp'];
	const app = parsed.options['app'];
	if (typeof idp !== 'string' || typeof app !== 'string') {
		throw new UsageError(`${parsed.command} needs --idp and --app (or --session ID).`, {
			hint: `IdPs: ${[...catalogue.idps.keys()].join(', ')}. Apps: ${[...catalogue.apps.keys()].join(', ')}.`,
		});
	}

	const pair = getPair(catalogue, idp, app);
	return {pair, answers: parseSetOptions(sets, pair, onWarning)};
}

function warn(message: string): void {
	process.stderr.write(`! ${message}\n`);
}
