import stripAnsi from 'strip-ansi';

export const keys = {enter: '\r', down: '\u001B[B', up: '\u001B[A', escape: '\u001B', ctrlC: '\u0003', backspace: '\u007F'} as const;

export async function tick(ms = 30): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

type Rendered = {frames: string[]; lastFrame(): string | undefined; stdin: {write(data: string): void}};

/** Waits until some frame (not only the last one) satisfies the predicate. */
export async function waitForFrame(rendered: Rendered, predicate: (frame: string) => boolean, timeoutMs = 10_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const found = rendered.frames.map((frame) => stripAnsi(frame)).find(predicate);
		if (found !== undefined) {
			return found;
		}

		if (Date.now() > deadline) {
			throw new Error(`No frame matched. Last frame:\n${stripAnsi(rendered.lastFrame() ?? '')}`);
		}

		await tick(20);
	}
}

export async function waitForText(rendered: Rendered, text: string, timeoutMs?: number): Promise<string> {
	return waitForFrame(rendered, (frame) => frame.includes(text), timeoutMs);
}

/** Sends keys one at a time with a pause, as Ink reads a burst of keys as one chunk. */
export async function press(rendered: Rendered, ...sequence: string[]): Promise<void> {
	for (const key of sequence) {
		await tick();
		rendered.stdin.write(key);
	}

	await tick();
}

export function last(rendered: Rendered): string {
	return stripAnsi(rendered.lastFrame() ?? '');
}
