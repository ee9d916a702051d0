import {render} from 'ink-testing-library';
import {describe, expect, it, vi} from 'vitest';
import {buildChecklist} from '../../source/checklist/build.js';
import {ApplyStage} from '../../source/wizard/stages/apply-stage.js';
import {Observable} from '../../source/wizard/observable.js';
import {RegisterStage} from '../../source/wizard/stages/register-stage.js';
import type {VerifyStage, VerifyState} from '../../source/wizard/stages/verify-stage.js';
import type {SessionHandle} from '../../source/core/session/integration-context.js';
import {type Field, fieldSchema} from '../../source/core/flows/schema.js';
import {getPair} from '../../source/core/flows/pair.js';
import {newSession, type Session} from '../../source/core/session/store.js';
import type {AppIntegration, IdpIntegration} from '../../source/integrations/types.js';
import {memoryStore} from '../../source/secrets/keychain.js';
import {SessionSecrets} from '../../source/secrets/secrets.js';
import {ApplyScreen} from '../../source/ui/screens/ApplyScreen.js';
import {ChecklistScreen} from '../../source/ui/screens/ChecklistScreen.js';
import {FieldScreen} from '../../source/ui/screens/FieldScreen.js';
import {KeychainScreen} from '../../source/ui/screens/KeychainScreen.js';
import {RegisterScreen} from '../../source/ui/screens/RegisterScreen.js';
import {ReviewScreen} from '../../source/ui/screens/ReviewScreen.js';
import {VerifyScreen} from '../../source/ui/screens/VerifyScreen.js';
import {WarningScreen} from '../../source/ui/screens/WarningScreen.js';
import {WelcomeScreen} from '../../source/ui/screens/WelcomeScreen.js';
import {loadFlows} from '../../source/commands/inputs.js';
import {keys, last, press, tick, waitForText} from '../helpers/ink.js';

const shippedFlows = await loadFlows([]);

const urlField: Field = fieldSchema.parse({key: 'app_url', label: 'Harbor URL', kind: 'url', optional: false, trailing_slash: 'strip', allow_path: true, help: 'The external_url of Harbor.'});

describe('FieldScreen', () => {
	it('validates a URL as it is typed and shows how it will be saved', async () => {
		const onSubmit = vi.fn(async (_value: string, _companions?: Record<string, string>) => undefined);
		const screen = render(<FieldScreen field={urlField} initial="" secretStored={false} scopeSeparator="," onSubmit={onSubmit} />);
		await press(screen, ...'harbor.local'.split(''));
		await waitForText(screen, 'must be a full URL starting with https://');
		for (let index = 0; index < 12; index++) await press(screen, keys.backspace);
		await press(screen, ...'http://harbor.lan/'.split(''));
		await waitForText(screen, 'Plain http:// to harbor.lan');
		await waitForText(screen, 'Will be saved as http://harbor.lan');
		await press(screen, keys.enter);
		expect(onSubmit.mock.calls[0]?.[0]).toBe('http://harbor.lan/');
	});

	it('shows the error the controller returns', async () => {
		const screen = render(<FieldScreen field={urlField} initial="" secretStored={false} scopeSeparator="," onSubmit={async () => 'Harbor URL is required.'} />);
		await press(screen, keys.enter);
		await waitForText(screen, '✖ Harbor URL is required.');
	});

	it('masks a secret while it is typed', async () => {
		const field: Field = fieldSchema.parse({key: 'client_secret', label: 'Client secret', kind: 'secret', optional: false, trailing_slash: 'strip', allow_path: true});
		const screen = render(<FieldScreen field={field} initial="" secretStored={false} scopeSeparator="," onSubmit={async () => undefined} />);
		await press(screen, ...'hunter2-secret'.split(''));
		expect(screen.frames.join('\n')).not.toContain('hunter2');
		expect(last(screen)).toContain('••••••••••••••');
	});

	it('offers Enter to keep a stored secret', async () => {
		const field: Field = fieldSchema.parse({key: 'client_secret', label: 'Client secret', kind: 'secret', optional: false, trailing_slash: 'strip', allow_path: true});
		const screen = render(<FieldScreen field={field} initial="" secretStored scopeSeparator="," onSubmit={async () => undefined} />);
		await waitForText(screen, '(already given: Enter keeps it)');
	});

	it('asks yes or no for a boolean, starting on the default', async () => {
		const field: Field = fieldSchema.parse({key: 'auto_onboard', label: 'Onboard', kind: 'boolean', optional: false, trailing_slash: 'strip', allow_path: true});
		const onSubmit = vi.fn(async (_value: string, _companions?: Record<string, string>) => undefined);
		const screen = render(<FieldScreen field={field} initial="false" secretStored={false} scopeSeparator="," onSubmit={onSubmit} />);
		await waitForText(screen, '❯ No');
		await press(screen, keys.up, keys.enter);
		expect(onSubmit.mock.calls[0]?.[0]).toBe('true');
	});

	it('warns when scopes use the other separator', async () => {
		const field: Field = fieldSchema.parse({key: 'scopes', label: 'Scopes', kind: 'scopes', optional: false, trailing_slash: 'strip', allow_path: true});
		const screen = render(<FieldScreen field={field} initial="" secretStored={false} scopeSeparator=" " onSubmit={async () => undefined} />);
		await press(screen, ...'openid,profile'.split(''));
		await waitForText(screen, 'Scopes are space-separated for this app: saved as "openid profile"');
	});
});

describe('WelcomeScreen, KeychainScreen, WarningScreen', () => {
	it('offers to resume an unfinished session first', async () => {
		const session = {...newSession('authentik', 'harbor'), step: 'review' as const};
		const onResume = vi.fn();
		const screen = render(<WelcomeScreen resumable={[session]} onNew={() => {}} onResume={onResume} />);
		await waitForText(screen, `❯ Resume ${session.id} (authentik → harbor, at the review)`);
		await press(screen, keys.enter);
		expect(onResume).toHaveBeenCalledWith(session.id);
	});

	it('explains a missing keychain and offers memory for this run only', async () => {
		const onMemory = vi.fn();
		const screen = render(<KeychainScreen reason="no D-Bus session is running" onMemory={onMemory} onQuit={() => {}} />);
		const frame = await waitForText(screen, 'The OS keychain cannot be used: no D-Bus session is running');
		expect(frame).toContain('never in files');
		await press(screen, keys.enter);
		expect(onMemory).toHaveBeenCalled();
	});

	it('must be acknowledged', async () => {
		const onAcknowledge = vi.fn();
		const screen = render(<WarningScreen warning={{id: 'w', title: 'Harbor must have no local users', text: 'Delete them first.', acknowledge: true}} position="1 of 2" onAcknowledge={onAcknowledge} />);
		await waitForText(screen, 'I understand, continue');
		expect(onAcknowledge).not.toHaveBeenCalled();
		await press(screen, keys.enter);
		expect(onAcknowledge).toHaveBeenCalledTimes(1);
	});
});

describe('ReviewScreen and ChecklistScreen', () => {
	const catalogue = shippedFlows;
	const pair = getPair(catalogue, 'authentik', 'harbor');
	const session: Session = {...newSession('authentik', 'harbor'), answers: {app_url: 'https://harbor.example.com', idp_url: 'https://auth.example.com', slug: 'harbor', client_id: 'harbor-client'}, secrets: ['client_secret']};

	it('masks secrets and shows the derived values', async () => {
		const screen = render(<ReviewScreen view={{pair, session, presentSecrets: new Set(['client_secret'])}} automated={false} storage="keychain" onContinue={() => {}} onEdit={() => {}} onQuit={() => {}} />);
		const frame = await waitForText(screen, 'Redirect URI: https://harbor.example.com/c/oidc/callback');
		expect(frame).toContain('Issuer: https://auth.example.com/application/o/harbor/');
		expect(frame).toContain('Secrets (in the keychain, shown as ••••••): Client secret');
		expect(frame).toContain('the checklist of what to do by hand');
	});

	it('writes the checklist to the file the person names', async () => {
		const onWrite = vi.fn(() => undefined);
		const checklist = buildChecklist(pair, session.answers, new Set(['client_secret']));
		const screen = render(<ChecklistScreen checklist={checklist} defaultFile="out.md" onWrite={onWrite} onFinish={() => {}} />);
		await waitForText(screen, 'Client secret: (stored in keychain)');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, 'Write the checklist (Markdown) to:');
		await press(screen, keys.enter);
		expect(onWrite).toHaveBeenCalledWith('out.md');
	});
});

function handleFor(session: Session): SessionHandle & {session: Session} {
	const handle = {
		session,
		current: () => handle.session,
		update(change: (current: Session) => Session) {
			handle.session = change(handle.session);
		},
	};
	return handle;
}

describe('automation screens', () => {
	const catalogue = shippedFlows;
	const pair = getPair(catalogue, 'authentik', 'harbor');
	const base: Session = {...newSession('authentik', 'harbor'), answers: {app_url: 'https://harbor.example.com', idp_url: 'https://auth.example.com', slug: 'harbor'}};

	it('RegisterScreen asks the question, shows the plan, registers on confirmation', async () => {
		const register = vi.fn(async () => ({clientId: 'abc', issuer: 'https://auth.example.com/application/o/harbor/', done: ['authentik application "harbor" (created)'], warnings: []}));
		const idp: IdpIntegration = {
			id: 'authentik',
			adminCredentialKeys: ['authentik_token'],
			async plan(context) {
				const asked = context.values['authentik_authorization_flow'] === undefined;
				return {
					action: 'create',
					summary: ['Create OAuth2 provider "Provider for harbor".'],
					changes: [{key: 'redirect', label: 'Redirect URI', to: 'https://harbor.example.com/c/oidc/callback'}],
					questions: asked ? [{key: 'authentik_authorization_flow', label: 'authentik authorization flow', options: [{value: 'explicit', label: 'Explicit'}, {value: 'implicit', label: 'Implicit'}], default: 'explicit'}] : [],
					warnings: [],
				};
			},
			register,
		};
		const handle = handleFor(base);
		const stage = new RegisterStage(idp, pair, handle, new SessionSecrets(memoryStore(), base.id, {}));
		const onDone = vi.fn();
		const screen = render(<RegisterScreen stage={stage} idpName="authentik" onDone={onDone} onQuit={() => {}} />);
		void stage.start();
		await waitForText(screen, 'authentik authorization flow');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, 'Create the client in authentik');
		expect(handle.session.answers['authentik_authorization_flow']).toBe('implicit');
		expect(register).not.toHaveBeenCalled();
		await press(screen, keys.enter);
		await waitForText(screen, '✔ authentik application "harbor" (created)');
		expect(register).toHaveBeenCalledTimes(1);
		await press(screen, keys.enter);
		expect(onDone).toHaveBeenCalled();
	});

	it('ApplyScreen deletes blocking users only after each name is typed back', async () => {
		const apply = vi.fn(async () => ['Harbor now signs in through authentik.']);
		let users = ['alice', 'bob'];
		const app: AppIntegration = {
			id: 'harbor',
			async preflight() {
				return {facts: ['Harbor v2.13.1'], warnings: [], blockers: users.length > 0 ? [{id: 'harbor-local-users', message: 'Harbor must have no local users other than admin.', hint: 'Delete them.', users}] : []};
			},
			async plan() {
				return {changes: [{key: 'auth_mode', label: 'Auth mode', from: 'db_auth', to: 'oidc_auth'}], warnings: [], data: {}};
			},
			apply,
			async confirm() {
				return [];
			},
			async rollback() {
				return [];
			},
		};
		const stage = new ApplyStage(app, pair, handleFor(base), new SessionSecrets(memoryStore(), base.id, {}));
		const screen = render(<ApplyScreen stage={stage} appName="Harbor" fallbackUrl="https://harbor.example.com/account/sign-in" onDone={() => {}} onQuit={() => {}} onBlocked={() => {}} />);
		void stage.start();
		await waitForText(screen, 'Users found:');
		await press(screen, keys.enter);
		await waitForText(screen, 'Type alice to confirm deleting this user');
		await press(screen, ...'alicia'.split(''), keys.enter);
		await waitForText(screen, 'That is not the name shown; nothing was deleted.');
		for (let index = 0; index < 6; index++) await press(screen, keys.backspace);
		await press(screen, ...'alice'.split(''), keys.enter);
		await waitForText(screen, 'Type bob to confirm deleting this user');
		users = [];
		await press(screen, ...'bob'.split(''), keys.enter);
		await waitForText(screen, 'Apply these changes to Harbor');
		const frame = last(screen);
		expect(frame).toContain('Auth mode: "db_auth" → "oidc_auth"');
		expect(frame).toContain('https://harbor.example.com/account/sign-in');
		expect(apply).not.toHaveBeenCalled();
		await press(screen, keys.enter);
		await waitForText(screen, '✔ Harbor now signs in through authentik.');
		expect(apply).toHaveBeenCalledWith(expect.anything(), expect.anything(), {deleteUsers: ['alice', 'bob']});
	});

	it('VerifyScreen shows a spinner per running check, then the fixes of what failed', async () => {
		class FakeVerify extends Observable<VerifyState> {
			push(state: VerifyState) {
				this.set(state);
			}

			async start() {
				return [];
			}
		}

		const stage = new FakeVerify({phase: 'ready'});
		const screen = render(<VerifyScreen stage={stage as unknown as VerifyStage} onDone={() => {}} />);
		stage.push({phase: 'running', rows: [{id: 'discovery', title: 'Provider discovery', status: 'running', seen: ''}, {id: 'issuer', title: 'Issuer', status: 'pending', seen: ''}]});
		await waitForText(screen, 'Provider discovery');
		stage.push({
			phase: 'done',
			results: [
				{id: 'discovery', title: 'Provider discovery', status: 'pass', seen: 'reachable'},
				{id: 'issuer', title: 'Issuer', status: 'fail', seen: 'differs', fix: 'Set the OIDC endpoint to https://auth.example.com/application/o/harbor/'},
			],
		});
		const frame = await waitForText(screen, '1 check failed');
		expect(frame).toContain('✔ Provider discovery');
		expect(frame).toContain('✖ Issuer');
		expect(frame).toContain('→ Set the OIDC endpoint to https://auth.example.com/application/o/harbor/');
		await tick();
	});
});

describe('TryItPanel', () => {
	it('makes a registry user an administrator only when picked', async () => {
		const {TryItPanel} = await import('../../source/ui/components/TryItPanel.js');
		const makeAdmin = vi.fn(async (_id: string, label: string) => ({status: 'pass' as const, seen: `${label} is now an administrator of the registry.`}));
		const screen = render(
			<TryItPanel
				loginUrl="https://registry.example.com/c/oidc/login"
				registryHost="registry.example.com"
				openInBrowser={async () => ({status: 'skipped', seen: 'no browser'})}
				dockerLogin={async () => ({status: 'skipped', seen: 'docker is not installed here.'})}
				admins={{listUsers: async () => [{id: '8', label: 'alice (alice@example.com)'}, {id: '9', label: 'bob'}], makeAdmin}}
				onDone={() => {}}
			/>,
		);
		await waitForText(screen, 'Make a user an administrator');
		await press(screen, keys.down, keys.down, keys.down, keys.enter);
		await waitForText(screen, 'Which user becomes an administrator of the registry?');
		await press(screen, keys.down, keys.enter);
		await waitForText(screen, '✔ bob is now an administrator of the registry.');
		expect(makeAdmin).toHaveBeenCalledWith('9', 'bob');
	});
});
