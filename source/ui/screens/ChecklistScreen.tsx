import {Box, Text} from 'ink';
import {useState} from 'react';
import type {Checklist} from '../../checklist/build.js';
import {useFrameSpace} from '../components/Frame.js';
import {Menu} from '../components/Menu.js';
import {FramedLines, type Line, Paged} from '../components/Paged.js';
import {TextField} from '../components/TextField.js';
import {wrapSegments, wrapToWidth} from '../layout/wrap.js';

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
	const {width} = useFrameSpace();
	const steps = checklist.sections.reduce((count, section) => count + section.steps.length, 0);
	const values: Line[] = checklist.values.flatMap((item) => wrapSegments([{text: `${item.label}: `, dim: true}, {text: item.value, color: item.known ? 'cyan' : 'yellow'}], width, '  '));
	const about = `The checklist has ${steps} steps in ${checklist.sections.length} parts and ${checklist.warnings.length} warnings; it is printed in full when you finish.`;
	// The command on a line of its own: it is copied whole.
	const later: Line[] = verify ? [...wrapSegments([{text: 'Once the steps are done, check the connection here, or later with:'}], width), [{text: '  '}, {text: verify.command, color: 'cyan'}]] : [];
	// Below the values: the sentence, the verification hint and the menu (or the file name asked).
	const reserve = 1 + wrapToWidth(about, width).length + later.length + 1 + (asking ? 3 + (error ? 2 : 0) : verify ? 3 : 2);
	return (
		<Box flexDirection="column">
			<FramedLines lines={values} reserve={reserve} />
			<Box marginTop={1} flexDirection="column">
				{wrapToWidth(about, width).map((line, index) => (
					<Text key={index}>{line}</Text>
				))}
			</Box>
			{later.length > 0 ? <Paged lines={later} /> : null}
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
