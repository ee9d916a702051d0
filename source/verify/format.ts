import {printable} from '../core/text.js';
import {ExitCode} from '../core/errors.js';
import type {CheckProgress, CheckResult, CheckStatus} from './types.js';

export type Summary = {passed: number; warned: number; failed: number; skipped: number};

export function summarize(results: readonly CheckProgress[]): Summary {
	const count = (status: CheckStatus) => results.filter((result) => result.status === status).length;
	return {passed: count('pass'), warned: count('warn'), failed: count('fail'), skipped: count('skipped')};
}

/** 0 when nothing failed (warnings and skipped checks included), 1 otherwise. */
export function verificationExitCode(results: readonly CheckResult[]): 0 | 1 {
	return results.some((result) => result.status === 'fail') ? ExitCode.failed : ExitCode.ok;
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
	const {passed, warned, failed, skipped} = summarize(results);
	lines.push('', `${passed} passed, ${warned} warned, ${failed} failed, ${skipped} skipped`);
	const fixes = results.filter((result) => result.fix && (result.status === 'fail' || result.status === 'warn'));
	if (fixes.length > 0) {
		lines.push('', 'What to do:');
		for (const result of fixes) {
			lines.push(`${paint(marks[result.status].color, marks[result.status].symbol)} ${result.title}: ${printable(result.fix ?? '')}`);
		}
	}

	return lines.join('\n');
}

/** One JSON document: every check (id, title, status, seen, fix) and the summary. */
export function toJson(results: readonly CheckResult[]): string {
	const checks = results.map(({id, title, status, seen, fix}) => ({id, title, status, seen, ...(fix ? {fix} : {})}));
	return JSON.stringify({ok: verificationExitCode(results) === ExitCode.ok, summary: summarize(results), checks}, null, 2);
}
