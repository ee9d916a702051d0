import {applicableBlocks, checklistValues, type Pair, pairWarnings, type Values} from '../core/flows/pair.js';
import {placeholderFor, referencedKeys, renderTemplate} from '../core/template.js';

export type ChecklistStep = {title: string; text: string};
export type Checklist = {
	title: string;
	idp: {id: string; name: string};
	app: {id: string; name: string};
	/** The values a person copies from one side to the other, with placeholders for unknown ones. */
	/** `note`: the value says where a secret is (never something to paste). */
	values: Array<{key: string; label: string; value: string; known: boolean; note?: true}>;
	sections: Array<{title: string; steps: ChecklistStep[]}>;
	warnings: Array<{id: string; title: string; text: string}>;
	notes: ChecklistStep[];
};

const summaryKeys: Array<[string, string]> = [
	['redirect_uri', 'Redirect URI (register it at the IdP)'],
	['issuer', 'Issuer / OIDC endpoint'],
	['client_id', 'Client ID'],
	['client_secret', 'Client secret'],
	['scopes', 'Scopes'],
	['username_claim', 'Username claim'],
	['groups_claim', 'Groups claim'],
	['authorize_url', 'Authorization URL'],
	['token_url', 'Token URL'],
	['userinfo_url', 'Userinfo URL'],
	['end_session_url', 'Logout (end-session) URL'],
	['fallback_login_url', 'Local admin sign-in (fallback)'],
];

/** Keys the app's own steps need beyond the common ones (Portainer types every endpoint by hand). */
const endpointKeys = new Set(['authorize_url', 'token_url', 'userinfo_url', 'end_session_url']);

/**
 * The complete manual procedure for the pair. Secret values are never part of it: a secret at hand
 * shows where it is (`secretPlaces`, e.g. "kept in memory for this run"; else "stored in keychain"),
 * an unknown one as a placeholder.
 */
export function buildChecklist(
	pair: Pair,
	answers: Values,
	storedSecrets: ReadonlySet<string> = new Set(),
	done: {idp?: boolean; app?: boolean} = {},
	secretPlaces: Readonly<Record<string, string>> = {},
): Checklist {
	const values = checklistValues(pair, withoutSecrets(answers));
	const notes = new Set<string>();
	for (const key of ['client_secret']) {
		const place = secretPlaces[key] ?? (storedSecrets.has(key) ? 'stored in keychain' : undefined);
		values[key] = place ? `(${place})` : placeholderFor(key);
		if (place) {
			notes.add(key);
		}
	}

	const render = (text: string) => renderText(text, values);
	const renderBlocks = (blocks: ReadonlyArray<{title: string; text: string; when?: unknown}>) =>
		applicableBlocks(blocks as Parameters<typeof applicableBlocks>[0], values, storedSecrets).map((block) => ({title: render(block.title), text: render(block.text)}));
	const appUsesEndpoints = JSON.stringify(pair.app.steps).includes('{{authorize_url}}');

	return {
		title: `Connect ${pair.app.name} to ${pair.idp.name}`,
		idp: {id: pair.idp.id, name: pair.idp.name},
		app: {id: pair.app.id, name: pair.app.name},
		values: summaryKeys
			.filter(([key]) => (appUsesEndpoints || !endpointKeys.has(key)) && (values[key] !== undefined || key === 'client_id'))
			.map(([key, label]) => {
				const value = values[key] ?? `<${key}>`;
				return {key, label, value, known: !value.includes('<') && value !== '', ...(notes.has(key) ? {note: true as const} : {})};
			}),
		sections: [
			{title: `1. In ${pair.idp.name}${done.idp ? ' (done by sso-setup; for reference)' : ''}`, steps: [...renderBlocks(pair.idp.steps), ...renderBlocks(pair.pair?.idp_steps ?? [])]},
			{title: `2. In ${pair.app.name}${done.app ? ' (done by sso-setup; for reference)' : ''}`, steps: [...renderBlocks(pair.app.steps), ...renderBlocks(pair.pair?.app_steps ?? [])]},
			{title: '3. Verify', steps: [...renderBlocks(pair.idp.verification), ...renderBlocks(pair.app.verification)]},
		],
		warnings: pairWarnings(pair, values, storedSecrets).map((warning) => ({id: warning.id, title: render(warning.title), text: render(warning.checklist_text ?? warning.text)})),
		notes: renderBlocks(pair.pair?.notes ?? []),
	};
}

/**
 * A value that is known to be empty (an optional part left out) renders as nothing, and a line made
 * only of such values disappears; an unknown value stays a <placeholder>.
 */
function renderText(text: string, values: Values): string {
	const empty = (key: string) => Object.hasOwn(values, key) && values[key] === '';
	return text
		.split('\n')
		.filter((line) => {
			const keys = referencedKeys(line);
			return !(keys.length > 0 && keys.every(empty) && line.replaceAll(/\{\{\s*[a-z][a-z0-9_]*\s*\}\}/g, '').trim() === '');
		})
		.map((line) => renderTemplate(line, values, (key) => (empty(key) ? '' : placeholderFor(key))))
		.join('\n')
		.trim();
}

function withoutSecrets(answers: Values): Values {
	return Object.fromEntries(Object.entries(answers).filter(([key]) => key !== 'client_secret'));
}
