import {describe, expect, it} from 'vitest';
import {decodeEntities, elementText, fillLogin, findForms, findLinks, findPasswordForm, visibleText} from '../../../source/integrations/kit/html-form.js';

/**
 * The HTML reading behind the sign-in proof, on markup as Keycloak 26.7 (keycloak.v2 login theme)
 * and Dex (its default theme) really send it (trimmed: styles, scripts and icons left out).
 */

const keycloakLogin = `<!DOCTYPE html>
<html><head><title>Sign in to r1</title><script type="module">const x = "<form action='/nope'>";</script></head>
<body>
<h1 class="pf-v5-c-title pf-m-3xl" id="kc-page-title">Sign in to your account</h1>
<!-- <form action="/commented-out"><input type="password" name="p"></form> -->
<form id="kc-form-login" class="pf-v5-c-form pf-v5-u-w-100" onsubmit="login.disabled = true; return true;" action="http://127.0.0.1:18080/realms/r1/login-actions/authenticate?session_code=iij0KQw8&amp;execution=e0750fe3&amp;client_id=harbor&amp;tab_id=R1DrUB3hzNg" method="post" novalidate="novalidate">
  <input id="username" name="username" value="" type="text" autocomplete="username" autofocus aria-invalid="true"/>
  <div class="pf-v5-c-helper-text__item pf-m-error" id="input-error-username">
    <span class="pf-v5-c-helper-text__item-text pf-m-error kc-feedback-text">
        Invalid username or password.
    </span>
  </div>
  <input id="password" name="password" value="" type="password" autocomplete="current-password" aria-invalid=""/>
  <input type="checkbox" name="rememberMe"> Remember me
  <input type="hidden" id="id-hidden-input" name="credentialId" />
  <button class="pf-v5-c-button pf-m-primary pf-m-block" name="login" id="kc-login" type="submit">Sign In</button>
</form>
</body></html>`;

const dexConnectors = `<div class="theme-panel">
  <h2 class="theme-heading">Log in to dex </h2>
  <div>
      <div class="theme-form-row">
        <a href="/dex/auth/local?client_id=harbor&amp;redirect_uri=http%3A%2F%2F127.0.0.1%3A9999%2Fc%2Foidc%2Fcallback&amp;response_type=code&amp;scope=openid&#43;profile&#43;email&amp;state=st1" target="_self">
          <button class="dex-btn theme-btn-provider"><span class="dex-btn-icon dex-btn-icon--local"></span><span class="dex-btn-text">Log in with Email</span></button>
        </a>
      </div>
      <div class="theme-form-row">
        <a href="/dex/auth/mock?client_id=harbor&amp;state=st1" target="_self">
          <button class="dex-btn theme-btn-provider"><span class="dex-btn-text">Log in with Example</span></button>
        </a>
      </div>
  </div>
</div>`;

const dexLogin = `<div class="theme-panel">
  <h2 class="theme-heading">Log in to Your Account</h2>
  <form method="post" action="/dex/auth/local/login?back=&amp;state=zlesbz7pmtlahu7zor4npviw4">
    <div class="theme-form-row"><div class="theme-form-label"><label for="userid">Email Address</label></div>
	  <input tabindex="1" required id="login" name="login" type="text" class="theme-form-input" placeholder="email address"  autofocus />
    </div>
    <div class="theme-form-row"><div class="theme-form-label"><label for="password">Password</label></div>
	  <input tabindex="2" required id="password" name="password" type="password" class="theme-form-input" placeholder="password" />
    </div>
      <div id="login-error" class="dex-error-box">
        Invalid Email Address and password.
      </div>
    <button tabindex="3" id="submit-login" type="submit" class="dex-btn theme-btn--primary">Login</button>
  </form>
</div>`;

describe('reading sign-in pages', () => {
	it("finds Keycloak's login form, decodes its action and fills it as a browser sends it", () => {
		const page = 'http://127.0.0.1:18080/realms/r1/protocol/openid-connect/auth?client_id=harbor';
		const forms = findForms(keycloakLogin, page);
		// The form inside the comment and the one in the script are not forms.
		expect(forms).toHaveLength(1);
		const form = findPasswordForm(keycloakLogin, page)!;
		expect(form.id).toBe('kc-form-login');
		expect(form.method).toBe('POST');
		expect(form.action).toBe('http://127.0.0.1:18080/realms/r1/login-actions/authenticate?session_code=iij0KQw8&execution=e0750fe3&client_id=harbor&tab_id=R1DrUB3hzNg');
		// The unchecked checkbox and the button are left out; the hidden input is kept, empty.
		expect(fillLogin(form, {username: 'sso-setup-test-1', password: 'p&ss "word"'})).toEqual({username: 'sso-setup-test-1', password: 'p&ss "word"', credentialId: ''});
		expect(elementText(keycloakLogin, {className: 'kc-feedback-text'})).toBe('Invalid username or password.');
		expect(elementText(keycloakLogin, {id: 'kc-page-title'})).toBe('Sign in to your account');
	});

	it("resolves Dex's relative links and action, and reads its error box", () => {
		const links = findLinks(dexConnectors, 'http://127.0.0.1:5556/dex/auth?client_id=harbor');
		expect(links.map((link) => link.text)).toEqual(['Log in with Email', 'Log in with Example']);
		expect(links[0]!.href).toBe('http://127.0.0.1:5556/dex/auth/local?client_id=harbor&redirect_uri=http%3A%2F%2F127.0.0.1%3A9999%2Fc%2Foidc%2Fcallback&response_type=code&scope=openid+profile+email&state=st1');
		const form = findPasswordForm(dexLogin, 'http://127.0.0.1:5556/dex/auth/local/login?back=&state=zles')!;
		expect(form.action).toBe('http://127.0.0.1:5556/dex/auth/local/login?back=&state=zlesbz7pmtlahu7zor4npviw4');
		expect(fillLogin(form, {username: 'admin@example.com', password: 'password'})).toEqual({login: 'admin@example.com', password: 'password'});
		expect(elementText(dexLogin, {id: 'login-error'})).toBe('Invalid Email Address and password.');
		expect(findPasswordForm(dexConnectors, 'http://127.0.0.1:5556/dex/auth')).toBeUndefined();
	});

	it('counts nested elements of the same name, and skips void elements and empty ones', () => {
		const html = '<input id="x" value="no"><div id="x"></div><div id="box">outer <div>inner</div> tail</div><div id="x">found</div>';
		expect(elementText(html, {id: 'box'})).toBe('outer inner tail');
		expect(elementText(html, {id: 'x'})).toBe('found');
		expect(elementText(html, {id: 'missing'})).toBeUndefined();
	});

	it('decodes named and numeric entities and leaves unknown ones', () => {
		expect(decodeEntities('a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#x27; &#43; &bogus; &#0;')).toBe(`a&b <c> "d" 'e' + &bogus; &#0;`);
		expect(visibleText('<p>We are <b>sorry</b>&hellip;</p>\n<p>Invalid parameter: redirect_uri</p>')).toBe('We are sorry … Invalid parameter: redirect_uri');
	});

	it('takes unquoted and single-quoted attributes, and the first text input when none is named like a user field', () => {
		const html = "<form action=/go method=POST><input type=hidden name=a value='1&amp;2'><input name=who><input type=password name=secret><input name=extra value=x disabled></form>";
		const form = findPasswordForm(html, 'https://idp.example/login')!;
		expect(form.action).toBe('https://idp.example/go');
		expect(fillLogin(form, {username: 'u', password: 'p'})).toEqual({a: '1&2', who: 'u', secret: 'p'});
	});
});
