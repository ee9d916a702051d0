import {Box, Text} from 'ink';
import {Menu} from './Menu.js';

type Props = {message: string; hint?: string; onRetry(): void; onQuit(): void};

export function ErrorPanel({message, hint, onRetry, onQuit}: Props) {
	return (
		<Box flexDirection="column">
			<Text color="red">✖ {message}</Text>
			{hint ? <Text dimColor>{hint}</Text> : null}
			<Box marginTop={1}>
				<Menu
					items={[
						{label: 'Try again', value: 'retry'},
						{label: 'Save and quit (resume later)', value: 'quit'},
					]}
					onSelect={(value) => (value === 'retry' ? onRetry() : onQuit())}
				/>
			</Box>
		</Box>
	);
}
