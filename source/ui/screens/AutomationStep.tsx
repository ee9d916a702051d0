import {Text} from 'ink';
import {useEffect, useState} from 'react';
import {describeError, ExitCode} from '../../core/errors.js';
import {currentValues} from '../../wizard/machine.js';
import type {StageRun, WizardController} from '../../wizard/controller.js';
import type {AutomationStage} from '../../wizard/machine.js';
import {dockerLogin, openInBrowser} from '../../verify/interactive.js';
import {Working} from '../components/Working.js';
import {ApplyScreen} from './ApplyScreen.js';
import {RegisterScreen} from './RegisterScreen.js';
import {VerifyScreen} from './VerifyScreen.js';

type Props = {controller: WizardController; stage: AutomationStage};

/** Asks the controller for the stage's runner, starts it, and renders it. */
export function AutomationStep({controller, stage}: Props) {
	const [loaded, setLoaded] = useState<StageRun>();
	useEffect(() => {
		let cancelled = false;
		setLoaded(undefined);
		void controller
			.createStage(stage)
			.then((next) => {
				if (cancelled) {
					return;
				}

				if (!next) {
					controller.advanceAutomation(stage);
					return;
				}

				setLoaded(next);
				void next.stage.start().catch((error: unknown) => controller.fail(error));
			})
			.catch((error: unknown) => controller.fail(error));
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
			// The flows say where people sign in and whether the app is a registry (docker login).
			const values = currentValues(view);
			const loginUrl = values['sso_login_url'];
			const tryIt = loginUrl
				? {
						loginUrl,
						registryHost: values['container_registry'] === 'true' && values['app_url'] ? new URL(values['app_url']).host : undefined,
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
	const context = () => controller.readOnlyContext();

	return {
		async listUsers() {
			const {listRegistryUsers} = await import('../../integrations/app/ovh-mpr/index.js');
			return (await listRegistryUsers(context())).map((user) => ({id: user.id, label: user.email ? `${user.user} (${user.email})` : user.user}));
		},
		async makeAdmin(id: string, label: string) {
			const {setAsAdmin} = await import('../../integrations/app/ovh-mpr/index.js');
			try {
				await setAsAdmin(context(), id);
				return {status: 'pass' as const, seen: `${label} is now an administrator of the registry.`};
			} catch (error) {
				return {status: 'fail' as const, seen: describeError(error).message};
			}
		},
	};
}
