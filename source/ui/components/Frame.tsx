import {Box, Text} from 'ink';
import {createContext, type ReactNode, useContext} from 'react';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {wrapToWidth} from '../layout/wrap.js';

type Props = {
	title: string;
	/** "authentik → Harbor", shown once a pair is chosen. */
	context?: string | undefined;
	step?: string | undefined;
	hints?: string | undefined;
	notice?: string | undefined;
	children: ReactNode;
};

const defaultHints = '↑↓ Enter: choose · Esc: back · Ctrl+C: save and quit';

/** The lines a frame's content may take (undefined: no limit, not a terminal), and the width to wrap to. */
const Space = createContext<{lines: number | undefined; width: number}>({lines: undefined, width: 79});

/**
 * The room the content of the frame has: the terminal's rows minus the header, the title, the
 * notice and the footer, with one row kept free (a frame as tall as the terminal scrolls its header
 * away). A screen pages what does not fit in it.
 */
export function useFrameSpace(): {lines: number | undefined; width: number} {
	return useContext(Space);
}

/** The same, computed before the frame is drawn (a screen whose footer depends on whether it pages). */
export function frameSpace(size: {columns: number; rows: number | undefined}, frame: Omit<Props, 'children'>): {lines: number | undefined; width: number} {
	const width = Math.max(size.columns - 1, 20);
	const header = ['sso-setup', frame.context, frame.step].filter(Boolean).join(' · ');
	const used =
		wrapToWidth(header, width).length + 1 + wrapToWidth(frame.title, width).length + 1 + (frame.notice ? 1 + wrapToWidth(frame.notice, width).length : 0) + 1 + wrapToWidth(frame.hints ?? defaultHints, width).length;
	return {lines: size.rows === undefined ? undefined : Math.max(size.rows - 1 - used, 4), width};
}

/** Every screen: a header line, the content, and the keys that work here. */
export function Frame({title, context, step, hints, notice, children}: Props) {
	const space = frameSpace(useTerminalSize(), {title, context, step, hints, notice});
	const footer = hints ?? defaultHints;
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
				<Space.Provider value={space}>{children}</Space.Provider>
			</Box>
			{notice ? (
				<Box marginTop={1}>
					<Text color="green">{notice}</Text>
				</Box>
			) : null}
			<Box marginTop={1}>
				<Text dimColor>{footer}</Text>
			</Box>
		</Box>
	);
}
