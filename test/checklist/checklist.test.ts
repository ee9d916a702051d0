import {describe, expect, it} from 'vitest';
import {buildChecklist, type Checklist} from '../../source/checklist/build.js';
import {checklistFormats, type ChecklistFormat, formatChecklist} from '../../source/checklist/format.js';
import {loadCatalogue} from '../../source/core/flows/load.js';
import {computeValues, fieldDefault, getPair, pairFields, pairWarnings, type Values} from '../../source/core/flows/pair.js';
import {shippedFlowsDirectory} from '../../source/core/paths.js';
import {knownAutomation} from '../../source/integrations/registry.js';

const catalogue = loadCatalogue([shippedFlowsDirectory()], knownAutomation);

const idpAnswers: Record<string, Values> = {
	authentik: {idp_url: 'https://auth.example.com'},
	'pocket-id': {idp_url: 'https://id.example.com'},
	// No realm: the issuer must show it as a placeholder.
	keycloak: {idp_url: 'https://kc.example.com'},
	oidc: {issuer: 'https://login.example.com/', client_id: 'registry'},
};
const appAnswers: Record<string, Values> = {
	harbor: {app_url: 'https://harbor.example.com'},
	portainer: {app_url: 'https://portainer.example.com'},
	'ovh-mpr': {app_url: 'https://abcd1234.c1.gra9.container-registry.ovh.net'},
};

const issuerFor = (idp: string, app: string): string =>
	({
		authentik: `https://auth.example.com/application/o/${app}/`,
		'pocket-id': 'https://id.example.com',
		keycloak: 'https://kc.example.com/realms/<realm>',
		oidc: 'https://login.example.com/',
	})[idp]!;
const redirectFor: Record<string, string> = {
	harbor: 'https://harbor.example.com/c/oidc/callback',
	portainer: 'https://portainer.example.com/',
	'ovh-mpr': 'https://abcd1234.c1.gra9.container-registry.ovh.net/c/oidc/callback',
};
const scopesFor = (idp: string, app: string): string => {
	const scopes = app === 'portainer' ? ['openid', 'profile', 'email'] : ['openid', 'profile', 'email', 'offline_access'];
	return [...scopes, ...(idp === 'pocket-id' ? ['groups'] : [])].join(app === 'portainer' ? ' ' : ',');
};

/** Secrets a careless session or caller might hand over: none may reach the output. */
const secretAnswers: Values = {
	client_secret: 'never-print-client-secret',
	harbor_admin_password: 'never-print-harbor-password',
	authentik_token: 'never-print-authentik-token',
	keycloak_admin_password: 'never-print-keycloak-password',
	pocket_id_api_key: 'never-print-pocket-key',
	portainer_api_key: 'never-print-portainer-key',
	ovh_application_secret: 'never-print-ovh-secret',
	ovh_consumer_key: 'never-print-ovh-consumer',
};

function checklistFor(idp: string, app: string, answers: Values = {...idpAnswers[idp], ...appAnswers[app]}, stored: string[] = []): Checklist {
	return buildChecklist(getPair(catalogue, idp, app), answers, new Set(stored));
}

function render(idp: string, app: string, format: ChecklistFormat, answers?: Values, stored?: string[]): string {
	return formatChecklist(checklistFor(idp, app, answers, stored), format);
}

const value = (checklist: Checklist, key: string) => checklist.values.find((item) => item.key === key)?.value;
const allText = (checklist: Checklist) => JSON.stringify(checklist);

describe('every IdP × app pair, in every format', () => {
	for (const idp of Object.keys(idpAnswers)) {
		for (const app of Object.keys(appAnswers)) {
			for (const format of checklistFormats) {
				it(`${idp} → ${app} (${format})`, () => {
					const output = render(idp, app, format, {...idpAnswers[idp], ...appAnswers[app], ...secretAnswers}, ['client_secret']);
					const idpName = catalogue.idps.get(idp)!.name;
					const appName = catalogue.apps.get(app)!.name;

					expect(output).toContain(redirectFor[app]);
					expect(output).toContain(issuerFor(idp, app));
					expect(output).toContain(scopesFor(idp, app));
					expect(output).toContain('(stored in keychain)');
					for (const secret of Object.values(secretAnswers)) {
						expect(output).not.toContain(secret);
					}

					expect(output).not.toMatch(/\{\{|undefined|\[object Object\]|NaN/);

					if (format === 'json') {
						const parsed = JSON.parse(output) as Checklist;
						expect(parsed.title).toBe(`Connect ${appName} to ${idpName}`);
						expect(parsed.idp).toEqual({id: idp, name: idpName});
						expect(parsed.app).toEqual({id: app, name: appName});
						expect(parsed.sections.map((section) => section.title)).toEqual([`1. In ${idpName}`, `2. In ${appName}`, '3. Verify']);
						expect(parsed.values.find((item) => item.key === 'redirect_uri')).toMatchObject({value: redirectFor[app], known: true});
						expect(parsed.values.find((item) => item.key === 'client_secret')).toMatchObject({value: '(stored in keychain)'});
						for (const section of parsed.sections) {
							expect(section.steps.length, section.title).toBeGreaterThan(0);
						}
					} else if (format === 'markdown') {
						expect(output.startsWith(`# Connect ${appName} to ${idpName}\n`)).toBe(true);
						expect(output).toContain(`| Redirect URI (register it at the IdP) | \`${redirectFor[app]}\` |`);
						expect(output).toContain(`## 1. In ${idpName}`);
					} else {
						expect(output.startsWith(`Connect ${appName} to ${idpName}\n===`)).toBe(true);
						// Plain text: no Markdown left over, not even from code blocks.
						expect(output).not.toMatch(/\*\*|`/);
						expect(output).not.toMatch(/^\s*json\s*$/m);
					}
				});
			}
		}
	}
});

describe('Harbor', () => {
	it('with authentik: redirect URI, issuer with its trailing slash and comma scopes', () => {
		const checklist = checklistFor('authentik', 'harbor');
		expect(value(checklist, 'redirect_uri')).toBe('https://harbor.example.com/c/oidc/callback');
		expect(value(checklist, 'issuer')).toBe('https://auth.example.com/application/o/harbor/');
		expect(value(checklist, 'scopes')).toBe('openid,profile,email,offline_access');
		const harborSide = checklist.sections[1]!.steps.map((step) => step.text).join('\n');
		expect(harborSide).toContain('OIDC Endpoint: `https://auth.example.com/application/o/harbor/` (exactly, including any trailing slash)');
		expect(harborSide).toContain('OIDC Scope: `openid,profile,email,offline_access` (commas, no spaces)');
		// Harbor takes the endpoints from discovery: the checklist does not list them.
		expect(checklist.values.map((item) => item.key)).not.toContain('authorize_url');
	});

	it('warns about local users and gives the /account/sign-in fallback before anything else', () => {
		const checklist = checklistFor('authentik', 'harbor');
		expect(checklist.warnings.map((warning) => warning.id)).toEqual(['harbor-local-users', 'harbor-fallback-login', 'harbor-scope-separator']);
		expect(checklist.warnings[0]!.text).toContain('the auth mode cannot be modified as new users have been inserted into database');
		expect(checklist.warnings[1]!.title).toBe('Keep the local sign-in page: https://harbor.example.com/account/sign-in');
		expect(value(checklist, 'fallback_login_url')).toBe('https://harbor.example.com/account/sign-in');
		const markdown = formatChecklist(checklist, 'markdown');
		expect(markdown.indexOf('## Before you start')).toBeLessThan(markdown.indexOf('## 1. In authentik'));
	});

	it('with Pocket ID: groups in the scopes and the PKCE step', () => {
		const checklist = checklistFor('pocket-id', 'harbor');
		expect(value(checklist, 'scopes')).toBe('openid,profile,email,offline_access,groups');
		expect(value(checklist, 'issuer')).toBe('https://id.example.com');
		expect(value(checklist, 'groups_claim')).toBe('groups');
		const pocketSide = checklist.sections[0]!.steps;
		expect(pocketSide.map((step) => step.title)).toContain('Tick PKCE');
		expect(pocketSide.find((step) => step.title === 'Tick PKCE')!.text).toBe('Check **PKCE**. Harbor sends a PKCE challenge on every sign-in.');
		expect(checklist.notes.map((note) => note.title)).toEqual(['Groups from Pocket ID']);
	});

	it('with Keycloak: the issuer ends with /realms/<realm> until the realm is known, and PKCE is set to S256', () => {
		const checklist = checklistFor('keycloak', 'harbor');
		expect(value(checklist, 'issuer')).toBe('https://kc.example.com/realms/<realm>');
		expect(checklist.values.find((item) => item.key === 'issuer')!.known).toBe(false);
		expect(checklist.sections[0]!.steps.find((step) => step.title === 'PKCE')!.text).toContain('`S256`');
		expect(value(checklistFor('keycloak', 'harbor', {idp_url: 'https://kc.example.com', realm: 'corp'}), 'issuer')).toBe('https://kc.example.com/realms/corp');
	});
});

describe('Portainer', () => {
	it('with authentik: redirect with its trailing slash, space-separated scopes and every endpoint URL', () => {
		const checklist = checklistFor('authentik', 'portainer');
		expect(value(checklist, 'redirect_uri')).toBe('https://portainer.example.com/');
		expect(value(checklist, 'scopes')).toBe('openid profile email');
		expect(value(checklist, 'authorize_url')).toBe('https://auth.example.com/application/o/authorize/');
		expect(value(checklist, 'token_url')).toBe('https://auth.example.com/application/o/token/');
		expect(value(checklist, 'userinfo_url')).toBe('https://auth.example.com/application/o/userinfo/');
		expect(value(checklist, 'end_session_url')).toBe('https://auth.example.com/application/o/portainer/end-session/');
		const portainerSide = checklist.sections[1]!.steps.map((step) => step.text).join('\n');
		expect(portainerSide).toContain('- Redirect URL: `https://portainer.example.com/` (with the trailing slash)');
		expect(portainerSide).toContain('- Scopes: `openid profile email` (spaces, not commas)');
		expect(portainerSide).toContain('- Authorization URL: `https://auth.example.com/application/o/authorize/`');
		expect(portainerSide).toContain('- Logout URL: leave it empty, unless');
		expect(portainerSide).toContain('`https://auth.example.com/application/o/portainer/end-session/`');
		// The pair file adds authentik's own advice about the slash.
		expect(checklist.sections[0]!.steps.map((step) => step.title)).toContain('Strict redirect URI with its trailing slash');
	});

	it('gives /#!/internal-auth as the way back in, and no PKCE step', () => {
		const checklist = checklistFor('pocket-id', 'portainer');
		expect(value(checklist, 'fallback_login_url')).toBe('https://portainer.example.com/#!/internal-auth');
		expect(checklist.warnings.find((warning) => warning.id === 'portainer-internal-auth')!.title).toBe('Only the initial admin keeps password sign-in: https://portainer.example.com/#!/internal-auth');
		expect(checklist.sections[0]!.steps.map((step) => step.title)).not.toContain('Tick PKCE');
		expect(value(checklist, 'scopes')).toBe('openid profile email groups');
	});

	it('with the generic provider: says where the endpoints come from', () => {
		const text = render('oidc', 'portainer', 'text');
		expect(text).toContain('Authorization URL: <authorize_url>');
		expect(text).toContain('authorization_endpoint as the Authorization URL');
	});
});

describe('OVHcloud Managed Private Registry', () => {
	it('warns that deleteUsers deletes every local user', () => {
		const checklist = checklistFor('keycloak', 'ovh-mpr', {idp_url: 'https://kc.example.com', realm: 'corp', app_url: 'https://abcd1234.c1.gra9.container-registry.ovh.net'});
		const warning = checklist.warnings.find((item) => item.id === 'ovh-delete-users');
		expect(warning?.title).toBe('Turning on OIDC deletes the registry\'s local users');
		expect(warning?.text).toContain('Setting deleteUsers deletes ALL of them');
		expect(checklist.sections[1]!.steps[2]!.text).toContain('"deleteUsers": true');
		expect(checklist.sections[1]!.steps[2]!.text).toContain('"endpoint": "https://kc.example.com/realms/corp"');
		expect(checklist.notes[0]!.text).toBe('OVHcloud\'s `endpoint` is the issuer: `https://kc.example.com/realms/corp`, ending with the realm name.');
	});

	it('keeps the JSON body readable in plain text', () => {
		const text = render('keycloak', 'ovh-mpr', 'text');
		expect(text).toContain('their passwords stop working for docker login.\n     {\n       "deleteUsers": true,');
	});
});

describe('unknown values and secrets', () => {
	it('shows unknown values as <placeholders>', () => {
		const checklist = checklistFor('authentik', 'harbor', {});
		expect(value(checklist, 'redirect_uri')).toBe('<app_url>/c/oidc/callback');
		expect(value(checklist, 'issuer')).toBe('<idp_url>/application/o/harbor/');
		expect(value(checklist, 'client_id')).toBe('<client_id>');
		expect(checklist.values.find((item) => item.key === 'client_id')!.known).toBe(false);
		expect(allText(checklist)).toContain('Sign in to `<app_url>` as `admin`');
	});

	it('never prints a client secret: stored ones say so, others are a placeholder', () => {
		const answers = {...idpAnswers['authentik'], ...appAnswers['harbor'], client_secret: 'hunter2-hunter2'};
		const stored = checklistFor('authentik', 'harbor', answers, ['client_secret']);
		expect(value(stored, 'client_secret')).toBe('(stored in keychain)');
		expect(allText(stored)).toContain('OIDC Client Secret: (stored in keychain)');
		expect(allText(stored)).not.toContain('hunter2');

		const unknown = checklistFor('authentik', 'harbor', answers);
		expect(value(unknown, 'client_secret')).toBe('<client_secret>');
		expect(allText(unknown)).toContain('OIDC Client Secret: <client_secret>');
		expect(allText(unknown)).not.toContain('hunter2');
	});

	it('shows conditional steps only when their values are set', () => {
		// A provider without a known groups claim: authentik, Keycloak and Pocket ID default it to groups.
		const without = checklistFor('oidc', 'harbor');
		expect(without.sections[1]!.steps.map((step) => step.title)).not.toContain('Groups');
		const withGroups = checklistFor('authentik', 'harbor', {...idpAnswers['authentik'], ...appAnswers['harbor'], groups_claim: 'groups', admin_group: 'harbor-admins', primary_auth_mode: 'true'});
		const titles = withGroups.sections[1]!.steps.map((step) => step.title);
		expect(titles).toContain('Groups');
		expect(titles).toContain('Primary auth mode');
		expect(allText(withGroups)).toContain('OIDC Admin Group: `harbor-admins`');
	});
});

describe('issue 11: every step follows the answers', () => {
	const harbor = (extra: Values, idp = 'authentik') => checklistFor(idp, 'harbor', {...idpAnswers[idp], ...appAnswers['harbor'], ...extra});
	const harborSettings = (checklist: Checklist) => checklist.sections[1]!.steps.find((step) => step.title === 'Enter the provider settings')!.text;

	it('Harbor: Verify Certificate follows verify_cert', () => {
		expect(harborSettings(harbor({}))).toContain('- Verify Certificate: checked');
		expect(harborSettings(harbor({verify_cert: 'false'}))).toContain('- Verify Certificate: unchecked (verify_cert=false');
	});

	it('Harbor: OIDC Session Logout (2.13+) is mentioned and follows oidc_logout', () => {
		expect(harborSettings(harbor({}, 'pocket-id'))).toMatch(/- OIDC Session Logout \(Harbor 2\.13\+\): check it if signing out of Harbor should also sign people out of Pocket ID/);
		expect(harborSettings(harbor({oidc_logout: 'true'}, 'pocket-id'))).toContain('- OIDC Session Logout (Harbor 2.13+): checked: signing out of Harbor also signs people out of Pocket ID');
		expect(harborSettings(harbor({oidc_logout: 'false'}))).toContain('- OIDC Session Logout (Harbor 2.13+): unchecked');
	});

	it('scopes without offline_access: no "Add offline_access" step at authentik, and a warning instead', () => {
		const without = harbor({scopes: 'openid,profile,email'});
		expect(without.sections[0]!.steps.map((step) => step.title)).not.toContain('Add offline_access');
		expect(without.warnings.map((warning) => warning.id)).toContain('harbor-no-offline-access');
		const withIt = harbor({});
		expect(withIt.sections[0]!.steps.map((step) => step.title)).toContain('Add offline_access');
		expect(withIt.warnings.map((warning) => warning.id)).not.toContain('harbor-no-offline-access');
	});

	it('OVH: the body needs deleteUsers true, says what it deletes, points up, and leaves unknown optional keys out', () => {
		const checklist = checklistFor('oidc', 'ovh-mpr', {...idpAnswers['oidc'], ...appAnswers['ovh-mpr']});
		const text = checklist.sections[1]!.steps.map((step) => step.text).join('\n');
		expect(text).toContain('"deleteUsers": true,');
		expect(text).toContain('`true` deletes every user of the previous step');
		expect(text).toContain('under Before you start');
		expect(text).not.toContain('warning below');
		expect(text).not.toMatch(/groupsClaim": |adminGroup": |<groups_claim>|<admin_group>/);
		expect(text).toContain('The body leaves out `groupsClaim` and `adminGroup` (no groups claim and no admin group were given)');
		expect(text).toMatch(/"userClaim": "preferred_username",\n {4}"autoOnboard": true,/);
		const withGroups = checklistFor('keycloak', 'ovh-mpr', {...idpAnswers['keycloak'], ...appAnswers['ovh-mpr'], admin_group: 'admins'}).sections[1]!.steps.map((step) => step.text).join('\n');
		expect(withGroups).toContain('"groupsClaim": "groups",\n    "adminGroup": "admins",');
		expect(withGroups).not.toContain('leaves out');
	});

	it('the Harbor local-users warning fits the path: printed checklist, wizard with and without the admin password', () => {
		const pair = getPair(catalogue, 'authentik', 'harbor');
		const printed = checklistFor('authentik', 'harbor').warnings.find((warning) => warning.id === 'harbor-local-users')!.text;
		expect(printed).not.toContain('The wizard');
		expect(printed).toContain('--delete-users');
		const shown = (secrets: string[]) => pairWarnings(pair, computeValues(pair, appAnswers['harbor']!), new Set(secrets)).filter((warning) => warning.id === 'harbor-local-users');
		expect(shown(['harbor_admin_password']).map((warning) => warning.text)).toEqual([expect.stringContaining('The wizard lists the users it finds and can delete them for you')]);
		expect(shown([]).map((warning) => warning.text)).toEqual([expect.stringContaining('Without the admin password the wizard cannot see them')]);
	});

	it('a secret kept in memory says so, and is not shown in a Markdown code span', () => {
		const checklist = buildChecklist(getPair(catalogue, 'authentik', 'harbor'), {}, new Set(['client_secret']), {}, {client_secret: 'kept in memory for this run'});
		expect(value(checklist, 'client_secret')).toBe('(kept in memory for this run)');
		expect(formatChecklist(checklist, 'markdown')).toContain('| Client secret | (kept in memory for this run) |');
	});

	it('the wizard does not ask for an admin group when the groups claim is left empty', () => {
		const pair = getPair(catalogue, 'oidc', 'harbor');
		expect(pairFields(pair, {groups_claim: ''}).map((field) => field.key)).not.toContain('admin_group');
		expect(pairFields(pair, {groups_claim: 'groups'}).map((field) => field.key)).toContain('admin_group');
		expect(fieldDefault(getPair(catalogue, 'keycloak', 'harbor'), pair.app.fields.find((field) => field.key === 'groups_claim')!, {})).toBe('groups');
	});
});
