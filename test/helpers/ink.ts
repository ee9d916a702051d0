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
			// A component that just mounted listens for keys only after its effects ran.
			await tick(60);
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

/**
 * Sends keys one at a time, each after the screen has redrawn for the previous one (or a short
 * while has passed, for keys that change nothing): a menu reads the highlight of its last render,
 * so Enter sent before the redraw of an arrow key would choose the wrong item on a busy machine.
 */
export async function press(rendered: Rendered, ...sequence: string[]): Promise<void> {
	for (const key of sequence) {
		const before = rendered.frames.length;
		rendered.stdin.write(key);
		const deadline = Date.now() + 400;
		while (rendered.frames.length === before && Date.now() < deadline) {
			await tick(10);
		}

		await tick(15);
	}
}

export function last(rendered: Rendered): string {
	return stripAnsi(rendered.lastFrame() ?? '');
}
