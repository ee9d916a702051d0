import SelectInput from 'ink-select-input';
import {Text} from 'ink';

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
			indicatorComponent={({isSelected}) => <Text color="cyan">{isSelected ? '❯ ' : '  '}</Text>}
			itemComponent={({isSelected, label}) => <Text color={isSelected ? 'cyan' : undefined}>{label}</Text>}
			onSelect={(item) => onSelect(item.value)}
		/>
	);
}
