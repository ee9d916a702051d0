const signals = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143} as const;

/** Work that must be tried before the process exits on a signal (deleting the sign-in's test user). */
type Finisher = {task: () => Promise<string | undefined>; limitMs: number};
let finisher: Finisher | undefined;

/** The hard bound of a finisher, whatever it asked for: an interrupted command never hangs. */
const maxFinishMs = 15_000;

/**
 * The listeners of the last onInterrupt, kept on the global object: the launcher's copy of this
 * module (bundle/verify-early.cjs) sets some before the command's own copy replaces them.
 */
const installedSymbol = Symbol.for('sso-setup.interrupt-listeners');
type Installed = Array<[string, () => void]>;

/**
 * A script command stopped by a signal says how to go on and exits 128 + the signal number.
 * Sessions are saved synchronously and atomically, so leaving between two awaits keeps them whole.
 * When a finisher is set (`finishBeforeExit`), it runs first, within its time limit, and what it
 * returns is printed; a second signal meanwhile exits at once. `whatNext` is read after it.
 * A later call replaces the listeners of an earlier one.
 */
export function onInterrupt(whatNext: () => string): void {
	const slot = globalThis as Record<symbol, Installed | undefined>;
	for (const [signal, listener] of slot[installedSymbol] ?? []) {
		process.removeListener(signal, listener);
	}

	const installed: Installed = [];
	slot[installedSymbol] = installed;
	for (const [signal, code] of Object.entries(signals)) {
		const listener = () => {
			const pending = finisher;
			finisher = undefined;
			if (!pending) {
				process.stderr.write(`\n✖ Interrupted (${signal}). ${whatNext()}\n`);
				process.exit(code);
			}

			process.stderr.write(`\n✖ Interrupted (${signal}). Cleaning up first (a few seconds; interrupt again to stop at once)…\n`);
			const now = (again: string) => {
				process.stderr.write(`✖ Interrupted again (${again}): stopped without finishing the clean-up. ${whatNext()}\n`);
				process.exit(code);
			};

			for (const other of Object.keys(signals)) {
				process.once(other, () => now(other));
			}

			let timer: NodeJS.Timeout | undefined;
			const limit = new Promise<string>((resolve) => {
				timer = setTimeout(() => resolve('The clean-up did not finish in time.'), Math.min(pending.limitMs, maxFinishMs));
			});
			void Promise.race([pending.task().catch((error: unknown) => `The clean-up failed: ${error instanceof Error ? error.message : String(error)}`), limit]).then((said) => {
				clearTimeout(timer);
				process.stderr.write(`${said ? `${said}\n` : ''}${whatNext()}\n`);
				process.exit(code);
			});
		};
		process.once(signal, listener);
		installed.push([signal, listener]);
	}
}

/** Sets (or clears, with undefined) the work a signal runs before the exit, bounded by `limitMs`. */
export function finishBeforeExit(task: (() => Promise<string | undefined>) | undefined, limitMs = 8000): void {
	finisher = task ? {task, limitMs} : undefined;
}
