import {Box, Text} from 'ink';
import type {ComponentProps} from 'react';
import type {RegisterStage} from '../../wizard/stages/register-stage.js';
import {changeLines} from '../components/Changes.js';
import {ErrorPanel} from '../components/ErrorPanel.js';
import {useFrameSpace} from '../components/Frame.js';
import {Menu} from '../components/Menu.js';
import {FramedLines, type Line, menuHeight} from '../components/Paged.js';
import {Working} from '../components/Working.js';
import {useObservable} from '../hooks/use-observable.js';
import {wrapSegments} from '../layout/wrap.js';

/** The ways on after a failure besides trying again: by hand, or the answer it concerns. */
export type Recovery = (concerns: readonly string[]) => Pick<ComponentProps<typeof ErrorPanel>, 'byHand' | 'edit'>;

type Props = {stage: RegisterStage; idpName: string; secretPlace?: string; onDone(): void; onQuit(): void; recovery?: Recovery};

/** Registering the client at the IdP: what will be created, then what was. */
export function RegisterScreen({stage, idpName, secretPlace = 'stored in the keychain', onDone, onQuit, recovery = () => ({})}: Props) {
	const state = useObservable(stage);
	const {width} = useFrameSpace();
	switch (state.phase) {
		case 'planning':
		case 'working': {
			return <Working message={state.progress} requests={stage.requests} />;
		}

		case 'question': {
			return (
				<Box flexDirection="column">
					<Text>{state.question.label}</Text>
					{state.question.help ? <Text dimColor>{state.question.help}</Text> : null}
					<Box marginTop={1}>
						<Menu key={state.question.key} items={state.question.options} initialValue={state.question.default} onSelect={(value) => void stage.answer(value)} />
					</Box>
				</Box>
			);
		}

		case 'confirm': {
			const {plan} = state;
			// A new client is described by the sentences (its rows would repeat them); an update also
			// shows the diff, current value → new value.
			const lines: Line[] = [
				...plan.summary.flatMap((line) => wrapSegments([{text: line}], width)),
				...(plan.action === 'create' ? [] : [[], ...changeLines(plan.changes, width)]),
				...plan.warnings.flatMap((warning) => wrapSegments([{text: `⚠ ${warning}`, color: 'yellow'}], width, '  ')),
			];
			const items = [
				{label: plan.action === 'create' ? `Create the client in ${idpName}` : plan.action === 'update' ? `Update the client in ${idpName}` : 'Continue', value: 'go'},
				{label: 'Save and quit (nothing is written)', value: 'quit'},
			];
			return (
				<Box flexDirection="column">
					<FramedLines lines={lines} reserve={1 + menuHeight(items.map((item) => item.label), width)} />
					<Box marginTop={1}>
						<Menu items={items} onSelect={(value) => (value === 'go' ? (plan.action === 'none' ? onDone() : void stage.confirm()) : onQuit())} />
					</Box>
				</Box>
			);
		}

		case 'done': {
			const lines: Line[] = [
				...state.registration.done.flatMap((line) => wrapSegments([{text: `✔ ${line}`, color: 'green'}], width, '  ')),
				...state.registration.warnings.flatMap((warning) => wrapSegments([{text: `⚠ ${warning}`, color: 'yellow'}], width, '  ')),
				...wrapSegments(
					[{text: 'Issuer: '}, {text: state.registration.issuer, color: 'cyan'}, {text: ' · Client ID: '}, {text: state.registration.clientId, color: 'cyan'}, {text: ` · secret ${secretPlace}`}],
					width,
				),
			];
			return (
				<Box flexDirection="column">
					<FramedLines lines={lines} reserve={2} />
					<Box marginTop={1}>
						<Menu items={[{label: 'Continue', value: 'next'}]} onSelect={onDone} />
					</Box>
				</Box>
			);
		}

		case 'error': {
			return <ErrorPanel message={state.message} hint={state.hint} onRetry={() => void stage.start()} onQuit={onQuit} {...recovery(state.concerns)} />;
		}
	}
}
