import {Box, Text} from 'ink';
import type {VerifyStage} from '../../wizard/stages/verify-stage.js';
import type {CheckProgress} from '../../verify/types.js';
import type {ComponentProps} from 'react';
import {useFrameSpace} from '../components/Frame.js';
import {Menu} from '../components/Menu.js';
import {FramedLines, type Line} from '../components/Paged.js';
import {TryItPanel} from '../components/TryItPanel.js';
import {Working} from '../components/Working.js';
import {useObservable} from '../hooks/use-observable.js';
import {wrapSegments} from '../layout/wrap.js';

type Props = {
	stage: VerifyStage;
	onDone(): void;
	/** The optional real sign-in offered once the checks are done. */
	tryIt?: Omit<ComponentProps<typeof TryItPanel>, 'onDone'> | undefined;
};

const icons: Record<string, {icon: string; color?: string}> = {
	pass: {icon: '✔', color: 'green'},
	warn: {icon: '!', color: 'yellow'},
	fail: {icon: '✖', color: 'red'},
	skipped: {icon: '-'},
	pending: {icon: '·'},
};

/** The room the sign-in actions take after the checks: their menu, and two lines for a result or a prompt. */
function tryItLines(tryIt: NonNullable<Props['tryIt']>): number {
	return 2 + (tryIt.registryHost ? 1 : 0) + (tryIt.admins ? 1 : 0) + 2;
}

/** One line per check (wrapped, paged when they are more than the screen), a spinner while it runs; fixes for what failed. */
export function VerifyScreen({stage, onDone, tryIt}: Props) {
	const state = useObservable(stage);
	const {width} = useFrameSpace();
	if (state.phase === 'ready') {
		return <Working message="Starting the checks…" />;
	}

	const rows: CheckProgress[] = state.phase === 'running' ? state.rows : state.results;
	const failed = rows.filter((row) => row.status === 'fail').length;
	const lines: Line[] = rows.flatMap((row) => [
		...wrapSegments(
			[
				row.status === 'running' ? {text: '·', color: 'cyan', spinner: true} : {text: icons[row.status]?.icon ?? '?', ...(icons[row.status]?.color ? {color: icons[row.status]!.color} : {})},
				{text: ' '},
				{text: row.title, bold: true},
				...(row.seen ? [{text: ` ${row.seen}`, dim: true}] : []),
			],
			width,
			'  ',
		),
		...(row.fix && (row.status === 'fail' || row.status === 'warn') ? wrapSegments([{text: `  → ${row.fix}`, color: row.status === 'fail' ? 'red' : 'yellow'}], width) : []),
	]);
	const summary = failed > 0 ? `${failed === 1 ? '1 check' : `${failed} checks`} failed: fix ${failed === 1 ? 'it' : 'them'}, then choose "Run the checks again".` : 'Everything that could be checked works.';
	const withTryIt = tryIt && failed === 0;
	return (
		<Box flexDirection="column">
			<FramedLines lines={lines} reserve={state.phase === 'done' ? 1 + wrapSegments([{text: summary}], width).length + (withTryIt ? tryItLines(tryIt) : 2) : 0} />
			{state.phase === 'done' ? (
				<Box marginTop={1} flexDirection="column">
					<Text color={failed > 0 ? 'red' : 'green'}>{summary}</Text>
					{withTryIt ? (
						<TryItPanel {...tryIt} onDone={onDone} />
					) : (
						<Menu
							items={[
								{label: 'Continue', value: 'next'},
								{label: 'Run the checks again', value: 'again'},
							]}
							onSelect={(value) => (value === 'next' ? onDone() : void stage.start())}
						/>
					)}
				</Box>
			) : null}
		</Box>
	);
}
