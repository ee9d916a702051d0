import {Box, Text, useInput, useStdout} from 'ink';
import {useEffect} from 'react';
import {type SignInLink, type SignInLinkStatus, signInLinkTitles} from '../../core/sign-in.js';
import {printable} from '../../core/text.js';
import {cleanupLines, linkMark, signInDiagram} from '../../sign-in/format.js';
import type {SignInProgress, SignInReport} from '../../sign-in/run.js';
import type {SignInStage} from '../../wizard/stages/sign-in-stage.js';
import {Menu} from '../components/Menu.js';
import {Spinner} from '../components/Spinner.js';
import {TextField} from '../components/TextField.js';
import {Working} from '../components/Working.js';
import {useObservable} from '../hooks/use-observable.js';

type Props = {
	stage: SignInStage;
	/** Where a typed password is kept: with the session's secrets in the keychain, or in memory for this run. */
	storage: 'keychain' | 'memory' | 'pending';
	onDone(): void;
};

const colors: Record<SignInLinkStatus, string | undefined> = {passed: 'green', failed: 'red', 'not-reached': 'gray', skipped: 'gray'};
const titleWidth = Math.max(...Object.values(signInLinkTitles).map((title) => title.length));

/**
 * The last step: the sign-in proof. What it creates and deletes and where, then Run it or Skip;
 * for an IdP without an admin API the person's test account (the password masked). While it runs,
 * the chain as a diagram that fills in; then each link with what was seen, the fix of the broken
 * one, the clean-up, and the verdict. Esc stops a run, Ctrl+C stops it and quits (the controller
 * sends it): the test user is deleted first either way.
 */
export function SignInStep({stage, storage, onDone}: Props) {
	const state = useObservable(stage);
	const {stdout} = useStdout();
	const width = Math.max(40, (stdout.columns || 80) - 1);
	useEffect(() => {
		void stage.start();
	}, [stage]);
	useInput((_input, key) => {
		if (!key.escape) {
			return;
		}

		if (state.phase === 'running') {
			stage.interrupt();
		} else if (state.phase === 'account') {
			stage.back();
		}
	});

	switch (state.phase) {
		case 'planning': {
			return <Working message="Preparing the sign-in proof…" />;
		}

		case 'offer': {
			return (
				<Box flexDirection="column">
					<Text bold>Last step: prove a real sign-in</Text>
					<Text>{state.sentence}</Text>
					<Box marginTop={1}>
						<Menu
							items={[
								{label: 'Run it', value: 'run'},
								{label: 'Skip', value: 'skip'},
							]}
							onSelect={(value) => (value === 'run' ? void stage.run() : stage.skip())}
						/>
					</Box>
				</Box>
			);
		}

		case 'account': {
			return (
				<Box flexDirection="column">
					<Text bold>Last step: prove a real sign-in</Text>
					<Text>{state.reason}</Text>
					{state.ask === 'choice' ? (
						<>
							<Text>{state.suggestion}</Text>
							<Box marginTop={1}>
								<Menu
									items={[
										{label: 'Sign in with a test account of mine', value: 'account'},
										{label: 'Skip', value: 'skip'},
									]}
									onSelect={(value) => (value === 'account' ? stage.useAccount() : stage.skip())}
								/>
							</Box>
						</>
					) : (
						<Box flexDirection="column" marginTop={1}>
							<Text>{state.ask === 'username' ? 'User name of the test account:' : `Password of ${state.username ?? 'the test account'} (not shown; kept ${storage === 'keychain' ? "in the keychain with this session's secrets" : 'in memory for this run only'}):`}</Text>
							<Box>
								<Text color="cyan">{'› '}</Text>
								<TextField
									key={state.ask}
									initial={state.ask === 'username' ? (state.username ?? '') : ''}
									{...(state.ask === 'password' ? {mask: '•'} : {})}
									onSubmit={(value) => void (state.ask === 'username' ? stage.submitUsername(value) : stage.submitPassword(value))}
								/>
							</Box>
							{state.error ? <Text color="red">✖ {state.error}</Text> : null}
							<Text dimColor>Esc: back</Text>
						</Box>
					)}
				</Box>
			);
		}

		case 'running': {
			return (
				<Box flexDirection="column">
					<Text bold>Signing in as a browser would…</Text>
					<Diagram links={state.progress.links} width={width} />
					<Links links={state.progress.links} running={state.progress.running ?? ''} />
					{state.stopping ? (
						<Text color="yellow">
							<Spinner /> Stopping: the test user is deleted first (a few seconds). Ctrl+C again quits at once (the next run deletes it then).
						</Text>
					) : (
						<Text>
							<Text color="cyan">
								<Spinner />
							</Text>{' '}
							{phaseText(state.progress)}
						</Text>
					)}
					{state.stopping ? null : <Text dimColor>Esc: stop · Ctrl+C: stop and quit (the test user is deleted first)</Text>}
				</Box>
			);
		}

		case 'done': {
			const {report, verdict, retry} = state;
			const user = report.testUser ? ` · ${report.testUser.createdBy === 'sso-setup' ? 'test user' : 'your test account'} ${printable(report.testUser.username)} at ${printable(report.testUser.where)}` : '';
			const clean = cleanupLines(report.cleanup, {color: false, retry});
			const deleted = clean.filter((line) => line.startsWith('✔'));
			const left = clean.filter((line) => !line.startsWith('✔'));
			const ran = !report.links.every((link) => link.status === 'skipped');
			const again = report.status === 'failed' || report.status === 'interrupted' || report.cleanup.left.length > 0;
			const verdictLines = verdict.lines.map((line, index) => `${index === 0 ? `${verdict.tone === 'good' ? '✔' : verdict.tone === 'bad' ? '✖' : '-'} ` : '  '}${line}`);
			const layout = doneLayout({report, ran, verdict: verdictLines, deleted, left, menu: again ? 2 : 1}, width + 1, (stdout.rows || 24) - 7);
			return (
				<Box flexDirection="column">
					{layout.heading && ran ? (
						<Text bold wrap="truncate-end">
							Sign-in proof{user}
						</Text>
					) : null}
					{ran ? (
						<>
							<Diagram links={report.links} width={width} />
							<Links links={report.links} passed={layout.links} notReached={layout.notReached} />
						</>
					) : null}
					{verdictLines.map((line, index) => (
						<Text key={index} color={verdict.tone === 'good' ? 'green' : verdict.tone === 'bad' ? 'red' : undefined}>
							{line}
						</Text>
					))}
					{deleted.map((line, index) => (
						<Text key={index} wrap={layout.cleanupFull ? 'wrap' : 'truncate-end'}>
							<Text color="green">✔</Text>
							{line.slice(1)}
						</Text>
					))}
					{left.map((line, index) => (
						<Text key={index} color={line.startsWith('✖') ? 'red' : 'yellow'}>
							{line}
						</Text>
					))}
					<Box marginTop={layout.spaced ? 1 : 0}>
						<Menu
							items={[{label: 'Continue', value: 'next'}, ...(again ? [{label: 'Run it again', value: 'again'}] : [])]}
							onSelect={(value) => (value === 'next' ? onDone() : void stage.again())}
						/>
					</Box>
				</Box>
			);
		}
	}
}

type DoneLayout = {heading: boolean; links: boolean; notReached: boolean; spaced: boolean; cleanupFull: boolean};

/**
 * What of the result fits the terminal's rows (80×24 included): always the diagram, the broken
 * link with what was seen and its fix, the verdict, what was left behind and the menu; then, while
 * room is left, the clean-up's lines cut at the edge, the heading, a blank line, the links that
 * passed, the links not reached, and the clean-up's lines in full.
 */
export function doneLayout(
	parts: {report: SignInReport; ran: boolean; verdict: readonly string[]; deleted: readonly string[]; left: readonly string[]; menu: number},
	width: number,
	rows: number,
): DoneLayout {
	const {report, ran} = parts;
	const failed = report.links.filter((link) => link.status === 'failed');
	const passed = report.links.filter((link) => link.status === 'passed' || link.status === 'skipped');
	const notReached = report.links.some((link) => link.status === 'not-reached');
	const diagram = ran ? signInDiagram(report.links, {color: false, width: width - 1}).length : 0;
	const failedHeight = failed.reduce((sum, link) => sum + heightOf(`${linkMark('failed')} ${link.title} ${link.seen}`, width) + (link.fix ? heightOf(`  → ${link.fix}`, width) : 0), 0);
	const sum = (lines: readonly string[]) => lines.reduce((total, line) => total + heightOf(line, width), 0);
	let used = diagram + (ran ? failedHeight : 0) + sum(parts.verdict) + sum(parts.left) + parts.menu + parts.deleted.length;
	const fits = (height: number) => {
		if (used + height > rows) {
			return false;
		}

		used += height;
		return true;
	};

	const heading = fits(1);
	const spaced = fits(1);
	const links = ran && fits(passed.length);
	const notReachedShown = ran && notReached && fits(1);
	const cleanupFull = fits(sum(parts.deleted) - parts.deleted.length);
	return {heading, spaced, links, notReached: notReachedShown, cleanupFull};
}

/** How many lines a text takes at this width, wrapped at spaces as Ink does (a long word is cut). */
function heightOf(text: string, width: number): number {
	let lines = 1;
	let used = 0;
	for (const word of text.split(' ')) {
		const length = [...word].length;
		if (used > 0 && used + 1 + length <= width) {
			used += 1 + length;
			continue;
		}

		if (used > 0) {
			lines++;
		}

		used = length;
		while (used > width) {
			lines++;
			used -= width;
		}
	}

	return lines;
}

/** The chain in one or two lines (wrapped before an arrow at the terminal's width), its marks in colour. */
function Diagram({links, width}: {links: readonly SignInLink[]; width: number}) {
	const lines = signInDiagram(links, {color: false, width});
	// The marks sit after each title, in the chain's order: colour them in the same order.
	const statuses = links.map((link) => link.status);
	let next = 0;
	return (
		<Box flexDirection="column">
			{lines.map((line, index) => {
				const parts = line.split(/ (?=[✔✖·-](?: →|$))/);
				return (
					<Text key={index}>
						{parts.map((part, position) => {
							if (position === 0) {
								return <Text key={position}>{part}</Text>;
							}

							const status = statuses[next++] ?? 'not-reached';
							const mark = part.slice(0, 1);
							return (
								<Text key={position}>
									{' '}
									<Text color={colors[status]}>{mark}</Text>
									{part.slice(1)}
								</Text>
							);
						})}
					</Text>
				);
			})}
		</Box>
	);
}

/**
 * The links with what was seen: the broken one in full with its fix, the ones that passed (or were
 * skipped) one line each cut at the terminal's edge (`passed`), the ones not reached in one line
 * (`notReached`). While the proof runs (`running` given), the link being tried has a spinner and
 * the ones to come are left to the diagram.
 */
function Links({links, running, passed = true, notReached = true}: {links: readonly SignInLink[]; running?: string; passed?: boolean; notReached?: boolean}) {
	const waiting = links.filter((link) => link.status === 'not-reached' && link.id !== running);
	return (
		<Box flexDirection="column">
			{links.map((link) => {
				if (link.id === running && link.status === 'not-reached') {
					return (
						<Text key={link.id} wrap="truncate-end">
							<Text color="cyan">
								<Spinner />
							</Text>{' '}
							{link.title}
						</Text>
					);
				}

				if (link.status === 'failed') {
					return (
						<Box key={link.id} flexDirection="column">
							<Text>
								<Text color="red">{linkMark(link.status)}</Text> <Text bold>{link.title}</Text> {link.seen}
							</Text>
							{link.fix ? <Text color="red">  → {link.fix}</Text> : null}
						</Box>
					);
				}

				return link.status === 'not-reached' || !passed ? null : (
					<Text key={link.id} wrap="truncate-end">
						<Text color={colors[link.status]}>{linkMark(link.status)}</Text> {link.title.padEnd(titleWidth)} <Text dimColor>{link.seen || link.status}</Text>
					</Text>
				);
			})}
			{notReached && waiting.length > 0 && running === undefined ? (
				<Text dimColor wrap="truncate-end">
					{linkMark('not-reached')} not reached: {waiting.map((link) => link.title).join(', ')}
				</Text>
			) : null}
		</Box>
	);
}

function phaseText(progress: SignInProgress): string {
	switch (progress.phase) {
		case 'test-user': {
			return 'Preparing the test user…';
		}

		case 'sign-in': {
			const link = progress.links.find((candidate) => candidate.id === progress.running);
			return link ? `${link.title}…` : 'Signing in…';
		}

		case 'clean-up': {
			return 'Deleting the test user from both sides…';
		}

		case 'done': {
			return 'Done.';
		}
	}
}
