import {afterEach} from 'vitest';

/** Wraps a function that starts a server: every server it starts is closed after each test of the suite it is called in. */
export function closedAfterEach<Args extends unknown[], Server extends {close(): Promise<void>}>(start: (...args: Args) => Promise<Server>): (...args: Args) => Promise<Server> {
	const started: Server[] = [];
	afterEach(async () => {
		await Promise.all(started.splice(0).map((server) => server.close()));
	});
	return async (...args) => {
		const server = await start(...args);
		started.push(server);
		return server;
	};
}
