/** The shapes of the HTTP client's requests, answers and options: the client, its errors and its scrubber all use them. */

export type HttpRequest = {
	method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	/** What we were doing, for error messages: "harbor: read configuration". */
	step: string;
	headers?: Record<string, string>;
	/** A JSON body (serialised here), or raw text, or a form (x-www-form-urlencoded). */
	json?: unknown;
	body?: string;
	form?: Record<string, string>;
	timeoutMs?: number;
	/** Statuses that are answers, not failures. Default: 200–299. */
	expect?: readonly number[] | 'any';
	/** The https:// issuer this request belongs to: a credential may then not go over http://, loopback included. */
	secureOrigin?: string;
};

export type HttpResponse = {
	status: number;
	headers: Record<string, string>;
	text: string;
	url: string;
};

export type HttpOptions = {
	/** PEM file with extra CA certificates to trust, on top of the system ones. */
	caFile?: string;
	timeoutMs?: number;
	userAgent?: string;
};
