import type {HttpClient} from './http.js';
import type {HttpResponse} from './http-types.js';

export type BrowserRequest = {
	url: string;
	method?: 'GET' | 'POST';
	form?: Record<string, string>;
	json?: unknown;
	headers?: Record<string, string>;
	/** What we were doing, for error messages: "keycloak: sign in the test user". */
	step: string;
	/** A request the browser's JavaScript would make: Accept JSON instead of HTML. */
	api?: boolean;
};

type Cookie = {name: string; value: string; host: string; path: string};

/**
 * A browser without JavaScript for the sign-in proof: one request at a time, redirects never
 * followed (the caller decides where to go), cookies kept per host and path. Every status is an
 * answer. Cookie values never leave this object: `cookieNames` is what a sentence may show.
 */
export class Browser {
	private readonly jar = new Map<string, Cookie>();

	constructor(private readonly http: HttpClient) {}

	async request(request: BrowserRequest): Promise<HttpResponse> {
		const url = new URL(request.url);
		const cookie = this.cookieHeader(url);
		const response = await this.http.request({
			url: url.href,
			method: request.method ?? (request.form || request.json !== undefined ? 'POST' : 'GET'),
			step: request.step,
			expect: 'any',
			headers: {
				// A real browser's Accept: with JSON in it, Keycloak answers its deny-access step as JSON instead of its page.
				accept: request.api ? 'application/json' : 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
				...(cookie ? {cookie} : {}),
				...request.headers,
			},
			...(request.form ? {form: request.form} : {}),
			...(request.json === undefined ? {} : {json: request.json}),
		});
		this.store(url, response.headers['set-cookie']);
		return response;
	}

	/** Follows redirects while they stay on `origin`; returns the last answer (a redirect elsewhere included). */
	async follow(request: BrowserRequest, options: {within: string; limit?: number}): Promise<HttpResponse> {
		let response = await this.request(request);
		for (let hop = 0; hop < (options.limit ?? 10); hop++) {
			const next = redirectTarget(response);
			if (!next || new URL(next).origin !== new URL(options.within).origin) {
				return response;
			}

			response = await this.request({url: next, step: request.step, ...(request.api ? {api: true} : {})});
		}

		return response;
	}

	/** A cookie's value, for a request header the app's JavaScript would send (Portainer's CSRF token). */
	cookie(name: string, url: string): string | undefined {
		const host = new URL(url).host;
		return [...this.jar.values()].find((cookie) => cookie.name === name && cookie.host === host)?.value;
	}

	cookieNames(url: string): string[] {
		const host = new URL(url).host;
		return [...this.jar.values()].filter((cookie) => cookie.host === host).map((cookie) => cookie.name);
	}

	private cookieHeader(url: URL): string {
		return [...this.jar.values()]
			.filter((cookie) => cookie.host === url.host && url.pathname.startsWith(cookie.path))
			.map((cookie) => `${cookie.name}=${cookie.value}`)
			.join('; ');
	}

	private store(url: URL, header: string | undefined): void {
		for (const line of header?.split('\n') ?? []) {
			const [pair = '', ...attributes] = line.split(';');
			const equals = pair.indexOf('=');
			if (equals <= 0) {
				continue;
			}

			const name = pair.slice(0, equals).trim();
			const value = pair.slice(equals + 1).trim();
			const attribute = (key: string) => attributes.map((part) => part.trim()).find((part) => part.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
			const path = attribute('path') ?? '/';
			const key = `${url.host} ${path} ${name}`;
			const maxAge = attribute('max-age');
			const expires = attribute('expires');
			const expired = (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) < Date.now()) || value === '';
			if (expired) {
				this.jar.delete(key);
			} else {
				this.jar.set(key, {name, value, host: url.host, path});
			}
		}
	}
}

/** The absolute URL a 30x answer sends the browser to, or undefined. */
export function redirectTarget(response: HttpResponse): string | undefined {
	const location = response.headers['location'];
	if (response.status < 300 || response.status >= 400 || !location) {
		return undefined;
	}

	return new URL(location, response.url).href;
}
