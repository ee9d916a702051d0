import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {Browser} from '../../../source/core/browser.js';
import {HttpClient} from '../../../source/core/http.js';
import {SignInFailure} from '../../../source/core/sign-in.js';
import {oidcGeneric} from '../../../source/integrations/idp/oidc/index.js';
import {memoryContext} from '../../helpers/context.js';

/**
 * The generic provider's login on the pages Dex shows when the real-server tests' Dex does not:
 * a list of connectors (more than one), and the approval screen (skipApprovalScreen off). The
 * markup is Dex's own templates (web/templates/login.html, password.html, approval.html), trimmed.
 */

const callback = 'https://harbor.example/c/oidc/callback';

function connectorList(query: string): string {
	const escaped = query.replaceAll('&', '&amp;').replaceAll('+', '&#43;');
	return `<div class="theme-panel"><h2 class="theme-heading">Log in to dex </h2><div>
      <div class="theme-form-row"><a href="/dex/auth/mock?${escaped}" target="_self"><button class="dex-btn theme-btn-provider"><span class="dex-btn-text">Log in with Example</span></button></a></div>
      <div class="theme-form-row"><a href="/dex/auth/local?${escaped}" target="_self"><button class="dex-btn theme-btn-provider"><span class="dex-btn-icon dex-btn-icon--local"></span><span class="dex-btn-text">Log in with Email</span></button></a></div>
  </div></div>`;
}

const passwordPage = (error = '') => `<div class="theme-panel"><h2 class="theme-heading">Log in to Your Account</h2>
  <form method="post" action="/dex/auth/local/login?back=&amp;state=st-1">
	  <input tabindex="1" required id="login" name="login" type="text" class="theme-form-input" placeholder="email address" autofocus />
	  <input tabindex="2" required id="password" name="password" type="password" class="theme-form-input" placeholder="password" />
    ${error ? `<div id="login-error" class="dex-error-box">${error}</div>` : ''}
    <button tabindex="3" id="submit-login" type="submit" class="dex-btn theme-btn--primary">Login</button>
  </form></div>`;

const approvalPage = `<div class="theme-panel"><h2 class="theme-heading">Grant Access</h2><hr class="dex-separator">
  <div><div class="dex-subtle-text">harbor would like to:</div><ul class="dex-list"><li>View basic profile information</li></ul></div>
  <hr class="dex-separator"><div>
    <div class="theme-form-row"><form method="post"><input type="hidden" name="req" value="req-1"/><input type="hidden" name="approval" value="approve">
        <button type="submit" class="dex-btn theme-btn--success"><span class="dex-btn-text">Grant Access</span></button></form></div>
    <div class="theme-form-row"><form method="post"><input type="hidden" name="req" value="req-1"/><input type="hidden" name="approval" value="rejected">
        <button type="submit" class="dex-btn theme-btn-provider"><span class="dex-btn-text">Cancel</span></button></form></div>
  </div></div>`;

type Served = {url: string; posts: Array<Record<string, string>>; close(): Promise<void>};

async function dexLike(options: {approval: boolean; firstPage?: string}): Promise<Served> {
	const posts: Array<Record<string, string>> = [];
	const server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const html = (status: number, body: string) => response.writeHead(status, {'content-type': 'text/html'}).end(`<!DOCTYPE html><html><body>${body}</body></html>`);
		if (url.pathname === '/dex/auth') return html(200, options.firstPage ?? connectorList(url.search.slice(1)));
		if (url.pathname === '/dex/auth/mock') return html(500, 'the mock connector must not be chosen');
		if (url.pathname === '/dex/auth/local') return response.writeHead(302, {location: '/dex/auth/local/login?back=&state=st-1'}).end();
		if (url.pathname === '/dex/auth/local/login' && request.method === 'GET') return html(200, passwordPage());
		if (url.pathname === '/dex/approval' && request.method === 'GET') return html(200, approvalPage);
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
			posts.push(form);
			if (url.pathname === '/dex/auth/local/login') {
				if (form['login'] !== 'jane@example.com' || form['password'] !== 'Jane-Pass-1') return html(401, passwordPage('Invalid Email Address and password.'));
				return response.writeHead(303, {location: options.approval ? '/dex/approval?req=req-1&hmac=h' : `${callback}?code=c-1&state=s`}).end();
			}

			return html(404, 'not found');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, close: () => new Promise((resolve) => server.close(() => resolve()))};
}

describe('the generic oidc login on Dex pages', () => {
	let served: Served | undefined;
	afterEach(async () => served?.close());

	const logIn = async (options: {approval: boolean; firstPage?: string}) => {
		served = await dexLike(options);
		const authorize = `${served.url}/dex/auth?client_id=harbor&redirect_uri=${encodeURIComponent(callback)}&response_type=code&scope=openid+profile&state=s`;
		return oidcGeneric.signIn!.logIn(memoryContext({}), new Browser(new HttpClient({timeoutMs: 5000})), authorize, {username: 'jane@example.com', password: 'Jane-Pass-1'});
	};

	it('picks the password connector from the list, signs in and returns the callback', async () => {
		const result = await logIn({approval: false});
		expect(result.callbackUrl).toBe(`${callback}?code=c-1&state=s`);
		expect(result.authorizeSeen).toBe(`The identity provider showed its password form for client harbor at ${served!.url}/dex/auth/local/login.`);
		expect(served!.posts).toEqual([{login: 'jane@example.com', password: 'Jane-Pass-1'}]);
	});

	it('stops at an approval screen with the fix, granting nothing', async () => {
		const failure = await logIn({approval: true}).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(SignInFailure);
		expect(failure).toMatchObject({link: 'idp-login', seen: 'The identity provider accepted "jane@example.com" but asks the user to grant access to client harbor (HTTP 200).'});
		expect((failure as SignInFailure).fix).toContain('skipApprovalScreen');
		expect(served!.posts).toHaveLength(1);
	});

	it('a page without a password form or a password connector breaks the authorize link', async () => {
		const failure = await logIn({approval: false, firstPage: '<div id="app">Loading…</div><noscript>Enable JavaScript</noscript>'}).catch((error: unknown) => error);
		expect(failure).toMatchObject({link: 'idp-authorize'});
		expect((failure as SignInFailure).seen).toContain('with no password form sso-setup could fill in');
	});
});
