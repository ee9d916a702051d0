import {Box, Text} from 'ink';
import type {ReactNode} from 'react';

type Props = {
	title: string;
	/** "authentik → Harbor", shown once a pair is chosen. */
	context?: string;
	step?: string;
	hints?: string;
	notice?: string;
	children: ReactNode;
};

/** Every screen: a header line, the content, and the keys that work here. */
export function Frame({title, context, step, hints, notice, children}: Props) {
	return (
		<Box flexDirection="column">
			{/* One Text, so that a long pair name wraps as words instead of squeezing "sso-setup". */}
			<Text>
				<Text bold color="cyan">
					sso-setup
				</Text>
				{context ? <Text dimColor> · {context}</Text> : null}
				{step ? <Text dimColor> · {step}</Text> : null}
			</Text>
			<Box marginTop={1}>
				<Text bold>{title}</Text>
			</Box>
			<Box flexDirection="column" marginTop={1}>
				{children}
			</Box>
			{notice ? (
				<Box marginTop={1}>
					<Text color="green">{notice}</Text>
				</Box>
			) : null}
			<Box marginTop={1}>
				<Text dimColor>{hints ?? 'Enter: choose · Esc: back · Ctrl+C: save and quit'}</Text>
			</Box>
		</Box>
	);
}
