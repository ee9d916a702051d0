import SelectInput from 'ink-select-input';
import {Box, Text} from 'ink';

export type MenuItem = {label: string; value: string};

type Props = {
	items: MenuItem[];
	onSelect(value: string): void;
	initialValue?: string;
};

/** A list to pick from with the arrow keys; the ink-select-input indicator, our colours. */
export function Menu({items, onSelect, initialValue}: Props) {
	const initialIndex = Math.max(0, items.findIndex((item) => item.value === initialValue));
	return (
		<SelectInput
			items={items.map((item) => ({...item, key: item.value}))}
			initialIndex={initialIndex}
			indicatorComponent={({isSelected}) => (
				// A fixed width: a label that wraps must not squeeze the pointer.
				<Box flexShrink={0} width={2}>
					<Text color="cyan">{isSelected ? '❯' : ' '}</Text>
				</Box>
			)}
			itemComponent={({isSelected, label}) => <Text color={isSelected ? 'cyan' : undefined}>{label}</Text>}
			onSelect={(item) => onSelect(item.value)}
		/>
	);
}
