import {applicableBlocks, checklistValues, type Pair, pairWarnings, type Values} from '../core/flows/pair.js';
import {renderTemplate} from '../core/template.js';

export type ChecklistStep = {title: string; text: string};
export type Checklist = {
	title: string;
	idp: {id: string; name: string};
	app: {id: string; name: string};
	/** The values a person copies from one side to the other, with placeholders for unknown ones. */
	values: Array<{key: string; label: string; value: string; known: boolean}>;
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
 * The complete manual procedure for the pair. Secret values are never part of it: a secret the
 * session holds shows as "(stored in keychain)", an unknown one as a placeholder.
 */
export function buildChecklist(pair: Pair, answers: Values, storedSecrets: ReadonlySet<string> = new Set(), done: {idp?: boolean; app?: boolean} = {}): Checklist {
	const values = checklistValues(pair, withoutSecrets(answers));
	for (const key of ['client_secret']) {
		values[key] = storedSecrets.has(key) ? '(stored in keychain)' : `<${key}>`;
	}

	const render = (text: string) => renderTemplate(text, values).trim();
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
				return {key, label, value, known: !value.includes('<') && value !== ''};
			}),
		sections: [
			{title: `1. In ${pair.idp.name}${done.idp ? ' (done by sso-setup; for reference)' : ''}`, steps: [...renderBlocks(pair.idp.steps), ...renderBlocks(pair.pair?.idp_steps ?? [])]},
			{title: `2. In ${pair.app.name}${done.app ? ' (done by sso-setup; for reference)' : ''}`, steps: [...renderBlocks(pair.app.steps), ...renderBlocks(pair.pair?.app_steps ?? [])]},
			{title: '3. Verify', steps: [...renderBlocks(pair.idp.verification), ...renderBlocks(pair.app.verification)]},
		],
		warnings: pairWarnings(pair, values, storedSecrets).map((warning) => ({id: warning.id, title: render(warning.title), text: render(warning.text)})),
		notes: renderBlocks(pair.pair?.notes ?? []),
	};
}

function withoutSecrets(answers: Values): Values {
	return Object.fromEntries(Object.entries(answers).filter(([key]) => key !== 'client_secret'));
}
