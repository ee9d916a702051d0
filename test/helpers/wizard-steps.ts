import type {PtyRun} from './pty.js';

/** Screens of the wizard that several terminal tests go through in the same way. */

/** From the start screen of a new authentik → Harbor setup to the question for the authentik API token. */
export async function startAuthentikToHarbor(run: PtyRun, urls: {harbor: string; authentik: string}): Promise<void> {
	await run.select('Start a new setup');
	await run.expectText('Which identity provider?');
	await run.select('authentik');
	await run.expectText('Which app?');
	await run.select('Harbor');
	await run.expectText('Harbor URL');
	await run.answer(urls.harbor);
	await run.expectText('authentik URL');
	await run.answer(urls.authentik);
	await run.expectText('Application slug in authentik');
	await run.press('enter');
	await run.expectText('authentik API token (optional)');
}

/** Harbor's settings left at their defaults, up to the question for its admin password. */
export async function keepHarborDefaults(run: PtyRun): Promise<void> {
	for (const label of ['OIDC scopes', 'Username claim', 'Groups claim', 'Admin group', 'Onboard users automatically', 'Make OIDC the primary sign-in', 'Harbor admin user']) {
		await run.expectText(label);
		await run.press('enter');
	}

	await run.expectText('Harbor admin password (optional)');
}

/** Harbor's three notices after the password, each acknowledged. */
export async function acknowledgeHarborNotices(run: PtyRun): Promise<void> {
	for (const title of ['Harbor must have no local users other than admin', 'Keep the local sign-in page', 'Harbor wants comma-separated scopes']) {
		await run.expectText(title);
		await run.press('enter');
	}
}

/** The manual steps of a side, one screen each ("Step 1 of 6: …"): each is read and confirmed with Enter. */
export async function readManualSteps(run: PtyRun): Promise<string[]> {
	const titles: string[] = [];
	for (let guard = 0; guard < 20; guard++) {
		await run.expectText(/Step \d+ of \d+/);
		await run.settle();
		const match = /Step (\d+) of (\d+): (.*)/.exec(run.screen());
		const [, index, count, title] = match ?? [];
		titles.push(title?.trim() ?? '');
		await run.press('enter');
		if (index === count) {
			return titles;
		}

		await run.expectText(`Step ${Number(index) + 1} of ${count}`);
	}

	throw new Error(`Too many manual steps. Screen:\n${run.screen()}`);
}
