import {afterEach, describe, expect, it, vi} from 'vitest';
import {onInterrupt} from '../../source/core/interrupt.js';

const signals = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
type Listener = (signal: NodeJS.Signals) => void;
const added: Array<[NodeJS.Signals, Listener]> = [];

afterEach(() => {
	for (const [signal, listener] of added.splice(0)) process.removeListener(signal, listener);
	vi.restoreAllMocks();
});

/** The listeners `install` adds to the process, per signal (removed again after the test). */
function listenersAddedBy(install: () => void): Record<string, Listener[]> {
	const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
	install();
	const found: Record<string, Listener[]> = {};
	for (const signal of signals) {
		const mine = process.listeners(signal).filter((listener) => !before.get(signal)!.includes(listener));
		found[signal] = mine;
		for (const listener of mine) added.push([signal, listener]);
	}

	return found;
}

describe('onInterrupt', () => {
	it("a later call replaces the earlier one's listeners (the launcher's first, then the command's)", () => {
		const found = listenersAddedBy(() => {
			onInterrupt(() => 'the launcher says this');
			onInterrupt(() => 'the command says this');
		});
		for (const signal of signals) expect(found[signal]).toHaveLength(1);

		const exit = vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
			throw new Error(`exit ${code}`);
		}) as never);
		const written: string[] = [];
		vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
		expect(() => found['SIGTERM']![0]!('SIGTERM')).toThrow('exit 143');
		expect(written.join('')).toBe('\n✖ Interrupted (SIGTERM). the command says this\n');
		expect(exit).toHaveBeenCalledWith(143);
	});
});
