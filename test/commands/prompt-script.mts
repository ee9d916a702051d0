// Run in a pseudo-terminal by prompt.test.ts: asks what verify --sign-in asks, prints what it got.
import {askSecret, askYesNo, canAsk} from '../../source/commands/prompt.js';

process.on('SIGINT', () => {
	process.stdout.write('interrupted\n');
	process.exit(130);
});
process.stdout.write(`can ask: ${String(canAsk())}\n`);
const secret = await askSecret('Password');
const yes = await askYesNo('Go on?');
process.stdout.write(`got ${secret.length} characters, ${secret === 'Typed-Secret-9' ? 'as typed' : 'not as typed'}, ${String(yes)}\n`);
