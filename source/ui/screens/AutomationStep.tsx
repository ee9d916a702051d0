import {Text} from 'ink';
import {useEffect, useState} from 'react';
import {ApplyStage} from '../../core/automation/apply-stage.js';
import {buildContext, type SessionHandle} from '../../core/automation/context.js';
import {RegisterStage} from '../../core/automation/register-stage.js';
import {VerifyStage} from '../../core/automation/verify-stage.js';
import {describeError, ExitCode} from '../../core/errors.js';
import {currentValues} from '../../core/session/machine.js';
import type {WizardController} from '../../core/session/controller.js';
import type {AutomationStage} from '../../core/session/machine.js';
import {loadAppIntegration, loadIdpIntegration} from '../../integrations/registry.js';
import {dockerLogin, openInBrowser} from '../../verify/interactive.js';
import {Working} from '../components/Working.js';
import {ApplyScreen} from './ApplyScreen.js';
import {RegisterScreen} from './RegisterScreen.js';
import {VerifyScreen} from './VerifyScreen.js';

type Props = {controller: WizardController; stage: AutomationStage};

type Loaded = {kind: 'register'; stage: RegisterStage} | {kind: 'apply'; stage: ApplyStage} | {kind: 'verify'; stage: VerifyStage};

/** Loads the integration for the stage, creates the stage object and starts it. */
export function AutomationStep({controller, stage}: Props) {
	const [loaded, setLoaded] = useState<Loaded>();
	useEffect(() => {
		let cancelled = false;
		setLoaded(undefined);
		void (async () => {
			const view = controller.state.view;
			const secrets = controller.sessionSecrets();
			if (!view || !secrets) {
				return;
			}

			const handle: SessionHandle = {
				current: () => controller.state.view!.session,
				update: (change, presentSecret) => controller.updateSession(change, presentSecret),
			};
			let next: Loaded | undefined;
			if (stage === 'register') {
				const idp = await loadIdpIntegration(view.pair.idp.automation ?? '');
				next = idp ? {kind: 'register', stage: new RegisterStage(idp, view.pair, handle, secrets)} : undefined;
			} else if (stage === 'apply') {
				const app = await loadAppIntegration(view.pair.app.automation ?? '');
				next = app ? {kind: 'apply', stage: new ApplyStage(app, view.pair, handle, secrets)} : undefined;
			} else {
				next = {kind: 'verify', stage: new VerifyStage(view.pair, handle, secrets)};
			}

			if (cancelled) {
				return;
			}

			if (!next) {
				controller.advanceAutomation(stage);
				return;
			}

			setLoaded(next);
			void next.stage.start().catch((error: unknown) => controller.fail(error));
		})().catch((error: unknown) => controller.fail(error));
		return () => {
			cancelled = true;
		};
	}, [controller, stage]);

	const view = controller.state.view;
	if (!loaded || !view) {
		return <Working message="Loading…" />;
	}

	const onDone = () => controller.advanceAutomation(stage);
	const onQuit = () => controller.interrupt();
	switch (loaded.kind) {
		case 'register': {
			return <RegisterScreen stage={loaded.stage} idpName={view.pair.idp.name} onDone={onDone} onQuit={onQuit} />;
		}

		case 'apply': {
			return (
				<ApplyScreen
					stage={loaded.stage}
					appName={view.pair.app.name}
					fallbackUrl={currentValues(view)['fallback_login_url']}
					onDone={onDone}
					onQuit={onQuit}
					onBlocked={(message) => controller.stop(ExitCode.blocked, `✖ ${message}`)}
				/>
			);
		}

		case 'verify': {
			const values = currentValues(view);
			const appUrl = values['app_url'] ?? '';
			const isRegistry = view.pair.app.id === 'harbor' || view.pair.app.id === 'ovh-mpr';
			const tryIt = appUrl
				? {
						loginUrl: isRegistry ? `${appUrl}/c/oidc/login` : appUrl,
						registryHost: isRegistry ? new URL(appUrl).host : undefined,
						openInBrowser,
						dockerLogin,
						admins: view.pair.app.id === 'ovh-mpr' ? ovhAdmins(controller) : undefined,
					}
				: undefined;
			return <VerifyScreen stage={loaded.stage} onDone={onDone} tryIt={tryIt} />;
		}
	}

	return <Text />;
}

/** OVH's setAsAdmin, offered after verification: the registry's users appear after their first sign-in. */
function ovhAdmins(controller: WizardController) {
	const context = () => {
		const view = controller.state.view!;
		const session = view.session;
		return buildContext(view.pair, {current: () => session, update: () => {}}, controller.sessionSecrets()!);
	};

	return {
		async listUsers() {
			const {listRegistryUsers} = await import('../../integrations/app/ovh-mpr.js');
			return (await listRegistryUsers(context())).map((user) => ({id: user.id, label: user.email ? `${user.user} (${user.email})` : user.user}));
		},
		async makeAdmin(id: string, label: string) {
			const {setAsAdmin} = await import('../../integrations/app/ovh-mpr.js');
			try {
				await setAsAdmin(context(), id);
				return {status: 'pass' as const, seen: `${label} is now an administrator of the registry.`};
			} catch (error) {
				return {status: 'fail' as const, seen: describeError(error).message};
			}
		},
	};
}
