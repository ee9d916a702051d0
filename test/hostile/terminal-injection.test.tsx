import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {buildChecklist} from '../../source/checklist/build.js';
import {formatChecklist} from '../../source/checklist/format.js';
import {shippedCatalogue} from '../../source/core/flows/builtin.js';
import {getPair} from '../../source/core/flows/pair.js';
import {loadCatalogue} from '../../source/core/flows/load.js';
import {knownAutomation} from '../../source/integrations/registry.js';
import {FieldScreen} from '../../source/ui/screens/FieldScreen.js';
import {cli, ensureBuilt, newHome} from '../faults/helpers/cli.js';

// Issue 13, class 4: text from a server or a flow file reaches the terminal only through printable().
const hostile = '\u001B[2J\u001B]0;pwned\u0007\u009B31m boom';
let server: http.Server;
let url: string;

beforeAll(async () => {
	await ensureBuilt();
	server = http.createServer((_request, response) => {
		response.writeHead(500, {'content-type': 'application/json'}).end(JSON.stringify({errors: [{code: 'UNKNOWN', message: hostile}], error: hostile, error_description: hostile}));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

// ESC, BEL and the C1 CSI: none may come out raw (NO_COLOR is set, so sso-setup itself prints none).
const controls = /[\u0007\u001B\u009B]/;

describe('escape sequences in server answers (issue 13, class 4)', () => {
	it('apply prints an error quoting them escaped', async () => {
		const result = await cli(newHome('sso-setup-hostile-'), ['apply', '--idp', 'oidc', '--app', 'harbor', '--set', 'issuer=https://login.example.com', '--set', 'client_id=harbor', '--set', `app_url=${url}`, '--yes'], {SSO_SETUP_CLIENT_SECRET: 'Hostile-Esc-Secret-6', SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'Hostile-Esc-Pass-7'});
		expect(result.code, result.all).toBe(1);
		expect(result.all).not.toMatch(controls);
	});

	it('verify prints its checks with them escaped', async () => {
		const result = await cli(newHome('sso-setup-hostile-'), ['verify', '--idp', 'oidc', '--app', 'harbor', '--set', `issuer=${url}`, '--set', 'client_id=harbor', '--set', `app_url=${url}`], {SSO_SETUP_CLIENT_SECRET: 'Hostile-Esc-Secret-6', SSO_SETUP_HARBOR_ADMIN_PASSWORD: 'Hostile-Esc-Pass-7'});
		expect(result.code, result.all).toBe(1);
		expect(result.all).not.toMatch(controls);
	});
});

describe('escape sequences in flow files from --flows (issue 13, class 4)', () => {
	// Clear screen, a window-title write (OSC … BEL) and the C1 CSI, in the name, a label, a help text and the steps.
	const hostileYaml = '"\\e[2J\\e]0;pwned\\a\\x9B31m boom"';
	let directory: string;
	beforeAll(() => {
		directory = path.join(newHome('sso-setup-hostile-'), 'flows');
		mkdirSync(directory);
		const dex = readFileSync('test/fixtures/flows/dex/dex.yaml', 'utf8')
			.replace('name: Dex', `name: ${hostileYaml}`)
			.replace("help: The issuer setting of Dex's config.yaml.", `help: ${hostileYaml}`)
			.replace('label: Client ID', `label: ${hostileYaml}`)
			.replace('  - title: Add a static client to Dex', `  - title: ${hostileYaml}`)
			.replace("then restart Dex.\n", `then restart Dex.\n      Second line \u001B[31mred\u001B[0m.\n`);
		writeFileSync(path.join(directory, 'dex.yaml'), dex);
	});

	it('checklist prints them escaped, in text and Markdown, line breaks kept', async () => {
		for (const format of ['text', 'markdown']) {
			const result = await cli(newHome('sso-setup-hostile-'), ['checklist', '--flows', directory, '--idp', 'dex', '--app', 'harbor', '--format', format, '--set', 'app_url=https://harbor.example.com']);
			expect(result.code, result.all).toBe(0);
			expect(result.all).not.toMatch(controls);
			expect(result.stdout).toContain('\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m boom');
			expect(result.stdout).toMatch(/then restart Dex\.\n\s*Second line \\u001b\[31mred/);
		}
	});

	it('what the wizard renders (labels, help, steps) holds no control characters but line breaks', async () => {
		const catalogue = loadCatalogue([directory], knownAutomation, await shippedCatalogue(knownAutomation));
		const dex = catalogue.idps.get('dex')!;
		const strings = JSON.stringify(dex).match(/"(?:[^"\\]|\\.)*"/g)!.map((literal) => JSON.parse(literal) as string);
		expect(strings.filter((text) => /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/.test(text))).toEqual([]);
		const field = dex.fields.find((item) => item.key === 'idp_url')!;
		const screen = render(<FieldScreen field={field} initial="" secretStored={false} scopeSeparator="," onSubmit={async () => undefined} />);
		expect(screen.lastFrame()).toContain('\\u001b]0;pwned\\u0007');
		screen.unmount();
	});

	it('the checklist formats escape a value that did not come through the field rules', async () => {
		const checklist = buildChecklist(getPair(await shippedCatalogue(knownAutomation), 'oidc', 'harbor'), {app_url: 'https://harbor.example.com', issuer: `https://idp.example.com/${hostile}`});
		for (const format of ['text', 'markdown'] as const) {
			expect(formatChecklist(checklist, format)).not.toMatch(controls);
		}
	});
});
