import {Box} from 'ink';
import {wrapSegments} from '../layout/wrap.js';
import {useFrameSpace} from './Frame.js';
import {Menu} from './Menu.js';
import {FramedLines, menuHeight} from './Paged.js';

type Props = {
	message: string;
	hint?: string | undefined;
	onRetry(): void;
	onQuit(): void;
	retryLabel?: string;
	quitLabel?: string;
	/** "Continue by hand": the label (what is done by hand) and the action; absent when there is no manual way. */
	byHand?: {label: string; onChoose(): void} | undefined;
	/** "Edit the answers": the label names the field it opens. */
	edit?: {label: string; onChoose(): void} | undefined;
};

/** A failed step is no dead end: try again, do that part by hand, fix the answer it concerns, or stop. */
export function ErrorPanel({message, hint, onRetry, onQuit, retryLabel = 'Try again', quitLabel = 'Save and quit (resume later)', byHand, edit}: Props) {
	const {width} = useFrameSpace();
	const items = [
		{label: retryLabel, value: 'retry'},
		...(byHand ? [{label: byHand.label, value: 'hand'}] : []),
		...(edit ? [{label: edit.label, value: 'edit'}] : []),
		{label: quitLabel, value: 'quit'},
	];
	const lines = [...wrapSegments([{text: `✖ ${message}`, color: 'red'}], width, '  '), ...(hint ? wrapSegments([{text: hint, dim: true}], width) : [])];
	return (
		<Box flexDirection="column">
			<FramedLines lines={lines} reserve={1 + menuHeight(items.map((item) => item.label), width)} />
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
