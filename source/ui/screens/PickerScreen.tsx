import {Box, Text} from 'ink';
import {Menu, type MenuItem} from '../components/Menu.js';

type Props = {
	intro: string;
	items: MenuItem[];
	initialValue?: string;
	onSelect(value: string): void;
};

export function PickerScreen({intro, items, initialValue, onSelect}: Props) {
	return (
		<Box flexDirection="column">
			<Text>{intro}</Text>
			<Box marginTop={1}>
				<Menu items={items} initialValue={initialValue} onSelect={onSelect} />
			</Box>
		</Box>
	);
}
