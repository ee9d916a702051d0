import {printable} from '../core/text.js';
import {ExitCode} from '../core/errors.js';
import type {CheckId, CheckProgress, CheckResult, CheckStatus} from './types.js';

export type Summary = {passed: number; warned: number; failed: number; skipped: number};

export function summarize(results: readonly CheckProgress[]): Summary {
	const count = (status: CheckStatus) => results.filter((result) => result.status === status).length;
	return {passed: count('pass'), warned: count('warn'), failed: count('fail'), skipped: count('skipped')};
}

/** 1 when a check failed; 2 when none could run (a script must not read that as success); else 0. */
export function verificationExitCode(results: readonly CheckResult[]): 0 | 1 | 2 {
	if (results.some((result) => result.status === 'fail')) {
		return ExitCode.failed;
	}

	return nothingChecked(results) ? ExitCode.usage : ExitCode.ok;
}

function nothingChecked(results: readonly CheckProgress[]): boolean {
	return results.length > 0 && results.every((result) => result.status === 'skipped');
}

/** The checks without which a passing run proves little: the provider, the client's credentials, the app's settings. */
const importantChecks: ReadonlySet<CheckId> = new Set(['discovery', 'client-secret', 'app-config']);

/** The values the skipped checks lacked, each once. */
export function missingValues(results: readonly CheckProgress[]): string[] {
	return [...new Set(results.flatMap((result) => (result.status === 'skipped' ? (result.missing ?? []) : [])))];
}

/** The summary line: the counts, and what that means when checks were skipped. */
export function summaryLine(results: readonly CheckProgress[]): string {
	const {passed, warned, failed, skipped} = summarize(results);
	const counts = `${passed} passed, ${warned} warned, ${failed} failed, ${skipped} skipped`;
	if (results.some((result) => result.status === 'pending' || result.status === 'running')) {
		return counts;
	}

	const missing = missingValues(results);
	const give = missing.length > 0 ? `; missing: ${missing.join(', ')} (give them with --set key=…, secrets as SSO_SETUP_<KEY>)` : '';
	if (nothingChecked(results)) {
		return `${counts}: nothing could be checked${give}.`;
	}

	const skippedImportant = results.filter((result) => result.status === 'skipped' && importantChecks.has(result.id)).map((result) => result.title);
	return skippedImportant.length > 0 ? `${counts}: not checked, so not proven: ${skippedImportant.join(', ')}${give}.` : counts;
}

const marks: Record<CheckProgress['status'], {symbol: string; color: number}> = {
	pass: {symbol: '✔', color: 32},
	warn: {symbol: '!', color: 33},
	fail: {symbol: '✖', color: 31},
	skipped: {symbol: '-', color: 90},
	pending: {symbol: '·', color: 90},
	running: {symbol: '…', color: 36},
};

/** One line per check, the summary, then what to do about each warning and failure. Works for the in-progress rows too. */
export function formatTable(results: readonly CheckProgress[], options: {color: boolean}): string {
	const paint = (color: number, text: string) => (options.color ? `\u001B[${color}m${text}\u001B[39m` : text);
	const width = Math.max(...results.map((result) => result.title.length));
	const lines = results.map((result) => {
		const {symbol, color} = marks[result.status];
		return `${paint(color, symbol)} ${result.title.padEnd(width)}  ${printable(result.seen)}`.trimEnd();
	});
	lines.push('', summaryLine(results));
	const fixes = results.filter((result) => result.fix && (result.status === 'fail' || result.status === 'warn'));
	if (fixes.length > 0) {
		lines.push('', 'What to do:');
		for (const result of fixes) {
			lines.push(`${paint(marks[result.status].color, marks[result.status].symbol)} ${result.title}: ${printable(result.fix ?? '')}`);
		}
	}

	return lines.join('\n');
}

/**
 * One JSON document: every check (id, title, status, seen, fix) and the summary; with the sign-in
 * proof, its chain as `signIn` after the checks, and `ok` from the run's exit code.
 */
export function toJson(results: readonly CheckResult[], options: {signIn?: unknown; exitCode?: number} = {}): string {
	const checks = results.map(({id, title, status, seen, fix}) => ({id, title, status, seen, ...(fix ? {fix} : {})}));
	const missing = missingValues(results);
	const ok = (options.exitCode ?? verificationExitCode(results)) === ExitCode.ok;
	return JSON.stringify({ok, summary: summarize(results), ...(nothingChecked(results) ? {nothing_checked: true} : {}), ...(missing.length > 0 ? {missing} : {}), checks, ...(options.signIn === undefined ? {} : {signIn: options.signIn})}, null, 2);
}
