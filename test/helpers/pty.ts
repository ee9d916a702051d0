import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {spawn, type IPty} from '@lydell/node-pty';
import xterm from '@xterm/headless';

/**
 * Runs the built binary in a real pseudo-terminal, as a person would, and reads the screen through
 * a headless xterm. Keys are sent one at a time and each waits for the screen to settle: Ink reads
 * a burst of keys as one chunk and drops the arrows in it.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The program as installed (package.json's bin). */
export const binary = path.join(root, 'bundle', 'cli.cjs');

export const keys = {
	enter: '\r',
	down: '\u001B[B',
	up: '\u001B[A',
	escape: '\u001B',
	ctrlC: '\u0003',
	backspace: '\u007F',
	ctrlU: '\u0015',
	pageDown: '\u001B[6~',
	pageUp: '\u001B[5~',
} as const;

export type PtyOptions = {env?: Record<string, string | undefined>; cols?: number; rows?: number; cwd?: string};

export class PtyRun {
	private readonly terminal: xterm.Terminal;
	private readonly process: IPty;
	private raw = '';
	private exitCode: number | undefined;
	private readonly exited: Promise<number>;
	private lastChange = Date.now();

	constructor(args: string[], options: PtyOptions = {}) {
		if (!existsSync(binary)) {
			throw new Error(`${binary} is missing: run "npm run build" first.`);
		}

		const cols = options.cols ?? 100;
		const rows = options.rows ?? 40;
		this.terminal = new xterm.Terminal({cols, rows, allowProposedApi: true});
		const env = {...process.env, CI: 'false', TERM: 'xterm-256color', FORCE_COLOR: undefined, ...options.env};
		this.process = spawn(process.execPath, [binary, ...args], {
			cols,
			rows,
			cwd: options.cwd ?? root,
			env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
		});
		this.process.onData((data) => {
			this.raw += data;
			this.lastChange = Date.now();
			this.terminal.write(data);
		});
		this.exited = new Promise((resolve) => {
			this.process.onExit(({exitCode}) => {
				this.exitCode = exitCode;
				resolve(exitCode);
			});
		});
	}

	/** What the terminal shows now, one string, lines joined with \n and trailing spaces trimmed. */
	screen(): string {
		const buffer = this.terminal.buffer.active;
		const lines: string[] = [];
		for (let index = 0; index < buffer.length; index++) {
			lines.push(buffer.getLine(index)?.translateToString(true) ?? '');
		}

		return lines.join('\n').replace(/\n+$/, '');
	}

	/** The rows the terminal shows now (no scrollback), trailing spaces trimmed; blank rows kept. */
	viewport(): string[] {
		const buffer = this.terminal.buffer.active;
		const rows: string[] = [];
		for (let index = buffer.viewportY; index < buffer.viewportY + this.terminal.rows; index++) {
			rows.push(buffer.getLine(index)?.translateToString(true) ?? '');
		}

		return rows;
	}

	/** Everything written so far, escape sequences removed. */
	output(): string {
		// eslint-disable-next-line no-control-regex
		return this.raw.replace(/\u001B\[[0-9;?]*[A-Za-z]|\u001B\][^\u0007]*\u0007|\u001B[()][0-9A-B]|\u001B[=>78]/g, '');
	}

	rawOutput(): string {
		return this.raw;
	}

	async expectText(expected: string | RegExp, timeoutMs = 15_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		const matches = () => {
			const screen = this.screen();
			return typeof expected === 'string' ? screen.includes(expected) : expected.test(screen);
		};

		while (!matches()) {
			if (Date.now() > deadline || this.exitCode !== undefined) {
				await this.settle();
				if (matches()) {
					return;
				}

				throw new Error(`Timed out waiting for ${String(expected)}${this.exitCode === undefined ? '' : ` (the program exited with ${this.exitCode})`}. Screen:\n${this.screen()}`);
			}

			await delay(25);
		}
	}

	/** Waits until the output has been quiet for a moment. */
	async settle(quietMs = 150, timeoutMs = 5000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() - this.lastChange < quietMs && Date.now() < deadline) {
			await delay(25);
		}
	}

	async press(key: keyof typeof keys, times = 1): Promise<void> {
		for (let index = 0; index < times; index++) {
			await this.settle();
			this.process.write(keys[key]);
			await delay(60);
		}

		await this.settle();
	}

	/** Types text character by character, like a person. */
	async type(text: string): Promise<void> {
		await this.settle();
		for (const character of text) {
			this.process.write(character);
			await delay(5);
		}

		await this.settle();
	}

	/** Types into the current field and presses Enter. */
	async answer(text: string): Promise<void> {
		await this.type(text);
		await this.press('enter');
	}

	/** Deletes what the current text field holds, one key at a time. */
	async clearLine(length = 40): Promise<void> {
		await this.settle();
		for (let index = 0; index < length; index++) {
			this.process.write(keys.backspace);
			await delay(8);
		}

		await this.settle();
	}

	/**
	 * Moves the menu pointer down until it is on the item, then presses Enter: a label the pointed
	 * line starts with, or a pattern the pointed line matches (for labels that wrap at 80 columns).
	 */
	async select(item: string | RegExp, maxSteps = 12): Promise<void> {
		for (let step = 0; step <= maxSteps; step++) {
			await this.settle();
			const pointed = this.screen()
				.split('\n')
				.find((line) => line.includes('❯'));
			if (typeof item === 'string' ? this.screen().includes(`❯ ${item}`) : pointed !== undefined && item.test(pointed)) {
				await this.press('enter');
				return;
			}

			await this.press('down');
		}

		throw new Error(`No menu item ${typeof item === 'string' ? `"${item}"` : String(item)}. Screen:\n${this.screen()}`);
	}

	resize(cols: number, rows: number): void {
		this.process.resize(cols, rows);
		this.terminal.resize(cols, rows);
	}

	signal(name: 'SIGKILL' | 'SIGTERM' | 'SIGINT'): void {
		this.process.kill(name);
	}

	async exit(timeoutMs = 15_000): Promise<number> {
		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => reject(new Error(`The program did not exit. Screen:\n${this.screen()}`)), timeoutMs);
		});
		try {
			const code = await Promise.race([this.exited, timeout]);
			await delay(50);
			return code;
		} finally {
			clearTimeout(timer);
		}
	}

	dispose(): void {
		if (this.exitCode === undefined) {
			this.process.kill('SIGKILL');
		}

		this.terminal.dispose();
	}
}

export async function delay(ms: number): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}
