const signals = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143} as const;

/**
 * A script command stopped by a signal says how to go on and exits 128 + the signal number.
 * Sessions are saved synchronously and atomically, so leaving between two awaits keeps them whole.
 */
export function onInterrupt(whatNext: () => string): void {
	for (const [signal, code] of Object.entries(signals)) {
		process.once(signal, () => {
			process.stderr.write(`\n✖ Interrupted (${signal}). ${whatNext()}\n`);
			process.exit(code);
		});
	}
}
