import {Box, Text} from 'ink';
import {useState} from 'react';
import type {Checklist} from '../../checklist/build.js';
import {Menu} from '../components/Menu.js';
import {TextField} from '../components/TextField.js';

type Props = {
	checklist: Checklist;
	defaultFile: string;
	onWrite(file: string): string | undefined;
	onFinish(): void;
	/** Something is left by hand: check the connection once it is done (here, or later with `verifyCommand`). */
	verify?: {onChoose(): void; command: string};
};

/** What is left to do by hand: the key values, then the full checklist is printed on exit. */
export function ChecklistScreen({checklist, defaultFile, onWrite, onFinish, verify}: Props) {
	const [asking, setAsking] = useState(false);
	const [error, setError] = useState<string>();
	const steps = checklist.sections.reduce((count, section) => count + section.steps.length, 0);
	return (
		<Box flexDirection="column">
			{checklist.values.map((item) => (
				<Text key={item.key}>
					<Text dimColor>{item.label}: </Text>
					<Text color={item.known ? 'cyan' : 'yellow'}>{item.value}</Text>
				</Text>
			))}
			<Box marginTop={1}>
				<Text>
					The checklist has {steps} steps in {checklist.sections.length} parts and {checklist.warnings.length} warnings; it is printed in full when you finish.
				</Text>
			</Box>
			{verify ? (
				<Text>
					Once the steps are done, check the connection here, or later with: <Text color="cyan">{verify.command}</Text>
				</Text>
			) : null}
			<Box marginTop={1} flexDirection="column">
				{asking ? (
					<>
						<Text>Write the checklist (Markdown) to:</Text>
						<Box>
							<Text color="cyan">{'› '}</Text>
							<TextField
								initial={defaultFile}
								onSubmit={(value) => {
									const problem = onWrite(value.trim() || defaultFile);
									setError(problem);
									if (!problem) {
										setAsking(false);
									}
								}}
							/>
						</Box>
						{error ? <Text color="red">✖ {error}</Text> : null}
					</>
				) : (
					<Menu
						items={[
							{label: 'Finish and print the checklist', value: 'finish'},
							{label: 'Write the checklist to a Markdown file', value: 'write'},
							...(verify ? [{label: 'Verify the connection (the steps by hand are done)', value: 'verify'}] : []),
						]}
						onSelect={(value) => (value === 'finish' ? onFinish() : value === 'verify' ? verify?.onChoose() : setAsking(true))}
					/>
				)}
			</Box>
		</Box>
	);
}
