import {Box, Text} from 'ink';
import type {PlanChange} from '../../integrations/types.js';

/** A plan as a readable diff: one line per setting, current value → new value. */
export function Changes({changes}: {changes: readonly PlanChange[]}) {
	if (changes.length === 0) {
		return <Text dimColor>No changes.</Text>;
	}

	return (
		<Box flexDirection="column">
			{changes.map((change) => (
				<Text key={change.key}>
					<Text>{change.label}: </Text>
					{change.from === undefined ? null : <Text color="red">{change.secret ? '••••••' : JSON.stringify(change.from)} → </Text>}
					<Text color="green">{change.secret ? '(will be set)' : JSON.stringify(change.to)}</Text>
				</Text>
			))}
		</Box>
	);
}
