import {existsSync} from 'node:fs';
import {commandLine} from '../core/command-line.js';
import {ExitCode, UsageError} from '../core/errors.js';
import {deleteSessionFile, listSessions, sessionFile} from '../core/session/store.js';
import {colorEnabled, createStyle} from '../core/style.js';
import {openKeychain} from '../secrets/keychain.js';
import {SessionSecrets} from '../secrets/secrets.js';
import type {ParsedCommand} from './parse.js';

export async function sessionsCommand(parsed: ParsedCommand): Promise<number> {
	const [action, id] = parsed.positionals;
	if (action === undefined || action === 'list') {
		return listCommand();
	}

	if (action === 'forget') {
		if (!id) {
			throw new UsageError('sessions forget needs a session id.', {hint: `List them with: ${commandLine('sessions')}`});
		}

		return forgetCommand(id);
	}

	throw new UsageError(`Unknown sessions action "${action}".`, {hint: `Use: ${commandLine('sessions')}, or ${commandLine('sessions forget ID')}`});
}

function listCommand(): number {
	const style = createStyle(colorEnabled(process.stdout));
	const {sessions, problems} = listSessions();
	for (const problem of problems) {
		process.stderr.write(`${createStyle(colorEnabled(process.stderr)).yellow('!')} ${problem.message}\n  ${problem.hint ?? ''}\n`);
	}

	if (sessions.length === 0) {
		process.stdout.write(`No saved sessions. Start one with: ${commandLine()}\n`);
		return ExitCode.ok;
	}

	const rows = sessions.map((session) => [session.id, `${session.idp} → ${session.app}`, session.finished ? 'finished' : session.step, session.updated_at.slice(0, 16).replace('T', ' ')]);
	const header = ['ID', 'IdP → app', 'step', 'last change (UTC)'];
	const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
	const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd();
	process.stdout.write(`${style.bold(line(header))}\n${rows.map((row) => line(row)).join('\n')}\n`);
	const unfinished = sessions.find((session) => !session.finished);
	if (unfinished) {
		process.stdout.write(`\nResume with: ${commandLine(`resume ${unfinished.id}`)}\n`);
	}

	return ExitCode.ok;
}

async function forgetCommand(id: string): Promise<number> {
	const file = sessionFile(id);
	const existed = existsSync(file);
	const keychain = await openKeychain();
	// Without a file and without the keychain there is nothing to forget that could be found: say only that.
	if (!existed && !keychain.ok) {
		throw new UsageError(`No saved session "${id}".`, {hint: `List them with: ${commandLine('sessions')}`});
	}

	let removedSecrets = 0;
	let keychainNote = '';
	if (keychain.ok) {
		removedSecrets = await new SessionSecrets(keychain.store, id).deleteAll();
	} else {
		keychainNote = ` The keychain could not be reached (${keychain.reason}); its entries for "${id}/…" under the service "sso-setup" were not deleted.`;
	}

	if (!existed && removedSecrets === 0) {
		throw new UsageError(`No saved session "${id}".`, {hint: `List them with: ${commandLine('sessions')}`});
	}

	deleteSessionFile(id);
	process.stdout.write(`Forgot session ${id}: ${existed ? 'deleted its file' : 'no file'}, ${removedSecrets} keychain ${removedSecrets === 1 ? 'entry' : 'entries'} deleted.${keychainNote}\n`);
	return ExitCode.ok;
}
