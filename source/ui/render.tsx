import {render} from 'ink';
import type {WizardController} from '../wizard/controller.js';
import {App} from './App.js';

export type WizardRun = {resume?: boolean; sessionId?: string};

/** The only place that renders Ink. Resolves with the exit code once the wizard has ended. */
export async function runWizard(controller: WizardController, options: WizardRun = {}): Promise<number> {
	// start() sets the first screen before it waits for anything, so the first frame is the real one.
	void controller.start(options).catch((error: unknown) => controller.fail(error));
	const instance = render(<App controller={controller} />, {exitOnCtrlC: false, patchConsole: false});
	const onSignal = () => controller.interrupt();
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, onSignal);
	}

	try {
		await instance.waitUntilExit();
	} finally {
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
			process.off(signal, onSignal);
		}
	}

	const exit = controller.state.exit ?? {code: 130, message: 'Interrupted.'};
	(exit.code === 0 || exit.code === 130 ? process.stdout : process.stderr).write(`${exit.message.trimEnd()}\n`);
	if (exit.code === 130) {
		// Ctrl+C during an automated step: a request or an OVH status poll may still be pending;
		// the session is saved, so stop now instead of waiting for it.
		process.exit(130);
	}

	return exit.code;
}
