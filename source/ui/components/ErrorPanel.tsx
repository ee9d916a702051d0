import {Box, Text} from 'ink';
import {Menu} from './Menu.js';

type Props = {
	message: string;
	hint?: string;
	onRetry(): void;
	onQuit(): void;
	retryLabel?: string;
	quitLabel?: string;
	/** "Continue by hand": the label (what is done by hand) and the action; absent when there is no manual way. */
	byHand?: {label: string; onChoose(): void};
	/** "Edit the answers": the label names the field it opens. */
	edit?: {label: string; onChoose(): void};
};

/** A failed step is no dead end: try again, do that part by hand, fix the answer it concerns, or stop. */
export function ErrorPanel({message, hint, onRetry, onQuit, retryLabel = 'Try again', quitLabel = 'Save and quit (resume later)', byHand, edit}: Props) {
	const items = [
		{label: retryLabel, value: 'retry'},
		...(byHand ? [{label: byHand.label, value: 'hand'}] : []),
		...(edit ? [{label: edit.label, value: 'edit'}] : []),
		{label: quitLabel, value: 'quit'},
	];
	return (
		<Box flexDirection="column">
			<Text color="red">✖ {message}</Text>
			{hint ? <Text dimColor>{hint}</Text> : null}
			<Box marginTop={1}>
				<Menu
					items={items}
					onSelect={(value) => {
						if (value === 'retry') onRetry();
						else if (value === 'hand') byHand?.onChoose();
						else if (value === 'edit') edit?.onChoose();
						else onQuit();
					}}
				/>
			</Box>
		</Box>
	);
}
