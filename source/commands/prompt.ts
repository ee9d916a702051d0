import {createInterface} from 'node:readline';

/**
 * Questions a script command asks on a terminal (on stderr, so that stdout stays the command's
 * answer, e.g. verify --json). Ctrl+C while asking interrupts the command as anywhere else.
 */

/** Both ends are a terminal: a question can be asked and answered. */
export function canAsk(): boolean {
	return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** A yes/no question; the answer is no unless it starts with y. */
export async function askYesNo(question: string): Promise<boolean> {
	const answer = await new Promise<string>((resolve) => {
		const reader = createInterface({input: process.stdin, output: process.stderr, terminal: true});
		reader.on('SIGINT', () => {
			reader.close();
			process.stderr.write('\n');
			process.kill(process.pid, 'SIGINT');
		});
		reader.question(`${question} [y/N] `, (line) => {
			reader.close();
			resolve(line);
		});
	});
	return /^\s*y/i.test(answer);
}

/** A secret typed without echo (nothing is shown, not even its length). */
export async function askSecret(question: string): Promise<string> {
	const input = process.stdin;
	process.stderr.write(`${question}: `);
	const wasRaw = input.isRaw;
	input.setRawMode(true);
	input.resume();
	input.setEncoding('utf8');
	try {
		return await new Promise<string>((resolve) => {
			let typed = '';
			const onData = (chunk: string) => {
				for (const character of chunk) {
					if (character === '\r' || character === '\n') {
						input.off('data', onData);
						resolve(typed);
						return;
					}

					if (character === '\u0003') {
						input.off('data', onData);
						input.setRawMode(wasRaw);
						process.stderr.write('\n');
						process.kill(process.pid, 'SIGINT');
						return;
					}

					if (character === '\u007F' || character === '\b') {
						typed = typed.slice(0, -1);
					} else if (character >= ' ') {
						typed += character;
					}
				}
			};

			input.on('data', onData);
		});
	} finally {
		input.setRawMode(wasRaw);
		input.pause();
		process.stderr.write('\n');
	}
}
