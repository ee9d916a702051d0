import type {memoryContext} from '../../../helpers/context.js';

export {resumedContext} from '../../../helpers/context.js';
import type {RecordedRequest} from '../../../servers/recording-server.js';

export type TestContext = ReturnType<typeof memoryContext>;

/** Requests that change something on the server. */
export function writes(requests: RecordedRequest[]): RecordedRequest[] {
	return requests.filter((request) => request.method !== 'GET' && request.method !== 'HEAD');
}

/** Whatever a run leaves behind for a person or a file: artifacts, progress lines, notes, warnings. */
export function everythingShown(context: TestContext, ...more: unknown[]): string {
	return JSON.stringify([[...context.store.entries()], context.messages, more]);
}
