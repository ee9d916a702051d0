import {onInterrupt} from '../core/interrupt.js';
import {buildContext} from '../core/session/integration-context.js';
import {newSession, type Session} from '../core/session/store.js';
import {colorEnabled} from '../core/style.js';
import {formatTable, toJson, verificationExitCode} from '../verify/format.js';
import {runVerification} from '../verify/run.js';
import {loadPairIntegrations} from '../integrations/registry.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, resolvePairInput} from './inputs.js';
import {openKeychain} from '../secrets/keychain.js';
import {commandSession} from './secrets.js';
import {commandLine} from '../core/command-line.js';
import {fillReportedValues} from '../wizard/option-values.js';

/** `sso-setup verify`: every check against a live setup; changes nothing, saves nothing. */
export async function verifyCommand(parsed: ParsedCommand): Promise<number> {
	// Talks to D-Bus: started while the flows are read.
	const keychain = openKeychain();
	const catalogue = await loadFlows(parsed.flows);
	const input = resolvePairInput(parsed, catalogue);
	const start: Session = input.session ?? newSession(input.pair.idp.id, input.pair.app.id);
	onInterrupt(() => `verify changes nothing; run it again${input.session ? ` with: ${commandLine(`verify --session ${input.session.id}`)}` : ' with the same options'}.`);
	// Verification never writes: changes stay in memory.
	const {handle, secrets} = await commandSession({...start, answers: {...start.answers, ...input.answers}}, {keychain, persist: false, quiet: parsed.options['json'] === true});

	// The OVH registry's URL (so the redirect URI) as its API reports it, when its ID and keys are given.
	const notes = await fillReportedValues(input.pair, handle, secrets);
	if (parsed.options['json'] !== true) for (const note of notes) process.stderr.write(`! ${note}\n`);
	const results = await runVerification(buildContext(input.pair, handle, secrets), {integrations: await loadPairIntegrations(input.pair)});
	process.stdout.write(parsed.options['json'] ? `${toJson(results)}\n` : `${formatTable(results, {color: colorEnabled(process.stdout)})}\n`);
	return verificationExitCode(results);
}
