import {describe, expect, it} from 'vitest';
import {formatTable, summarize, toJson, verificationExitCode} from '../../source/verify/format.js';
import type {CheckResult} from '../../source/verify/types.js';

const results: CheckResult[] = [
	{id: 'discovery', title: 'Provider discovery', status: 'pass', seen: 'https://idp.test/.well-known/openid-configuration answered over verified TLS.'},
	{id: 'issuer', title: 'Issuer matches', status: 'fail', seen: 'The IdP publishes "https://idp.test/", Harbor has "https://idp.test".', fix: 'Set the issuer in Harbor to "https://idp.test/".'},
	{id: 'scopes', title: 'Scopes and claims', status: 'warn', seen: 'claims_supported lacks groups.', fix: 'Add a groups mapper.'},
	{id: 'client-secret', title: 'Client secret', status: 'pass', seen: 'invalid_grant: accepted.'},
	{id: 'redirect-uri', title: 'Redirect URI registered', status: 'pass', seen: 'Sent back to the callback.'},
	{id: 'app-config', title: 'App settings', status: 'skipped', seen: 'Not checked: no harbor_admin_password.'},
	{id: 'way-back-in', title: 'Way back in (local admin)', status: 'skipped', seen: 'Not checked.'},
];

describe('verification output', () => {
	it('prints one aligned line per check, the summary, then the fixes of warnings and failures', () => {
		const lines = formatTable(results, {color: false}).split('\n');
		expect(lines.slice(0, 7)).toEqual([
			'✔ Provider discovery         https://idp.test/.well-known/openid-configuration answered over verified TLS.',
			'✖ Issuer matches             The IdP publishes "https://idp.test/", Harbor has "https://idp.test".',
			'! Scopes and claims          claims_supported lacks groups.',
			'✔ Client secret              invalid_grant: accepted.',
			'✔ Redirect URI registered    Sent back to the callback.',
			'- App settings               Not checked: no harbor_admin_password.',
			'- Way back in (local admin)  Not checked.',
		]);
		expect(lines.slice(7)).toEqual([
			'',
			'3 passed, 1 warned, 1 failed, 2 skipped: not checked, so not proven: App settings.',
			'',
			'What to do:',
			'✖ Issuer matches: Set the issuer in Harbor to "https://idp.test/".',
			'! Scopes and claims: Add a groups mapper.',
		]);
	});

	it('colours the marks only when asked', () => {
		expect(formatTable(results, {color: false})).not.toContain('\u001B[');
		const coloured = formatTable(results, {color: true});
		expect(coloured).toContain('\u001B[32m✔\u001B[39m Provider discovery');
		expect(coloured).toContain('\u001B[31m✖\u001B[39m Issuer matches');
	});

	it('renders the in-progress rows too', () => {
		const table = formatTable([{id: 'discovery', title: 'Provider discovery', status: 'running', seen: ''}, {id: 'issuer', title: 'Issuer matches', status: 'pending', seen: ''}], {color: false});
		expect(table.split('\n').slice(0, 2)).toEqual(['… Provider discovery', '· Issuer matches']);
	});

	it('gives one JSON document with every check and the summary', () => {
		const document = JSON.parse(toJson(results)) as {ok: boolean; summary: unknown; checks: Array<Record<string, unknown>>};
		expect(document.ok).toBe(false);
		expect(document.summary).toEqual({passed: 3, warned: 1, failed: 1, skipped: 2});
		expect(document.checks.map((check) => check['id'])).toEqual(['discovery', 'issuer', 'scopes', 'client-secret', 'redirect-uri', 'app-config', 'way-back-in']);
		expect(document.checks[1]).toEqual(results[1]);
		expect(document.checks[0]).not.toHaveProperty('fix');
	});

	it('exits 1 when a check failed and 0 when only warnings and skipped checks remain', () => {
		expect(verificationExitCode(results)).toBe(1);
		const noFailure = results.map((result) => (result.status === 'fail' ? {...result, status: 'warn' as const} : result));
		expect(verificationExitCode(noFailure)).toBe(0);
		expect(summarize(noFailure)).toEqual({passed: 3, warned: 2, failed: 0, skipped: 2});
		expect(JSON.parse(toJson(noFailure)).ok).toBe(true);
	});
});
