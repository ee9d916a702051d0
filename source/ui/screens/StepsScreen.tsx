import {Box, Text} from 'ink';
import type {ChecklistStep} from '../../checklist/build.js';
import {plain} from '../../checklist/format.js';
import {Frame} from '../components/Frame.js';
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

const frameLines = 6;

/**
 * One manual step in full, before the wizard asks for what it produces: the same text as the
 * checklist, wrapped to the terminal and paged when it is longer (an OVH request body is).
 */
export function StepsScreen({where, steps, index, after, context, notice, onNext, onQuit}: Props) {
	const {columns, rows} = useTerminalSize();
	const width = Math.max(columns - 1, 20);
	const step = steps[index];
	if (!step) {
		return null;
	}

	const lines: Line[] = plain(step.text)
		.split('\n')
		.flatMap((line) => (line.trim() === '' ? [[]] : wrapToWidth(line, width, '  ').map((text) => [{text}])));
	const heading = wrapToWidth(`Step ${index + 1} of ${steps.length}: ${plain(step.title)}`, width);
	const lastStep = index + 1 === steps.length;
	const items = [
		{label: lastStep ? `Done: ${after}` : 'Done: next step', value: 'next'},
		{label: 'Save and quit (resume later)', value: 'quit'},
	];
	const noticeLines = notice ? 1 + wrapToWidth(notice, width).length : 0;
	const height = rows === undefined ? undefined : rows - 1 - frameLines - noticeLines - (heading.length + 1) - (1 + items.length);
	const paging = needsPaging(lines.length, height);
	return (
		<Frame title={`By hand ${where}`} context={context} notice={notice} hints={`Enter: ${lastStep ? 'done' : 'next step'}${paging ? ' · PgDn/PgUp: more' : ''} · Esc: back · Ctrl+C: save and quit`}>
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
