import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {expect} from 'vitest';
import type {SignInLinkId} from '../../source/core/sign-in.js';
import {signInLinkIds} from '../../source/core/sign-in.js';

/**
 * What `verify --sign-in` must never show, gathered from what the fakes saw: every cookie the
 * browser sent back (the fakes' session cookies), every code, password, token and one-time token
 * in a query, a form or a JSON body, every Authorization header (the admin credentials, the app's
 * bearer token, the access token the app sent to userinfo). The test user's password is random,
 * but the IdP fake saw it in the login form, so it is among them.
 */

type AnyRequest = {path: string; query?: URLSearchParams; headers: Record<string, string | string[] | undefined>; body: unknown};

const secretKeys = new Set(['code', 'password', 'token', 'access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier', 'jwt', 'session_state']);

export function secretsSeenBy(servers: Array<{requests: readonly AnyRequest[]}>): string[] {
	const found = new Set<string>();
	const add = (value: unknown) => {
		if (typeof value === 'string' && value.length >= 8) found.add(value);
	};

	const fromObject = (value: unknown) => {
		if (!value || typeof value !== 'object') return;
		for (const [key, inner] of Object.entries(value)) {
			if (secretKeys.has(key) || key.endsWith('_secret') || key.endsWith('_password')) add(inner);
			if (inner && typeof inner === 'object') fromObject(inner);
		}
	};

	for (const request of servers.flatMap((server) => server.requests)) {
		const query = request.query ?? new URL(request.path, 'http://fake').searchParams;
		for (const [key, value] of query) if (secretKeys.has(key)) add(value);
		// Pocket ID's one-time access token travels in the path.
		const oneTime = /\/api\/one-time-access-token\/([^/?]+)/.exec(request.path)?.[1];
		if (oneTime) add(decodeURIComponent(oneTime));
		const cookie = request.headers['cookie'];
		for (const part of String(cookie ?? '').split(';')) add(part.trim().split('=').slice(1).join('='));
		const authorization = String(request.headers['authorization'] ?? '');
		const [scheme, credential] = authorization.split(' ');
		if (scheme?.toLowerCase() === 'basic' && credential) {
			const decoded = Buffer.from(credential, 'base64').toString();
			add(decoded.slice(decoded.indexOf(':') + 1));
		} else {
			add(credential);
		}

		for (const header of ['x-api-key', 'x-harbor-csrf-token']) add(request.headers[header]);
		fromObject(request.body);
	}

	return [...found];
}

/** Every file under the state directory, as text. */
export function filesUnder(directory: string): Array<{file: string; text: string}> {
	return readdirSync(directory, {recursive: true})
		.map((name) => path.join(directory, String(name)))
		.filter((file) => statSync(file).isFile())
		.map((file) => ({file, text: readFileSync(file, 'utf8')}));
}

/** None of the secrets in stdout, stderr or any file under the state directory. */
export function expectNoSecrets(result: {stdout: string; stderr: string}, home: string, secrets: readonly string[]): void {
	expect(secrets.length).toBeGreaterThan(0);
	for (const secret of secrets) {
		expect(result.stdout, 'stdout shows a secret').not.toContain(secret);
		expect(result.stderr, 'stderr shows a secret').not.toContain(secret);
		for (const {file, text} of filesUnder(home)) expect(text, `${file} holds a secret`).not.toContain(secret);
	}

	// What a code or a cookie would look like if it slipped through under another name.
	for (const text of [result.stdout, result.stderr, ...filesUnder(home).map((entry) => entry.text)]) {
		expect(text).not.toMatch(/[?&]code=[^&\s"]/);
		expect(text).not.toMatch(/set-cookie/i);
	}
}

export type SignInJson = {
	ok: boolean;
	checks: Array<{id: string; status: string; seen: string; fix?: string}>;
	signIn: {
		status: string;
		seen?: string;
		links: Array<{id: SignInLinkId; title: string; status: string; seen: string; fix?: string}>;
		testUser?: {username: string; where: string; createdBy: string};
		onboardingPrompt?: boolean;
		cleanup: {complete: boolean; done: string[]; left: Array<{what: string; where: string; reason: string}>};
	};
};

/** The JSON carries the whole chain in order, each link with its status and what was seen; returns the statuses by id. */
export function chainOf(stdout: string): {json: SignInJson; statuses: Record<SignInLinkId, string>; link: (id: SignInLinkId) => SignInJson['signIn']['links'][number]} {
	const json = JSON.parse(stdout) as SignInJson;
	expect(json.signIn.links.map((link) => link.id)).toEqual([...signInLinkIds]);
	for (const link of json.signIn.links) {
		expect(typeof link.title).toBe('string');
		expect(['passed', 'failed', 'not-reached', 'skipped']).toContain(link.status);
		expect(typeof link.seen).toBe('string');
		if (link.status === 'passed' || link.status === 'failed') expect(link.seen.length, link.id).toBeGreaterThan(10);
	}

	const statuses = Object.fromEntries(json.signIn.links.map((link) => [link.id, link.status])) as Record<SignInLinkId, string>;
	return {json, statuses, link: (id) => json.signIn.links.find((candidate) => candidate.id === id)!};
}

/** The first broken link and every one after it not reached; every one before it passed. */
export function expectBrokenAt(statuses: Record<SignInLinkId, string>, broken: SignInLinkId): void {
	const index = signInLinkIds.indexOf(broken);
	expect(statuses).toEqual(Object.fromEntries(signInLinkIds.map((id, position) => [id, position < index ? 'passed' : position === index ? 'failed' : 'not-reached'])));
}
