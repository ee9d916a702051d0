import {Box, Text, useInput} from 'ink';
import {useState} from 'react';

export type Segment = {text: string; dim?: boolean; color?: string; bold?: boolean};
/** One terminal line, already wrapped to the width (see layout/wrap.ts), in styled pieces. */
export type Line = Segment[];

type Props = {
	lines: Line[];
	/** How many lines fit; undefined: all of them (not a terminal). */
	height?: number;
};

/** The lines a page needs: all, or the height with one line left for where we are. */
export function pagedHeight(lines: number, height: number | undefined): number {
	return height === undefined || lines <= height ? lines : Math.max(height, 2);
}

export function needsPaging(lines: number, height: number | undefined): boolean {
	return height !== undefined && lines > height;
}

/**
 * Lines that may be more than the screen holds: then a page of them, PgDn/PgUp (or Space/b) to
 * move, and a last line that says where we are. Nothing is cut off or squeezed.
 */
export function Paged({lines, height}: Props) {
	const paging = needsPaging(lines.length, height);
	const page = paging ? Math.max(height! - 1, 1) : lines.length;
	const [offset, setOffset] = useState(0);
	const last = Math.max(lines.length - page, 0);
	const start = Math.min(offset, last);
	useInput(
		(input, key) => {
			if (key.pageDown || input === ' ') {
				setOffset(Math.min(start + page, last));
			} else if (key.pageUp || input === 'b') {
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
					{line.length === 0 ? ' ' : line.map((segment, part) => (
						<Text key={part} dimColor={segment.dim} color={segment.color} bold={segment.bold}>
							{segment.text}
						</Text>
					))}
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
