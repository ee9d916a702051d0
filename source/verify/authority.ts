import type {SignInLink, SignInLinkId} from '../core/sign-in.js';
import type {CheckId, CheckResult} from './types.js';

/**
 * A sign-in that ran is the authority over the probes (issue 14). When it passed, a probe that
 * failed is a warning that says it disagreed: the probes infer from answers that differ between
 * implementations, the sign-in did what the app does. When it failed, the probes that failed too
 * help name the cause of the broken link.
 */

/** The checks that infer from probes what the sign-in proves by doing it. */
const provenBySignIn: ReadonlySet<CheckId> = new Set(['discovery', 'issuer', 'scopes', 'client-secret', 'redirect-uri']);

/** The probes that can tell more about a broken link. */
const probesOfLink: Readonly<Record<SignInLinkId, readonly CheckId[]>> = {
	'app-start': ['discovery', 'app-config'],
	'idp-authorize': ['redirect-uri', 'scopes', 'issuer', 'discovery'],
	'idp-login': [],
	'app-callback': ['issuer', 'app-config'],
	'code-exchange': ['client-secret', 'issuer'],
	'app-user': ['app-config', 'scopes'],
	'admin-rights': ['app-config', 'scopes'],
};

export type SignInOutcome = {status: 'passed' | 'failed' | 'skipped' | 'interrupted'; links: readonly SignInLink[]};

export function withSignInAuthority(results: readonly CheckResult[], signIn: SignInOutcome): {results: CheckResult[]; links: SignInLink[]} {
	if (signIn.status === 'passed') {
		return {
			results: results.map((result) =>
				!provenBySignIn.has(result.id)
					? {...result}
					: result.status === 'fail'
						? {...result, status: 'warn', seen: `${result.seen} The sign-in proof passed, so this probe disagreed with it: the sign-in is what counts.`}
						: result.status === 'skipped'
							? {...result, seen: `${result.seen} The sign-in proof passed, which proves it as the app uses it.`}
							: {...result},
			),
			links: signIn.links.map((link) => ({...link})),
		};
	}

	if (signIn.status !== 'failed') {
		return {results: results.map((result) => ({...result})), links: signIn.links.map((link) => ({...link}))};
	}

	const links = signIn.links.map((link) => {
		if (link.status !== 'failed') {
			return {...link};
		}

		const agreeing = probesOfLink[link.id].map((id) => results.find((result) => result.id === id)).filter((result): result is CheckResult => result !== undefined && (result.status === 'fail' || result.status === 'warn'));
		if (agreeing.length === 0) {
			return {...link};
		}

		// The probes' sentences can quote long answers: a glimpse is enough, the checks above show them whole.
		const said = agreeing.map((result) => `${result.title} (${result.status === 'fail' ? 'failed' : 'warned'}): ${glimpse(result.seen)}`).join(' ');
		return {...link, fix: `${link.fix ? `${link.fix} ` : ''}What the related checks saw: ${said}`};
	});
	return {results: results.map((result) => ({...result})), links};
}

function glimpse(text: string, max = 160): string {
	return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
