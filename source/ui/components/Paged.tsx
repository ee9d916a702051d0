import {Box, Text, useInput} from 'ink';
import {useState} from 'react';
import {type Line, wrapToWidth} from '../layout/wrap.js';
import {useFrameSpace} from './Frame.js';
import {Spinner} from './Spinner.js';

export type {Line, Segment} from '../layout/wrap.js';

type Props = {
	/** Already wrapped to the width (layout/wrap.ts), so that their number is their height. */
	lines: Line[];
	/** How many lines fit; undefined: all of them (not a terminal). */
	height?: number | undefined;
};

export function needsPaging(lines: number, height: number | undefined): boolean {
	return height !== undefined && lines > height;
}

/**
 * Lines that may be more than the screen holds: then a page of them, PgDn/PgUp to move (no
 * printable key: a text field may be on the same screen), and a last line that says where we are. Nothing is cut off or squeezed.
 */
export function Paged({lines, height}: Props) {
	const paging = needsPaging(lines.length, height);
	const page = paging ? Math.max(height! - 1, 1) : lines.length;
	const [offset, setOffset] = useState(0);
	const last = Math.max(lines.length - page, 0);
	const start = Math.min(offset, last);
	useInput(
		(_input, key) => {
			if (key.pageDown) {
				setOffset(Math.min(start + page, last));
			} else if (key.pageUp) {
				setOffset(Math.max(start - page, 0));
			}
		},
		{isActive: paging},
	);
	const shown = lines.slice(start, start + page);
	return (
		<Box flexDirection="column">
			{shown.map((line, index) => (
				<Text key={start + index} wrap="truncate-end">
					{line.length === 0
						? ' '
						: line.map((segment, part) =>
								segment.spinner ? (
									<Text key={part} color={segment.color}>
										<Spinner />
									</Text>
								) : (
									<Text key={part} dimColor={segment.dim} color={segment.color} bold={segment.bold}>
										{segment.text}
									</Text>
								),
							)}
				</Text>
			))}
			{paging ? (
				<Text dimColor wrap="truncate-end">
					Lines {start + 1}–{start + shown.length} of {lines.length} · {start < last ? 'PgDn: more' : 'end'}
					{start > 0 ? ' · PgUp: back' : ''}
				</Text>
			) : null}
		</Box>
	);
}

/** Lines in the room the frame leaves, minus `reserve` lines the screen draws below them (its menu). */
export function FramedLines({lines, reserve}: {lines: Line[]; reserve: number}) {
	const space = useFrameSpace();
	return <Paged lines={lines} height={space.lines === undefined ? undefined : Math.max(space.lines - reserve, 3)} />;
}

/** The height of a menu of these labels at this width (a long label wraps under its pointer). */
export function menuHeight(labels: readonly string[], width: number): number {
	return labels.reduce((sum, label) => sum + wrapToWidth(label, Math.max(width - 2, 10)).length, 0);
}
