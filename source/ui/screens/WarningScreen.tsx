import {Box, Text} from 'ink';
import type {Warning} from '../../core/flows/schema.js';
import {useFrameSpace} from '../components/Frame.js';
import {Menu} from '../components/Menu.js';
import {FramedLines, type Line} from '../components/Paged.js';
import {wrapSegments} from '../layout/wrap.js';

type Props = {
	warning: {id: string; title: string; text: string; acknowledge: boolean};
	position: string;
	onAcknowledge(): void;
};

/** A warning that must be read before going on: it says what happens and what to do. */
export function WarningScreen({warning, position, onAcknowledge}: Props) {
	const {width} = useFrameSpace();
	const lines: Line[] = [
		...wrapSegments([{text: `⚠ ${warning.title}`, color: 'yellow', bold: true}], width, '  '),
		[],
		...warning.text
			.split('\n')
			.filter((line) => line.trim() !== '')
			.flatMap((line) => wrapSegments([{text: line}], width)),
	];
	return (
		<Box flexDirection="column">
			<FramedLines lines={lines} reserve={4} />
			<Box marginTop={1}>
				<Text dimColor>Warning {position}</Text>
			</Box>
			<Menu key={warning.id} items={[{label: warning.acknowledge ? 'I understand, continue' : 'Continue', value: 'ok'}]} onSelect={onAcknowledge} />
		</Box>
	);
}

export type {Warning};
