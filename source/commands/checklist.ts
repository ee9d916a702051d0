
import path from 'node:path';
import {buildChecklist} from '../checklist/build.js';
import {checklistFormats, type ChecklistFormat, formatChecklist} from '../checklist/format.js';
import {terminalWidth} from '../checklist/wrap.js';
import {secretEnvironmentName} from '../secrets/secrets.js';
import {ExitCode, UsageError} from '../core/errors.js';
import {printable} from '../core/text.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, refuseUnmetRequirements, resolvePairInput} from './inputs.js';
import {commandLine} from '../core/command-line.js';
import type {Session} from '../core/session/store.js';
import type {Pair, Values} from '../core/flows/pair.js';
import {colorEnabled} from '../core/style.js';

export async function checklistCommand(parsed: ParsedCommand): Promise<number> {
	const format = (parsed.options['format'] as string | undefined) ?? 'markdown';
	if (!(checklistFormats as readonly string[]).includes(format)) {
		throw new UsageError(`Unknown format "${format}".`, {hint: `Use one of: ${checklistFormats.join(', ')}.`});
	}

	const catalogue = await loadFlows(parsed.flows);
	const {pair, answers: given, session} = await resolvePairInput(parsed, catalogue);
	refuseUnmetRequirements(pair, given);
	if (session) {
		await finishSessionCleanup(pair, session, given);
	}

	const answers = await withReportedValues(pair, session, given);
	const output = parsed.options['output'] as string | undefined;
	const checklist = buildChecklist(pair, answers, new Set(session?.secrets ?? []), {}, secretPlaces(['client_secret']));
	const text = formatChecklist(checklist, format as ChecklistFormat, {width: output ? undefined : terminalWidth()});
	if (output) {
		const {writeChecklistFile} = await import('../checklist/write.js');
		writeChecklistFile(output, text);
		process.stderr.write(`Checklist written to ${printable(path.resolve(output))}\n`);
	} else {
		process.stdout.write(text);
	}

	return ExitCode.ok;
}

/**
 * With the app's keys (the session's, or SSO_SETUP_<KEY>), values that come with an answer are read
 * from the app's API: the OVH registry's URL, from which the redirect URI derives. The keychain is
 * opened only when there is such an answer; when the API cannot be read, the given values stay.
 */
async function withReportedValues(pair: Pair, session: Session | undefined, answers: Values): Promise<Values> {
	if (!pair.app.fields.some((field) => field.options_from && answers[field.key])) {
		return answers;
	}

	const [{newSession}, {openKeychain}, {openSecrets}, {fillReportedValues}] = await Promise.all([import('../core/session/store.js'), import('../secrets/keychain.js'), import('./secrets.js'), import('../wizard/option-values.js')]);
	let current: Session = {...(session ?? newSession(pair.idp.id, pair.app.id)), answers};
	const {secrets} = await openSecrets(current.id, openKeychain(), false);
	const notes = await fillReportedValues(pair, {current: () => current, update: (change) => (current = change(current))}, secrets);
	for (const note of notes) process.stderr.write(`! ${note}\n`);
	return current.answers;
}

/**
 * A sign-in clean-up an earlier run left in the session, finished first. The checklist saves
 * nothing; the finished clean-up is the one change written to the session. Loaded only for
 * --session: a checklist from --idp and --app touches neither the keychain nor the session store.
 */
async function finishSessionCleanup(pair: Pair, session: Session, answers: Values): Promise<void> {
	const {hasPendingCleanup} = await import('../sign-in/cleanup.js');
	if (!hasPendingCleanup(session.artifacts)) {
		return;
	}

	const [{openKeychain}, {openSecrets}, {CleanupRecordSession, finishLeftoverSignIn}] = await Promise.all([import('../secrets/keychain.js'), import('./secrets.js'), import('./sign-in.js')]);
	const {secrets, note} = await openSecrets(session.id, openKeychain(), false);
	if (note) process.stderr.write(`${note}\n`);
	const handle = new CleanupRecordSession({...session, answers: {...session.answers, ...answers}}, session);
	await finishLeftoverSignIn(pair, handle, secrets, {color: colorEnabled(process.stderr), retry: commandLine(`verify --session ${session.id}`)});
	const dropped = handle.dropWhenDone();
	if (dropped) process.stderr.write(`${dropped}\n`);
}

/** Secrets the environment gives: the checklist says where they come from (never their value). */
function secretPlaces(keys: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
	return Object.fromEntries(keys.filter((key) => env[secretEnvironmentName(key)]).map((key) => [key, `from ${secretEnvironmentName(key)}`]));
}
