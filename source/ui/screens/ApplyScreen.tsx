import {Box, Text, useInput} from 'ink';
import {useEffect, useState} from 'react';
import type {ApplyStage} from '../../wizard/stages/apply-stage.js';
import type {Blocker} from '../../integrations/types.js';
import {changeLines} from '../components/Changes.js';
import {ErrorPanel} from '../components/ErrorPanel.js';
import {useFrameSpace} from '../components/Frame.js';
import {Menu} from '../components/Menu.js';
import {FramedLines, type Line, menuHeight} from '../components/Paged.js';
import {wrapSegments} from '../layout/wrap.js';
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
	const {width} = useFrameSpace();
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
			const warnings = [...state.preflight.warnings, ...state.plan.warnings];
			const lines: Line[] = [
				...wrapSegments([{text: state.preflight.facts.join(' · '), dim: true}], width),
				[],
				...(state.deleteUsers.length > 0 ? wrapSegments([{text: `Delete users: ${state.deleteUsers.join(', ')}`, color: 'red'}], width, '  ') : []),
				...changeLines(state.plan.changes, width),
				...warnings.flatMap((warning) => wrapSegments([{text: `⚠ ${warning}`, color: 'yellow'}], width, '  ')),
				...(fallbackUrl && !warnings.some((warning) => warning.includes(fallbackUrl)) ? wrapSegments([{text: 'If anything goes wrong, the local admin still signs in at '}, {text: fallbackUrl, color: 'cyan'}], width) : []),
			];
			const items = [
				{label: `Apply these changes to ${appName}`, value: 'go'},
				{label: 'Save and quit (nothing is written)', value: 'quit'},
			];
			return (
				<Box flexDirection="column">
					<FramedLines lines={lines} reserve={1 + menuHeight(items.map((item) => item.label), width)} />
					<Box marginTop={1}>
						<Menu items={items} onSelect={(value) => (value === 'go' ? void stage.confirm() : onQuit())} />
					</Box>
				</Box>
			);
		}

		case 'done': {
			const lines: Line[] = [
				...state.notes.flatMap((note) => wrapSegments([{text: `✔ ${note}`, color: 'green'}], width, '  ')),
				...(state.mismatches.length > 0 ? [[{text: '✖ These settings read back differently:', color: 'red'}], ...changeLines(state.mismatches, width)] : []),
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
	const {width} = useFrameSpace();
	// The users come right after what blocks, before the hints: they are what the choice is about.
	const lines: Line[] = [
		...blockers.flatMap((blocker) => wrapSegments([{text: `⚠ ${blocker.message}`, color: 'yellow'}], width, '  ')),
		...(users.length > 0 ? [[{text: 'Users found:'}], ...users.map((user): Line => (confirmed.includes(user) ? [{text: '✔ delete ', color: 'red'}, {text: user}] : [{text: `  • ${user}`}]))] : []),
		...blockers.flatMap((blocker) => wrapSegments([{text: blocker.hint, dim: true}], width)),
	];
	const items = [
		...(deletable ? [{label: `Delete ${users.length === 1 ? 'this user' : `these ${users.length} users`} (you confirm each name)`, value: 'delete'}] : []),
		...(byHand ? [{label: byHand.label, value: 'hand'}] : []),
		{label: 'Stop here: I will handle it myself (nothing was written)', value: 'stop'},
	];
	return (
		<Box flexDirection="column">
			<FramedLines lines={lines} reserve={1 + (confirming ? 4 : menuHeight(items.map((item) => item.label), width))} />
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
					<Menu items={items} onSelect={(value) => (value === 'delete' ? setConfirming(true) : value === 'hand' ? byHand?.onChoose() : onStop())} />
				)}
			</Box>
		</Box>
	);
}
