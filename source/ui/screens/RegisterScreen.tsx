import {Box, Text} from 'ink';
import type {ComponentProps} from 'react';
import type {RegisterStage} from '../../wizard/stages/register-stage.js';
import {Changes} from '../components/Changes.js';
import {ErrorPanel} from '../components/ErrorPanel.js';
import {Menu} from '../components/Menu.js';
import {Working} from '../components/Working.js';
import {useObservable} from '../hooks/use-observable.js';

/** The ways on after a failure besides trying again: by hand, or the answer it concerns. */
export type Recovery = (concerns: readonly string[]) => Pick<ComponentProps<typeof ErrorPanel>, 'byHand' | 'edit'>;

type Props = {stage: RegisterStage; idpName: string; secretPlace?: string; onDone(): void; onQuit(): void; recovery?: Recovery};

/** Registering the client at the IdP: what will be created, then what was. */
export function RegisterScreen({stage, idpName, secretPlace = 'stored in the keychain', onDone, onQuit, recovery = () => ({})}: Props) {
	const state = useObservable(stage);
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
			// A new client is described by the sentences (its rows would repeat them and overflow
			// 80×24); an update also shows the diff, current value → new value.
			return (
				<Box flexDirection="column">
					{plan.summary.map((line, index) => (
						<Text key={index}>{line}</Text>
					))}
					{plan.action === 'create' ? null : (
						<Box marginTop={1}>
							<Changes changes={plan.changes} />
						</Box>
					)}
					{plan.warnings.map((warning, index) => (
						<Text key={index} color="yellow">
							⚠ {warning}
						</Text>
					))}
					<Box marginTop={1}>
						<Menu
							items={[
								{label: plan.action === 'create' ? `Create the client in ${idpName}` : plan.action === 'update' ? `Update the client in ${idpName}` : 'Continue', value: 'go'},
								{label: 'Save and quit (nothing is written)', value: 'quit'},
							]}
							onSelect={(value) => (value === 'go' ? (plan.action === 'none' ? onDone() : void stage.confirm()) : onQuit())}
						/>
					</Box>
				</Box>
			);
		}

		case 'done': {
			return (
				<Box flexDirection="column">
					{state.registration.done.map((line, index) => (
						<Text key={index} color="green">
							✔ {line}
						</Text>
					))}
					{state.registration.warnings.map((warning, index) => (
						<Text key={index} color="yellow">
							⚠ {warning}
						</Text>
					))}
					<Text>
						Issuer: <Text color="cyan">{state.registration.issuer}</Text> · Client ID: <Text color="cyan">{state.registration.clientId}</Text> · secret {secretPlace}
					</Text>
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
