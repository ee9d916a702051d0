import {Box, Text} from 'ink';
import {Spinner} from '../components/Spinner.js';
import type {VerifyStage} from '../../wizard/stages/verify-stage.js';
import type {CheckProgress} from '../../verify/types.js';
import type {ComponentProps} from 'react';
import {Menu} from '../components/Menu.js';
import {TryItPanel} from '../components/TryItPanel.js';
import {Working} from '../components/Working.js';
import {useObservable} from '../hooks/use-observable.js';

type Props = {
	stage: VerifyStage;
	onDone(): void;
	/** The optional real sign-in offered once the checks are done. */
	tryIt?: Omit<ComponentProps<typeof TryItPanel>, 'onDone'>;
};

const icons: Record<string, {icon: string; color?: string}> = {
	pass: {icon: '✔', color: 'green'},
	warn: {icon: '!', color: 'yellow'},
	fail: {icon: '✖', color: 'red'},
	skipped: {icon: '-'},
	pending: {icon: '·'},
};

/** One line per check, a spinner while it runs; fixes for what failed. */
export function VerifyScreen({stage, onDone, tryIt}: Props) {
	const state = useObservable(stage);
	if (state.phase === 'ready') {
		return <Working message="Starting the checks…" />;
	}

	const rows: CheckProgress[] = state.phase === 'running' ? state.rows : state.results;
	const failed = rows.filter((row) => row.status === 'fail').length;
	return (
		<Box flexDirection="column">
			{rows.map((row) => (
				<Box key={row.id} flexDirection="column">
					<Text>
						{row.status === 'running' ? (
							<Text color="cyan">
								<Spinner />
							</Text>
						) : (
							<Text color={icons[row.status]?.color}>{icons[row.status]?.icon ?? '?'}</Text>
						)}{' '}
						<Text bold>{row.title}</Text>
						{row.seen ? <Text dimColor> {row.seen}</Text> : null}
					</Text>
					{row.fix && (row.status === 'fail' || row.status === 'warn') ? <Text color={row.status === 'fail' ? 'red' : 'yellow'}>  → {row.fix}</Text> : null}
				</Box>
			))}
			{state.phase === 'done' ? (
				<Box marginTop={1} flexDirection="column">
					<Text color={failed > 0 ? 'red' : 'green'}>{failed > 0 ? `${failed} check${failed === 1 ? '' : 's'} failed: fix them, then choose "Run the checks again".` : 'Everything that could be checked works.'}</Text>
					{tryIt && failed === 0 ? (
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
