import {Box, Text, useInput} from 'ink';
import {useEffect, useState} from 'react';
import type {ApplyStage} from '../../wizard/stages/apply-stage.js';
import type {Blocker} from '../../integrations/types.js';
import {Changes} from '../components/Changes.js';
import {ErrorPanel} from '../components/ErrorPanel.js';
import {Menu} from '../components/Menu.js';
import {TextField} from '../components/TextField.js';
import {Working} from '../components/Working.js';
import {useObservable} from '../hooks/use-observable.js';
import type {Recovery} from './RegisterScreen.js';

type Props = {
	stage: ApplyStage;
	appName: string;
	fallbackUrl?: string;
	onDone(): void;
	onQuit(): void;
	onBlocked(message: string): void;
	recovery?: Recovery;
	/** The person is typing a user name to confirm: Esc then stops typing instead of going back. */
	onTyping?(typing: boolean): void;
};

/** Applying the app's settings: preflight, blockers, the plan, explicit confirmation, the result. */
export function ApplyScreen({stage, appName, fallbackUrl, onDone, onQuit, onBlocked, recovery = () => ({}), onTyping = () => {}}: Props) {
	const state = useObservable(stage);
	switch (state.phase) {
		case 'preflight':
		case 'working': {
			return <Working message={state.progress} requests={stage.requests} />;
		}

		case 'blocked': {
			return (
				<BlockedPanel
					blockers={state.blockers}
					byHand={recovery([]).byHand}
					onTyping={onTyping}
					onDelete={(users) => void stage.deleteBlockingUsers(users)}
					onStop={() => onBlocked(state.blockers.map((blocker) => `${blocker.message}\n  ${blocker.hint}`).join('\n'))}
				/>
			);
		}

		case 'confirm': {
			return (
				<Box flexDirection="column">
					{/* One line: the plan and its confirmation must fit 80×24. */}
					<Text dimColor>{state.preflight.facts.join(' · ')}</Text>
					<Box marginTop={1} flexDirection="column">
						{state.deleteUsers.length > 0 ? <Text color="red">Delete users: {state.deleteUsers.join(', ')}</Text> : null}
						<Changes changes={state.plan.changes} />
					</Box>
					{[...state.preflight.warnings, ...state.plan.warnings].map((warning, index) => (
						<Text key={index} color="yellow">
							⚠ {warning}
						</Text>
					))}
					{fallbackUrl && ![...state.preflight.warnings, ...state.plan.warnings].some((warning) => warning.includes(fallbackUrl)) ? (
						<Text>
							If anything goes wrong, the local admin still signs in at <Text color="cyan">{fallbackUrl}</Text>
						</Text>
					) : null}
					<Box marginTop={1}>
						<Menu
							items={[
								{label: `Apply these changes to ${appName}`, value: 'go'},
								{label: 'Save and quit (nothing is written)', value: 'quit'},
							]}
							onSelect={(value) => (value === 'go' ? void stage.confirm() : onQuit())}
						/>
					</Box>
				</Box>
			);
		}

		case 'done': {
			return (
				<Box flexDirection="column">
					{state.notes.map((note, index) => (
						<Text key={index} color="green">
							✔ {note}
						</Text>
					))}
					{state.mismatches.length > 0 ? (
						<Box flexDirection="column">
							<Text color="red">✖ These settings read back differently:</Text>
							<Changes changes={state.mismatches} />
						</Box>
					) : null}
					<Box marginTop={1}>
						<Menu items={[{label: 'Continue', value: 'next'}]} onSelect={onDone} />
					</Box>
				</Box>
			);
		}

		case 'error': {
			// Exit 3: a precondition blocks the write; stopping says so (exit 3), nothing more is written.
			const blocked = state.exitCode === 3;
			return (
				<ErrorPanel
					message={state.message}
					hint={state.hint}
					retryLabel={blocked ? 'Check again' : 'Try again'}
					quitLabel={blocked ? 'Stop here (nothing more is written)' : 'Save and quit (resume later)'}
					onRetry={() => void stage.start()}
					onQuit={blocked ? () => onBlocked(state.message) : onQuit}
					{...recovery(state.concerns)}
				/>
			);
		}
	}
}

type BlockedProps = {blockers: Blocker[]; byHand?: {label: string; onChoose(): void} | undefined; onDelete(users: string[]): void; onStop(): void; onTyping(typing: boolean): void};

/** A precondition blocks the write. Users are deleted only after each name is typed back. */
function BlockedPanel({blockers, byHand, onDelete, onStop, onTyping}: BlockedProps) {
	const users = blockers.flatMap((blocker) => blocker.users ?? []);
	const deletable = users.length > 0 && blockers.every((blocker) => blocker.users && blocker.users.length > 0);
	const [confirming, setConfirming] = useState(false);
	const [confirmed, setConfirmed] = useState<string[]>([]);
	const [mismatch, setMismatch] = useState(false);
	const current = users[confirmed.length];
	useEffect(() => {
		onTyping(confirming);
		return () => onTyping(false);
	}, [confirming, onTyping]);
	useInput((_input, key) => {
		if (key.escape && confirming) {
			setConfirming(false);
			setConfirmed([]);
		}
	});
	return (
		<Box flexDirection="column">
			{blockers.map((blocker) => (
				<Box key={blocker.id} flexDirection="column">
					<Text color="yellow">⚠ {blocker.message}</Text>
					<Text dimColor>{blocker.hint}</Text>
				</Box>
			))}
			{users.length > 0 ? (
				<Box marginTop={1} flexDirection="column">
					<Text>Users found:</Text>
					{users.map((user) => (
						<Text key={user}>
							{confirmed.includes(user) ? <Text color="red">✔ delete </Text> : '  • '}
							{user}
						</Text>
					))}
				</Box>
			) : null}
			<Box marginTop={1} flexDirection="column">
				{confirming && current ? (
					<>
						<Text>
							Type <Text bold>{current}</Text> to confirm deleting this user (Esc: back):
						</Text>
						<Box>
							<Text color="red">{'› '}</Text>
							<TextField
								key={current}
								initial=""
								onChange={() => setMismatch(false)}
								onSubmit={(value) => {
									if (value.trim() !== current) {
										setMismatch(true);
										return;
									}

									const next = [...confirmed, current];
									setConfirmed(next);
									if (next.length === users.length) {
										onDelete(next);
									}
								}}
							/>
						</Box>
						{mismatch ? <Text color="red">✖ That is not the name shown; nothing was deleted.</Text> : null}
					</>
				) : (
					<Menu
						items={[
							...(deletable ? [{label: `Delete ${users.length === 1 ? 'this user' : `these ${users.length} users`} (you confirm each name)`, value: 'delete'}] : []),
							...(byHand ? [{label: byHand.label, value: 'hand'}] : []),
							{label: 'Stop here: I will handle it myself (nothing was written)', value: 'stop'},
						]}
						onSelect={(value) => (value === 'delete' ? setConfirming(true) : value === 'hand' ? byHand?.onChoose() : onStop())}
					/>
				)}
			</Box>
		</Box>
	);
}
