import {defaultTimeoutMs} from '../core/http.js';
import type {HttpRequest} from '../core/http-types.js';
import type {IntegrationContext} from '../integrations/types.js';
import {Observable} from './observable.js';

/** A request that has not been answered yet: which host, when the client gives up on it, after how long in all (ms). */
export type Wait = {host: string; deadline: number; total: number};

/**
 * The requests an automated step has in flight, so that a wait shows whom it waits for and how long
 * until it gives up (each request's own time limit, 15 s unless the request says otherwise).
 */
export class RequestWatch extends Observable<Wait | undefined> {
	private readonly inFlight = new Map<number, Wait>();
	private next = 0;

	constructor() {
		super(undefined);
	}

	/** The context with its HTTP client watched (the same client: json() and fetchFor() go through request()). */
	watch(context: IntegrationContext): IntegrationContext {
		const client = context.http;
		const request = client.request.bind(client);
		client.request = async (item: HttpRequest) => {
			const id = this.next++;
			const total = item.timeoutMs ?? defaultTimeoutMs;
			this.inFlight.set(id, {host: hostOf(item.url), deadline: Date.now() + total, total});
			this.announce();
			try {
				return await request(item);
			} finally {
				this.inFlight.delete(id);
				this.announce();
			}
		};

		return context;
	}

	private announce(): void {
		// The one that gives up first: the countdown never promises more time than there is.
		const waits = [...this.inFlight.values()].sort((a, b) => a.deadline - b.deadline);
		this.set(waits[0]);
	}
}

function hostOf(url: string): string {
	return URL.canParse(url) ? new URL(url).host : url;
}
