import {Box, Text} from 'ink';
import type {Warning} from '../../core/flows/schema.js';
import {Menu} from '../components/Menu.js';

type Props = {
	warning: {id: string; title: string; text: string; acknowledge: boolean};
	position: string;
	onAcknowledge(): void;
};

/** A warning that must be read before going on: it says what happens and what to do. */
export function WarningScreen({warning, position, onAcknowledge}: Props) {
	return (
		<Box flexDirection="column">
			<Text color="yellow" bold>
				⚠ {warning.title}
			</Text>
			<Box marginTop={1} flexDirection="column">
				{warning.text.split('\n').filter((line) => line.trim() !== '').map((line, index) => (
					<Text key={index}>{line}</Text>
				))}
			</Box>
			<Box marginTop={1}>
				<Text dimColor>Warning {position}</Text>
			</Box>
			<Menu key={warning.id} items={[{label: warning.acknowledge ? 'I understand, continue' : 'Continue', value: 'ok'}]} onSelect={onAcknowledge} />
		</Box>
	);
}

export type {Warning};
