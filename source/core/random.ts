import {createRequire} from 'node:module';

const load = createRequire(import.meta.url);

/**
 * Random bytes as hex, from node:crypto loaded on the first call: loading it (with all of Node's
 * crypto) costs a few milliseconds, which the wizard's first frame and most commands never need.
 */
export function randomHex(bytes: number): string {
	const {randomBytes} = load('node:crypto') as typeof import('node:crypto');
	return randomBytes(bytes).toString('hex');
}
