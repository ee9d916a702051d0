/** A step that took longer than its limit; `seconds` for the sentence that says so. */
export class StepTimeout extends Error {
	constructor(readonly seconds: number) {
		super(`no answer within ${seconds} s`);
		this.name = 'StepTimeout';
	}
}

/** The run was interrupted (Ctrl+C) while the step was waiting. */
export class StepInterrupted extends Error {
	constructor() {
		super('interrupted');
		this.name = 'StepInterrupted';
	}
}

/**
 * Runs `work` and settles with it, or rejects with StepTimeout after `limitMs`, or with
 * StepInterrupted as soon as `signal` aborts. The work itself is not cancelled (the HTTP client
 * bounds each request): the caller just stops waiting for it.
 */
export async function withinTime<T>(work: () => Promise<T>, limitMs: number, signal?: AbortSignal): Promise<T> {
	if (signal?.aborted) {
		throw new StepInterrupted();
	}

	let timer: NodeJS.Timeout | undefined;
	let onAbort: (() => void) | undefined;
	const stop = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			reject(new StepTimeout(Math.max(1, Math.round(limitMs / 1000))));
		}, limitMs);
		onAbort = () => {
			reject(new StepInterrupted());
		};

		signal?.addEventListener('abort', onAbort, {once: true});
	});
	try {
		return await Promise.race([Promise.resolve().then(work), stop]);
	} finally {
		clearTimeout(timer);
		if (onAbort) {
			signal?.removeEventListener('abort', onAbort);
		}
	}
}
