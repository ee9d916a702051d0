import type {SignInLink, SignInLinkStatus} from '../core/sign-in.js';
import {printable} from '../core/text.js';
import type {CleanupReport, LeftBehind} from './cleanup.js';
import type {SignInPlan, SignInReport} from './run.js';

/** The sign-in proof for a person (the chain as a diagram and one line per link) and for scripts (JSON). */

const marks: Record<SignInLinkStatus, {symbol: string; color: number; word: string}> = {
	passed: {symbol: '✔', color: 32, word: 'passed'},
	failed: {symbol: '✖', color: 31, word: 'failed'},
	'not-reached': {symbol: '·', color: 90, word: 'not reached'},
	skipped: {symbol: '-', color: 90, word: 'skipped'},
};

type TextOptions = {color: boolean; width?: number};

function painter(color: boolean): (code: number, text: string) => string {
	return (code, text) => (color ? `\u001B[${code}m${text}\u001B[39m` : text);
}

/** The mark of a link's status: ✔ passed, ✖ failed, · not reached, - skipped. */
export function linkMark(status: SignInLinkStatus): string {
	return marks[status].symbol;
}

/**
 * `app sign-in start ✔ → IdP authorize ✔ → IdP login ✖ → …`, wrapped before an arrow when a line
 * would pass `width` (continuation lines start with the arrow).
 */
export function signInDiagram(links: readonly SignInLink[], options: TextOptions): string[] {
	const paint = painter(options.color);
	const width = options.width ?? 100;
	const lines: string[] = [];
	let line = '';
	let length = 0;
	for (const [index, link] of links.entries()) {
		const {symbol, color} = marks[link.status];
		const plain = `${index === 0 ? '' : '→ '}${link.title} ${symbol}`;
		const painted = `${index === 0 ? '' : '→ '}${link.title} ${paint(color, symbol)}`;
		if (length > 0 && length + 1 + plain.length > width) {
			lines.push(line);
			line = painted;
			length = plain.length;
		} else {
			line = length === 0 ? painted : `${line} ${painted}`;
			length += (length === 0 ? 0 : 1) + plain.length;
		}
	}

	if (line) {
		lines.push(line);
	}

	return lines;
}

/** The first link that broke, the one whose fix comes first. */
export function firstBrokenLink(links: readonly SignInLink[]): SignInLink | undefined {
	return links.find((link) => link.status === 'failed');
}

/** The sentence said before the sign-in runs: what it creates, where, and what it deletes afterwards. */
export function describeSignInPlan(plan: SignInPlan): string {
	switch (plan.kind) {
		case 'create': {
			return `The sign-in proof creates a throw-away test user (sso-setup-test-…, with a random password that is never shown or stored) at ${plan.idpWhere}, signs it in to ${plan.appWhere} as a browser would, and then deletes it from both.`;
		}

		case 'account': {
			return `The sign-in proof signs your test account ${plan.username} (${plan.idpWhere}) in to ${plan.appWhere} as a browser would, then deletes the user this creates in the app; the account at the IdP is kept.`;
		}

		case 'skip': {
			return plan.reason;
		}
	}
}

/**
 * What could not be deleted, one line each, and how it gets done: `retry` is the command that
 * finishes the clean-up (the next run of it tries again).
 */
export function leftBehindLines(left: readonly LeftBehind[], options: {color: boolean; retry?: string}): string[] {
	const paint = painter(options.color);
	const lines = left.map((item) => `${paint(31, '✖')} Left behind: ${printable(item.what)} at ${printable(item.where)} (${printable(item.reason)}).`);
	if (left.length > 0) {
		lines.push(`  ${options.retry ? `The next run of ${options.retry} deletes ${left.length === 1 ? 'it' : 'them'}; or delete ${left.length === 1 ? 'it' : 'them'} there by hand.` : `Delete ${left.length === 1 ? 'it' : 'them'} there by hand.`}`);
	}

	return lines;
}

/** What the clean-up did and what it left, for a person. */
export function cleanupLines(cleanup: CleanupReport, options: {color: boolean; retry?: string}): string[] {
	const paint = painter(options.color);
	return [...cleanup.done.map((line) => `${paint(32, '✔')} ${printable(line)}`), ...leftBehindLines(cleanup.left, options)];
}

/** The whole proof as text: the account, the diagram, one line per link, the first fix, the clean-up. */
export function formatSignIn(report: SignInReport, options: TextOptions & {retry?: string}): string {
	const paint = painter(options.color);
	const lines: string[] = [];
	if (report.status === 'skipped') {
		return `${paint(90, '-')} Sign-in proof skipped: ${printable(report.seen ?? '')}`;
	}

	const account = report.testUser ? `: ${report.testUser.createdBy === 'sso-setup' ? 'test user' : 'your test account'} ${printable(report.testUser.username)} at ${printable(report.testUser.where)}` : '';
	lines.push(`Sign-in proof${account}`);
	lines.push(...signInDiagram(report.links, options).map((line) => `  ${line}`), '');
	const width = Math.max(...report.links.map((link) => link.title.length));
	for (const link of report.links) {
		const {symbol, color, word} = marks[link.status];
		const seen = link.seen ? printable(link.seen) : word;
		lines.push(`${paint(color, symbol)} ${link.title.padEnd(width)}  ${seen}`.trimEnd());
	}

	lines.push('');
	const broken = firstBrokenLink(report.links);
	switch (report.status) {
		case 'passed': {
			lines.push(`${paint(32, '✔')} Sign-in proof passed${report.onboardingPrompt ? ' (the app asks the new user to confirm a name: that is a successful sign-in)' : ''}.`);
			break;
		}

		case 'interrupted': {
			lines.push(`${paint(31, '✖')} Sign-in proof interrupted.`);
			break;
		}

		case 'failed': {
			lines.push(`${paint(31, '✖')} Sign-in proof failed${broken ? ` at: ${broken.title}` : ''}.${report.seen ? ` ${printable(report.seen)}` : ''}`);
			const fix = broken?.fix ?? report.fix;
			if (fix) {
				lines.push(`  What to do${broken ? ` (${broken.title})` : ''}: ${printable(fix)}`);
			}

			break;
		}
	}

	const clean = cleanupLines(report.cleanup, options);
	if (clean.length > 0) {
		lines.push('', 'Clean-up:', ...clean);
	}

	return lines.join('\n');
}

/** 1 when the sign-in failed, was interrupted, or left a user behind; 0 when it passed or was skipped. */
export function signInExitCode(report: SignInReport): 0 | 1 {
	return report.status === 'failed' || report.status === 'interrupted' || report.cleanup.left.length > 0 ? 1 : 0;
}

export type SignInJson = {
	status: SignInReport['status'];
	seen?: string;
	fix?: string;
	links: Array<Pick<SignInLink, 'id' | 'title' | 'status' | 'seen'> & {fix?: string}>;
	testUser?: NonNullable<SignInReport['testUser']>;
	onboardingPrompt?: boolean;
	cleanup: {complete: boolean; done: string[]; left: LeftBehind[]};
};

/** The same chain for `verify --json` (the `signIn` member). */
export function signInJson(report: SignInReport): SignInJson {
	return {
		status: report.status,
		...(report.seen ? {seen: report.seen} : {}),
		...(report.fix ? {fix: report.fix} : {}),
		links: report.links.map(({id, title, status, seen, fix}) => ({id, title, status, seen, ...(fix ? {fix} : {})})),
		...(report.testUser ? {testUser: report.testUser} : {}),
		...(report.onboardingPrompt ? {onboardingPrompt: true} : {}),
		cleanup: {complete: report.cleanup.left.length === 0, done: report.cleanup.done, left: report.cleanup.left},
	};
}
