import {commandLine} from '../core/command-line.js';
import {buildContext} from '../core/session/integration-context.js';
import {ExitCode, UsageError} from '../core/errors.js';
import {computeValues, getPair} from '../core/flows/pair.js';
import {onInterrupt} from '../core/interrupt.js';
import {lockAppRun} from '../core/session/run-lock.js';
import {listSessions, loadSession, type Session} from '../core/session/store.js';
import {colorEnabled, createStyle} from '../core/style.js';
import {loadAppIntegration} from '../integrations/registry.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows} from './inputs.js';
import {commandSession} from './command-session.js';
import {finishLeftoverSignIn} from './sign-in.js';
import {hasPendingCleanup} from '../sign-in/cleanup.js';

/** `sso-setup rollback [ID]`: restores the app settings the session backed up before changing them. */
export async function rollbackCommand(parsed: ParsedCommand): Promise<number> {
	const out = createStyle(colorEnabled(process.stdout));
	const id = parsed.positionals[0] ?? newestWithBackup();
	let session: Session = loadSession(id);
	onInterrupt(() => `Run it again to finish restoring: ${commandLine(`rollback ${session.id} --yes`)}`);
	if (hasPendingCleanup(session.artifacts)) {
		const catalogue = await loadFlows(parsed.flows);
		const {handle, secrets} = await commandSession(session, {persist: true});
		await finishLeftoverSignIn(getPair(catalogue, session.idp, session.app), handle, secrets, {color: colorEnabled(process.stderr), retry: commandLine(`verify --session ${session.id}`)});
		// What the rollback saves next starts from the session without the finished record.
		session = handle.current();
	}

	if (session.artifacts['app-backup'] === undefined) {
		throw new UsageError(`Session ${id} holds no backup of ${session.app}'s settings: it never planned a change there.`, {hint: 'Nothing was changed.'});
	}

	const catalogue = await loadFlows(parsed.flows);
	const pair = getPair(catalogue, session.idp, session.app);
	const app = pair.app.automation ? await loadAppIntegration(pair.app.automation) : undefined;
	if (!app) {
		throw new UsageError(`${pair.app.name} has no automation to roll back.`);
	}

	if (parsed.options['yes'] !== true) {
		process.stdout.write(`${out.bold(`Rollback of ${pair.app.name} (${session.answers['app_url'] ?? 'unknown URL'}) from session ${session.id}`)}\n`);
		process.stdout.write(`It restores these settings, saved before sso-setup changed them:\n${describeBackup(session.artifacts['app-backup'])}\n`);
		process.stdout.write(`${out.yellow('Nothing was written.')} Run again with --yes to restore them.\n`);
		return ExitCode.ok;
	}

	// Not while an apply or a wizard writes the same app.
	lockAppRun({idp: session.idp, app: session.app, appUrl: computeValues(pair, session.answers)['app_url'], sessionId: session.id});
	const {handle, secrets} = await commandSession(session, {persist: true});

	const notes = await app.rollback(buildContext(pair, handle, secrets, (line) => process.stderr.write(`${out.dim(line)}\n`)));
	handle.update((current) => ({...current, completed: current.completed.filter((step) => step !== 'apply')}));
	for (const line of notes) {
		process.stdout.write(`${out.green('✔')} ${line}\n`);
	}

	process.stdout.write(`Restored ${pair.app.name}'s previous settings from session ${session.id}.\n`);
	return ExitCode.ok;
}

/** Without an id: the one session holding a backup; several are listed, never guessed. */
function newestWithBackup(): string {
	const candidates = listSessions().sessions.filter((candidate) => candidate.artifacts['app-backup'] !== undefined);
	if (candidates.length === 0) {
		throw new UsageError('No saved session holds a backup of app settings.', {hint: `List sessions with: ${commandLine('sessions')}`});
	}

	if (candidates.length > 1) {
		throw new UsageError(`${candidates.length} sessions hold a backup; say which one to restore.`, {
			hint: candidates.map((candidate) => `${commandLine(`rollback ${candidate.id}`)}   (${candidate.idp} → ${candidate.app}, ${candidate.answers['app_url'] ?? ''})`).join('\n  '),
		});
	}

	return candidates[0]!.id;
}

/** The saved settings, one line each, for the confirmation (never a secret: backups hold none). */
function describeBackup(backup: unknown, indent = '  '): string {
	if (!backup || typeof backup !== 'object') {
		return `${indent}${JSON.stringify(backup)}`;
	}

	return Object.entries(backup as Record<string, unknown>)
		.filter(([key]) => key !== 'app')
		.map(([key, value]) => (value && typeof value === 'object' && !Array.isArray(value) ? `${indent}${key}:\n${describeBackup(value, `${indent}  `)}` : `${indent}${key}: ${JSON.stringify(value)}`))
		.join('\n');
}
