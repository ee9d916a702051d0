import {Box, Text} from 'ink';
import type {ChecklistStep} from '../../checklist/build.js';
import {plain} from '../../checklist/format.js';
import {Frame, frameSpace} from '../components/Frame.js';
import {Menu} from '../components/Menu.js';
import {type Line, needsPaging, Paged} from '../components/Paged.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {wrapToWidth} from '../layout/wrap.js';

type Props = {
	/** "In Keycloak", "In Harbor". */
	where: string;
	steps: ChecklistStep[];
	index: number;
	/** What comes after the last step, for its menu item ("ask for the client ID"). */
	after: string;
	context?: string;
	notice?: string;
	onNext(): void;
	onQuit(): void;
};


/**
 * One manual step in full, before the wizard asks for what it produces: the same text as the
 * checklist, wrapped to the terminal and paged when it is longer (an OVH request body is).
 */
export function StepsScreen({where, steps, index, after, context, notice, onNext, onQuit}: Props) {
	const size = useTerminalSize();
	const step = steps[index];
	if (!step) {
		return null;
	}

	const lastStep = index + 1 === steps.length;
	const hints = (paging: boolean) => `Enter: ${lastStep ? 'done' : 'next step'}${paging ? ' · PgDn/PgUp: more' : ''} · Esc: back · Ctrl+C: save and quit`;
	const title = `By hand ${where}`;
	const space = frameSpace(size, {title, context, notice, hints: hints(true)});
	const width = space.width;
	const lines: Line[] = plain(step.text)
		.split('\n')
		// A list item continues under its text; a paragraph at the margin.
		.flatMap((line) => (line.trim() === '' ? [[]] : wrapToWidth(line, width, ' '.repeat(/^\s*(?:[-*]\s+|\d+\.\s+)?/.exec(line)?.[0].length ?? 0)).map((text) => [{text}])));
	const heading = wrapToWidth(`Step ${index + 1} of ${steps.length}: ${plain(step.title)}`, width);
	const items = [
		{label: lastStep ? `Done: ${after}` : 'Done: next step', value: 'next'},
		{label: 'Save and quit (resume later)', value: 'quit'},
	];
	const height = space.lines === undefined ? undefined : space.lines - (heading.length + 1) - (1 + items.length);
	const paging = needsPaging(lines.length, height);
	return (
		<Frame title={title} context={context} notice={notice} hints={hints(paging)}>
			{heading.map((text, line) => (
				<Text key={line} bold>
					{text}
				</Text>
			))}
			<Box marginTop={1}>
				<Paged key={index} lines={lines} height={height} />
			</Box>
			<Box marginTop={1}>
				<Menu key={index} items={items} onSelect={(value) => (value === 'next' ? onNext() : onQuit())} />
			</Box>
		</Frame>
	);
}
