import {hasControlCharacters} from '../text.js';

/** The longest answer any field takes; real URLs, ids and group names are far shorter. */
export const maxAnswerLength = 2048;

const urlKeys = /(^|_)(url|uri|issuer)$/;

/**
 * The rules every saved answer meets, whatever the flow: a session file edited by hand is held to
 * what typed input could have produced. Returns the problem, or undefined.
 */
export function answerProblem(key: string, value: string): string | undefined {
	if (value.length > maxAnswerLength) {
		return `longer than ${maxAnswerLength} characters`;
	}

	if (hasControlCharacters(value)) {
		return 'contains control characters';
	}

	if (urlKeys.test(key) && value !== '') {
		const url = /^https?:\/\//i.test(value) && URL.canParse(value) ? new URL(value) : undefined;
		if (!url?.hostname) {
			return 'is not an http(s) URL';
		}

		if (url.username || url.password) {
			return 'contains a user name or password';
		}
	}

	return undefined;
}
