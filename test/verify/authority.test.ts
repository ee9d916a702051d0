import {describe, expect, it} from 'vitest';
import {type SignInLink, signInLinkIds, signInLinkTitles} from '../../source/core/sign-in.js';
import {withSignInAuthority} from '../../source/verify/authority.js';
import type {CheckResult} from '../../source/verify/types.js';

/** A sign-in that ran is the authority over the probes (issue 14). */

const results: CheckResult[] = [
	{id: 'discovery', title: 'Provider discovery', status: 'pass', seen: 'answered.'},
	{id: 'client-secret', title: 'Client secret', status: 'fail', seen: 'The token endpoint refused the client credentials.', fix: 'Copy the secret again.'},
	{id: 'redirect-uri', title: 'Redirect URI registered', status: 'skipped', seen: 'Not checked: no redirect_uri.'},
	{id: 'way-back-in', title: 'Way back in (local admin)', status: 'fail', seen: 'The admin password is refused.'},
	{id: 'issuer', title: 'Issuer matches', status: 'warn', seen: `A trailing slash differs ${'x'.repeat(300)}`},
];

const chain = (failed?: (typeof signInLinkIds)[number]): SignInLink[] =>
	signInLinkIds.map((id) => ({id, title: signInLinkTitles[id], status: failed === undefined ? 'passed' : id === failed ? 'failed' : 'not-reached', seen: 'seen', ...(id === failed ? {fix: 'The fix.'} : {})}));

describe('withSignInAuthority', () => {
	it('a passed sign-in turns a failed probe it proves into a warning that says it disagreed; other checks keep their status', () => {
		const {results: after} = withSignInAuthority(results, {status: 'passed', links: chain()});
		const byId = Object.fromEntries(after.map((result) => [result.id, result]));
		expect(byId['client-secret']).toEqual({...results[1], status: 'warn', seen: 'The token endpoint refused the client credentials. The sign-in proof passed, so this probe disagreed with it: the sign-in is what counts.'});
		expect(byId['redirect-uri']?.seen).toBe('Not checked: no redirect_uri. The sign-in proof passed, which proves it as the app uses it.');
		expect(byId['redirect-uri']?.status).toBe('skipped');
		// The way back in is not what a sign-in through the IdP proves.
		expect(byId['way-back-in']).toEqual(results[3]);
		expect(byId['discovery']).toEqual(results[0]);
	});

	it('a failed sign-in leaves the checks alone and names the related probes in the broken link\'s fix, briefly', () => {
		const {results: after, links} = withSignInAuthority(results, {status: 'failed', links: chain('code-exchange')});
		expect(after).toEqual(results);
		const broken = links.find((link) => link.id === 'code-exchange')!;
		expect(broken.fix).toMatch(/^The fix\. What the related checks saw: Client secret \(failed\): The token endpoint refused the client credentials\. Issuer matches \(warned\): A trailing slash differs x+…$/);
		expect(broken.fix!.length).toBeLessThan(400);
		expect(links.filter((link) => link.id !== 'code-exchange')).toEqual(chain('code-exchange').filter((link) => link.id !== 'code-exchange'));
	});

	it('a skipped or interrupted sign-in changes nothing', () => {
		for (const status of ['skipped', 'interrupted'] as const) {
			expect(withSignInAuthority(results, {status, links: chain()}).results).toEqual(results);
		}
	});
});
