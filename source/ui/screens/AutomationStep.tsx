import {Text, useInput} from 'ink';
import {type ReactNode, useCallback, useEffect, useState} from 'react';
import {ExitCode} from '../../core/errors.js';
import {currentValues} from '../../wizard/machine.js';
import type {StageRun, WizardController} from '../../wizard/controller.js';
import type {AutomationStage} from '../../wizard/machine.js';
import type {Observable} from '../../wizard/observable.js';
import {Frame} from '../components/Frame.js';
import {Working} from '../components/Working.js';
import {ApplyScreen} from './ApplyScreen.js';
import {type Recovery, RegisterScreen} from './RegisterScreen.js';
import {SignInStep} from './SignInStep.js';
import {VerifyScreen} from './VerifyScreen.js';

type Props = {controller: WizardController; stage: AutomationStage; title: string; context?: string; notice?: string};

/** While a stage waits for an answer, Esc does nothing (a request cannot be taken back) and says nothing. */
const waiting = new Set(['planning', 'working', 'preflight', 'ready', 'running']);

/** Asks the controller for the stage's runner, starts it, and renders it in its frame; Esc goes back when nothing is waited for. */
export function AutomationStep({controller, stage, title, context, notice}: Props) {
	const [loaded, setLoaded] = useState<StageRun>();
	/** The checks are done and the person went on: the sign-in proof, the verify step's last part. */
	const [proving, setProving] = useState(false);
	const [typing, setTyping] = useState(false);
	const phase = usePhase(loaded);
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

	const busy = phase === undefined || waiting.has(phase);
	useInput(
		(_input, key) => {
			if (key.escape) {
				controller.backFromStage(stage);
			}
		},
		{isActive: !busy && !typing},
	);
	const onTyping = useCallback((value: boolean) => setTyping(value), []);

	const view = controller.state.view;
	const hints = busy ? 'Ctrl+C: save and quit' : typing ? 'Enter: confirm · Esc: stop typing · Ctrl+C: save and quit' : '↑↓ Enter: choose · Esc: back · Ctrl+C: save and quit';
	const frame = (content: ReactNode) => (
		<Frame title={title} context={context} notice={notice} hints={hints}>
			{content}
		</Frame>
	);
	if (!loaded || !view) {
		return frame(<Working message="Loading…" />);
	}

	const onDone = () => controller.advanceAutomation(stage);
	const onQuit = () => controller.interrupt();
	const recovery: Recovery = (concerns) => {
		const field = controller.concernedField(concerns);
		const side = stage === 'register' ? view.pair.idp.name : view.pair.app.name;
		return {
			byHand: {label: `Continue by hand: the ${side} steps, then on`, onChoose: () => controller.continueByHand(stage)},
			...(field ? {edit: {label: `Edit the answers: ${field.label}`, onChoose: () => controller.editConcerned(stage, concerns)}} : {}),
		};
	};

	switch (loaded.kind) {
		case 'register': {
			return frame(<RegisterScreen stage={loaded.stage} idpName={view.pair.idp.name} secretPlace={controller.secretPlaces(view)['client_secret'] ?? 'stored in the keychain'} onDone={onDone} onQuit={onQuit} recovery={recovery} />);
		}

		case 'apply': {
			return frame(
				<ApplyScreen
					stage={loaded.stage}
					appName={view.pair.app.name}
					fallbackUrl={currentValues(view)['fallback_login_url']}
					onDone={onDone}
					onQuit={onQuit}
					onBlocked={(message) => controller.stop(ExitCode.blocked, `✖ ${message}`)}
					recovery={recovery}
					onTyping={onTyping}
				/>,
			);
		}

		case 'verify': {
			return proving ? frame(<SignInStep stage={loaded.signIn} storage={controller.state.storage} onDone={onDone} />) : frame(<VerifyScreen stage={loaded.stage} onDone={() => setProving(true)} tryIt={loaded.tryIt} />);
		}
	}

	return <Text />;
}

/** The phase of the loaded stage, followed as it changes. */
function usePhase(run: StageRun | undefined): string | undefined {
	const [phase, setPhase] = useState<string>();
	useEffect(() => {
		if (!run) {
			setPhase(undefined);
			return undefined;
		}

		const stage = run.stage as unknown as Observable<{phase: string}>;
		setPhase(stage.state.phase);
		return stage.subscribe((state) => setPhase(state.phase));
	}, [run]);
	return phase;
}
