import type {CheckOutcome} from './check-outcome.js';

/** Collects what a multi-part check saw; the worst finding decides the status, problems are listed first. */
export class Findings {
	private readonly good: string[] = [];
	private readonly problems: Array<{status: 'warn' | 'fail'; seen: string; fix: string}> = [];

	ok(seen: string): void {
		this.good.push(seen);
	}

	warn(seen: string, fix: string): void {
		this.problems.push({status: 'warn', seen, fix});
	}

	fail(seen: string, fix: string): void {
		this.problems.push({status: 'fail', seen, fix});
	}

	outcome(): CheckOutcome {
		const status = this.problems.some((problem) => problem.status === 'fail') ? 'fail' : this.problems.length > 0 ? 'warn' : 'pass';
		const seen = [...this.problems.map((problem) => problem.seen), ...this.good].join(' ');
		const fixes = [...new Set(this.problems.map((problem) => problem.fix))];
		return {status, seen, ...(fixes.length > 0 ? {fix: fixes.join(' ')} : {})};
	}
}
