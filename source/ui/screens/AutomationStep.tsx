import {Text} from 'ink';
import {useEffect, useState} from 'react';
import {ExitCode} from '../../core/errors.js';
import {currentValues} from '../../wizard/machine.js';
import type {StageRun, WizardController} from '../../wizard/controller.js';
import type {AutomationStage} from '../../wizard/machine.js';
import {Working} from '../components/Working.js';
import {ApplyScreen} from './ApplyScreen.js';
import {RegisterScreen} from './RegisterScreen.js';
import {SignInStep} from './SignInStep.js';
import {VerifyScreen} from './VerifyScreen.js';

type Props = {controller: WizardController; stage: AutomationStage};

/** Asks the controller for the stage's runner, starts it, and renders it. */
export function AutomationStep({controller, stage}: Props) {
	const [loaded, setLoaded] = useState<StageRun>();
	/** The checks are done and the person went on: the sign-in proof, the verify step's last part. */
	const [proving, setProving] = useState(false);
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
			return proving ? <SignInStep stage={loaded.signIn} storage={controller.state.storage} onDone={onDone} /> : <VerifyScreen stage={loaded.stage} onDone={() => setProving(true)} tryIt={loaded.tryIt} />;
		}
	}

	return <Text />;
}
