import {ApplyStage} from '../wizard/stages/apply-stage.js';
import {buildContext} from '../core/session/integration-context.js';
import {RegisterStage} from '../wizard/stages/register-stage.js';
import {commandLine} from '../core/command-line.js';
import {BlockedError, ExitCode, SsoSetupError, UsageError} from '../core/errors.js';
import {computeValues, type Pair} from '../core/flows/pair.js';
import {sameSet} from '../core/sets.js';
import {onInterrupt} from '../core/interrupt.js';
import {type PlainHttpEndpoint, plainHttpRefusal, reviewPlanEndpoints} from '../core/plan-endpoints.js';
import {lockAppRun} from '../core/session/run-lock.js';
import {deleteSessionFile, listSessions, newSession, type Session} from '../core/session/store.js';
import {colorEnabled, createStyle, type Style} from '../core/style.js';
import {loadAppIntegration, loadIdpIntegration} from '../integrations/registry.js';
import type {AppIntegration, PlanChange} from '../integrations/types.js';
import type {ParsedCommand} from './parse.js';
import {loadFlows, refuseUnmetRequirements, resolvePairInput} from './inputs.js';
import {openKeychain} from '../secrets/keychain.js';
import {commandSession} from './command-session.js';
import {openSecrets} from './secrets.js';
import {finishLeftoverSignIn} from './sign-in.js';
import {hasPendingCleanup} from '../sign-in/cleanup.js';
import {sessionOptionValues} from '../wizard/option-values.js';

/**
 * `sso-setup apply`: the wizard's automated steps without prompts. Registers the client when the
 * IdP's admin credential is present, then applies the app's settings. Writes only with --yes;
 * deletes users only when --delete-users lists exactly the users the preflight found.
 */
export async function applyCommand(parsed: ParsedCommand): Promise<number> {
	const out = createStyle(colorEnabled(process.stdout));
	const yes = parsed.options['yes'] === true && parsed.options['dry-run'] !== true;
	const deleteUsers = parseUserList(parsed.options['delete-users'] as string | undefined);
	// Talks to D-Bus: started while the flows are read.
	const keychain = openKeychain();
	const catalogue = await loadFlows(parsed.flows);
	const input = await resolvePairInput(parsed, catalogue);
	const {pair} = input;
	refuseUnmetRequirements(pair, input.answers);
	const app = await appIntegrationFor(pair);
	// With the app's keys, values that come with an answer are read from its API (the OVH registry's
	// URL, from which the redirect URI derives), before the session is looked up by that URL.
	Object.assign(input.answers, await reportedValues(pair, input.session ?? newSession(pair.idp.id, pair.app.id), input.answers, keychain));

	// A new run against the same app continues the earlier session: its backup and what it wrote
	// (e.g. which client secret Harbor already holds) make the run idempotent.
	lockAppRun({idp: pair.idp.id, app: pair.app.id, appUrl: computeValues(pair, input.answers)['app_url'], sessionId: input.session?.id ?? ''});
	const earlier = input.session ?? earlierSession(pair.idp.id, pair.app.id, input.answers);
	const start = earlier ?? newSession(pair.idp.id, pair.app.id);
	const {handle, secrets} = await commandSession({...start, answers: {...start.answers, ...input.answers}}, {keychain, persist: parsed.options['dry-run'] !== true});
	const session = () => handle.current();
	onInterrupt(() => (parsed.options['dry-run'] === true ? 'Nothing was saved or changed.' : `The session was saved; continue with: ${commandLine(`apply --session ${session().id}${yes ? ' --yes' : ''}`)}`));

	process.stdout.write(`${out.bold(`sso-setup apply: ${pair.idp.name} → ${pair.app.name}`)} (session ${session().id}${earlier && !input.session ? ', continued from an earlier run against the same app' : ''})\n`);
	if (parsed.options['dry-run'] === true && hasPendingCleanup(session().artifacts)) {
		process.stderr.write(`! Session ${session().id} holds a sign-in test user an earlier run did not delete; a run without --dry-run, or ${commandLine(`verify --session ${session().id}`)}, deletes it.\n`);
	} else {
		await finishLeftoverSignIn(pair, handle, secrets, {color: colorEnabled(process.stderr), retry: commandLine(`verify --session ${session().id}`)});
	}

	const say = (line: string) => process.stdout.write(`${line}\n`);

	const idp = pair.idp.automation ? await loadIdpIntegration(pair.idp.automation) : undefined;
	const adminKey = await firstPresent(idp?.adminCredentialKeys ?? [], (key) => secrets.get(key));
	// Registered before: plan again only when the client secret is not at hand (e.g. kept in memory).
	const haveSecret = Boolean(await secrets.get('client_secret'));
	const registering = idp !== undefined && adminKey !== undefined && (!session().completed.includes('register') || !haveSecret);
	if (!registering && (!computeValues(pair, session().answers)['client_id'] || !haveSecret)) {
		const credential = idp?.adminCredentialKeys.map((key) => `SSO_SETUP_${key.toUpperCase()}`).join(' or ');
		throw new UsageError(`No client to configure: give client_id (--set client_id=…) and the client secret (SSO_SETUP_CLIENT_SECRET)${credential ? `, or ${credential} to register one in ${pair.idp.name}` : ''}.`);
	}

	// Saved before the first remote call: a run killed at any point continues with --session. A dry run saves nothing.
	handle.update((current) => current);

	try {
		return await runStages();
	} catch (error) {
		// A new session in which nothing was done (e.g. the IdP unreachable at the first call) is
		// removed again, so repeated failing runs leave no sessions behind.
		if (!earlier && parsed.options['dry-run'] !== true && recordsNothing(session(), start.answers, input.answers)) {
			deleteSessionFile(session().id);
			throw withHint(error, 'Nothing was done yet, so no session was kept.');
		}

		throw withResumeHint(error, session().id);
	}

	/** Without --yes and before registration, the app's plan cannot exist yet: show what it found. */
	async function printAppPreflight(): Promise<void> {
		const preflight = await app.preflight(buildContext(pair, {current: session, update: () => {}}, secrets));
		say(`\n${out.bold(`${pair.app.name}`)} (its plan follows the registration, which gives the client ID)`);
		say(`  ${out.dim(preflight.facts.join(' · '))}`);
		for (const warning of preflight.warnings) say(`  ${out.yellow('!')} ${warning}`);
		for (const blocker of preflight.blockers) say(`  ${out.red('✖')} ${blocker.message}${blocker.users ? ` Users: ${blocker.users.join(', ')}.` : ''} ${out.dim(blocker.hint)}`);
	}

	async function runStages(): Promise<number> {
		// 1. The IdP side.
		if (registering && idp) {
			const stage = new RegisterStage(idp, pair, handle, secrets, true);
			await stage.start();
			const state = stage.state;
			if (state.phase === 'error') {
				throw new SsoSetupError(state.message, {hint: state.hint, exitCode: state.exitCode});
			}

			if (state.phase === 'confirm') {
				say(`\n${out.bold(`Plan for ${pair.idp.name}`)} (${state.plan.action})`);
				for (const line of state.plan.summary) say(`  ${line}`);
				printChanges(state.plan.changes, out);
				for (const warning of state.plan.warnings) say(`  ${out.yellow('!')} ${warning}`);
				if (!yes) {
					await printAppPreflight();
					say(`\n${out.yellow('Nothing was written.')} Run again with --yes to register the client and apply the app settings.`);
					return ExitCode.ok;
				}

				if (state.plan.action !== 'none') {
					const registration = await stage.confirm();
					const after = stage.state;
					if (!registration || after.phase === 'error') {
						throw new SsoSetupError(after.phase === 'error' ? after.message : `${pair.idp.name}: registration failed.`, after.phase === 'error' ? {hint: after.hint, exitCode: after.exitCode} : {});
					}

					for (const line of registration.done) say(`  ${out.green('✔')} ${line}`);
					for (const warning of registration.warnings) say(`  ${out.yellow('!')} ${warning}`);
				}
			}
		}

		// 2. The app side.
		const stage = new ApplyStage(app, pair, handle, secrets);
		await stage.start();
		let state = stage.state;
		if (state.phase === 'blocked') {
			const deletable = state.blockers.flatMap((blocker) => blocker.users ?? []);
			const others = state.blockers.filter((blocker) => !blocker.users || blocker.users.length === 0);
			const listedExactly = deletable.length > 0 && others.length === 0 && sameSet(deletable, deleteUsers);
			if (!listedExactly) {
				const blocker = state.blockers[0]!;
				const users = deletable.length > 0 ? ` Users found: ${deletable.join(', ')}.` : '';
				throw new BlockedError(`${blocker.message}${users}`, {
					hint: deletable.length > 0 ? `${blocker.hint} To let sso-setup delete exactly these users, add --delete-users ${deletable.join(',')} (nothing else deletes them).` : blocker.hint,
				});
			}

			await stage.deleteBlockingUsers(deleteUsers);
			state = stage.state;
		} else if (deleteUsers.length > 0) {
			// A repeated run after the users were deleted: nothing to do, and nobody else is deleted.
			say(`  ${out.dim(`--delete-users: no user blocks the change (${deleteUsers.join(', ')} may be deleted already); nobody is deleted.`)}`);
		}

		if (state.phase === 'error') {
			throw new SsoSetupError(state.message, {hint: state.hint, exitCode: state.exitCode});
		}

		if (state.phase === 'confirm') {
			say(`\n${out.bold(`Plan for ${pair.app.name}`)}`);
			for (const fact of state.preflight.facts) say(`  ${out.dim(fact)}`);
			printChanges(state.plan.changes, out);
			if (deleteUsers.length > 0) say(`  ${out.red('delete users')}: ${deleteUsers.join(', ')}`);
			for (const warning of [...state.preflight.warnings, ...state.plan.warnings]) say(`  ${out.yellow('!')} ${warning}`);
			const values = computeValues(pair, session().answers);
			if (values['fallback_login_url']) say(`  Local admin sign-in stays available at ${out.cyan(values['fallback_login_url'])}`);
			refusePlainHttpEndpoints(reviewPlanEndpoints(state.plan.changes, values, pair.app.name).plainHttp, pair.app.name, parsed.options['allow-plain-http-secret'] === true);
			if (!yes) {
				say(`\n${out.yellow('Nothing was written.')} Run again with --yes to apply this plan.`);
				return ExitCode.ok;
			}

			await stage.confirm();
			state = stage.state;
		}

		if (state.phase === 'error') {
			throw new SsoSetupError(state.message, {hint: state.hint, exitCode: state.exitCode});
		}

		if (state.phase === 'done') {
			say('');
			for (const line of state.notes) say(`${out.green('✔')} ${line}`);
			if (state.mismatches.length > 0) {
				say(out.red(`✖ ${state.mismatches.length} setting(s) read back differently:`));
				printChanges(state.mismatches, out);
				return ExitCode.failed;
			}
		}

		say(`\nSession ${session().id} saved. Undo the app settings with: ${commandLine(`rollback ${session().id}`)}\nCheck everything with: ${commandLine(`verify --session ${session().id}`)}`);
		return ExitCode.ok;
	}
}

/** The IdP's URLs a plan would write over plain http:// (warned about in the plan): exit 2 unless the flag accepts the risk. */
function refusePlainHttpEndpoints(endpoints: readonly PlainHttpEndpoint[], appName: string, allowed: boolean): void {
	if (endpoints.length > 0 && !allowed) {
		throw new UsageError(plainHttpRefusal(endpoints, appName), {
			hint: 'Make the identity provider publish https:// URLs (its public URL, or its discovery document), then run again. To write them anyway, knowing that the client secret can be read on the way, add --allow-plain-http-secret.',
		});
	}
}

async function reportedValues(pair: Pair, session: Session, answers: Record<string, string>, keychain: ReturnType<typeof openKeychain>): Promise<Record<string, string>> {
	const {secrets} = await openSecrets(session.id, keychain, false);
	const {values, notes} = await sessionOptionValues(pair, {...session, answers: {...session.answers, ...answers}}, secrets);
	for (const note of notes) process.stderr.write(`! ${note}\n`);
	return values;
}

function printChanges(changes: readonly PlanChange[], out: Style): void {
	if (changes.length === 0) {
		process.stdout.write(`  ${out.dim('no changes')}\n`);
		return;
	}

	for (const change of changes) {
		const to = change.secret ? '(will be set)' : JSON.stringify(change.to);
		const from = change.from === undefined ? '' : `${JSON.stringify(change.from)} → `;
		process.stdout.write(`  ${change.label}: ${out.dim(from)}${out.cyan(to)}\n`);
	}
}

function parseUserList(raw: string | undefined): string[] {
	return raw ? raw.split(',').map((user) => user.trim()).filter((user) => user !== '') : [];
}


async function firstPresent(keys: readonly string[], read: (key: string) => Promise<string | undefined>): Promise<string | undefined> {
	for (const key of keys) {
		if (await read(key)) {
			return key;
		}
	}

	return undefined;
}

/** The newest saved session for the same IdP, app and URLs, if any. */
function earlierSession(idp: string, app: string, answers: Record<string, string>): Session | undefined {
	const identity = ['app_url', 'idp_url', 'issuer', 'slug', 'realm'].filter((key) => answers[key] !== undefined);
	if (!identity.includes('app_url')) {
		return undefined;
	}

	return listSessions().sessions.find((session) => session.idp === idp && session.app === app && identity.every((key) => session.answers[key] === answers[key]));
}

/** A failure after the session was saved: say how to continue without repeating what was done. */
function withResumeHint(error: unknown, sessionId: string): unknown {
	return withHint(error, `Completed steps are recorded: run the same command with --session ${sessionId} to continue.`);
}

function withHint(error: unknown, sentence: string): unknown {
	if (!(error instanceof SsoSetupError) || error.exitCode !== ExitCode.failed) {
		return error;
	}

	return new SsoSetupError(error.message, {hint: error.hint ? `${error.hint} ${sentence}` : sentence, cause: error});
}

/** Nothing to continue from: no step completed, no artifact, no secret, the answers as given. */
function recordsNothing(session: Session, ...answers: Array<Record<string, string>>): boolean {
	const given = JSON.stringify(Object.entries(Object.assign({}, ...answers) as Record<string, string>).sort());
	return session.completed.length === 0 && Object.keys(session.artifacts).length === 0 && session.secrets.length === 0 && JSON.stringify(Object.entries(session.answers).sort()) === given;
}

async function appIntegrationFor(pair: Pair): Promise<AppIntegration> {
	const app = pair.app.automation ? await loadAppIntegration(pair.app.automation) : undefined;
	if (!app) {
		throw new UsageError(`${pair.app.name} has no automation: apply cannot configure it.`, {hint: `Print the manual steps with: ${commandLine(`checklist --idp ${pair.idp.id} --app ${pair.app.id}`)}`});
	}

	return app;
}
