import stripAnsi from 'strip-ansi';
import {afterEach, describe, expect, it} from 'vitest';
import {fieldOptions} from '../../source/commands/wizard.js';
import {visibleFields} from '../../source/wizard/machine.js';
import {keys, last, press, waitForFrame, waitForText} from '../helpers/ink.js';
import {renderWizard, shippedFlows, type WizardApp} from '../helpers/wizard-app.js';
import {type FakeOvh, startFakeOvh} from '../servers/ovh.js';
const registryId = '5e1a4f9c-2b7d-4c3e-9a61-0d8f2b6c7e14';
const registryUrl = 'https://abc123.c1.gra9.container-registry.ovh.net';

/** Issue 11, item 9: the OVH screens of the wizard, Keycloak → OVHcloud MPR. */
describe('OVH screens in the wizard', () => {
	let ovh: FakeOvh | undefined;

	afterEach(async () => {
		await ovh?.close();
		ovh = undefined;
	});

	function setUp() {
		const {controller, screen} = renderWizard({fieldOptions});
		void controller.start();
		return {controller, screen};
	}

	async function choose(screen: WizardApp['screen'], label: string) {
		for (let step = 0; step < 8 && !last(screen).includes(`❯ ${label}`); step++) await press(screen, keys.down);
		expect(last(screen)).toContain(`❯ ${label}`);
		await press(screen, keys.enter);
	}

	async function startKeycloakOvh(screen: WizardApp['screen']) {
		await waitForText(screen, 'Start a new setup');
		await press(screen, keys.enter);
		await waitForText(screen, 'Which identity provider?');
		await choose(screen, 'Keycloak');
		await waitForText(screen, 'Which app?');
		await choose(screen, 'OVHcloud Managed Private Registry');
		await waitForText(screen, 'OVHcloud API endpoint');
	}

	/** The field on screen now, and its help as the screen shows it. */
	function currentField(controller: WizardApp['controller']) {
		const {screen, view} = controller.state;
		return screen.name === 'fields' && view ? visibleFields(view)[screen.index] : undefined;
	}

	function expectHelpShown(controller: WizardApp['controller'], screen: WizardApp['screen']) {
		const field = currentField(controller);
		expect(field?.help, `help of ${field?.key}`).toBeTruthy();
		expect(last(screen).replaceAll(/\s+/g, ' ')).toContain(field!.help!.slice(0, 60));
	}

	it('every OVH question has its help', () => {
		const app = shippedFlows.apps.get('ovh-mpr')!;
		expect(app.fields.filter((field) => !field.help).map((field) => field.key)).toEqual([]);
	});

	it('skipping the application key: no secret or consumer key asked, no list tried, help everywhere, no internal key name', async () => {
		const {controller, screen} = setUp();
		await startKeycloakOvh(screen);
		// The endpoint is a choice, with another URL possible.
		const endpoint = last(screen);
		for (const choice of ['ovh-eu: Europe', 'ovh-ca: Canada', 'ovh-us: United States', 'Other URL']) expect(endpoint).toContain(choice);
		expectHelpShown(controller, screen);
		await press(screen, keys.enter);
		await waitForText(screen, 'OVHcloud application key (optional)');
		expectHelpShown(controller, screen);
		await press(screen, keys.enter);
		await waitForText(screen, 'Public Cloud project ID (service name)');
		expectHelpShown(controller, screen);
		expect(last(screen)).toContain('(optional)');
		await press(screen, keys.enter);
		await waitForText(screen, 'Registry ID');
		await press(screen, ...'not-a-uuid'.split(''));
		await waitForText(screen, 'A registry ID is a UUID');
		await press(screen, ...Array.from({length: 10}, () => keys.backspace), keys.enter);
		await waitForText(screen, 'Registry URL');
		await press(screen, ...registryUrl.split(''), keys.enter);
		await waitForText(screen, 'Keycloak URL');
		await press(screen, ...'https://sso.example.com/realms/mpr'.split(''), keys.enter);
		// The rest up to the app's own questions, each with its help.
		for (let step = 0; step < 20 && currentField(controller)?.key !== 'auto_onboard'; step++) {
			const field = currentField(controller);
			if (controller.state.screen.name === 'steps') {
				// Keycloak's steps, shown in full before the client ID.
				const before = JSON.stringify(controller.state.screen);
				await press(screen, keys.enter);
				await waitForFrame(screen, () => JSON.stringify(controller.state.screen) !== before);
				continue;
			}

			if (['groups_claim', 'admin_group'].includes(field?.key ?? '')) expectHelpShown(controller, screen);
			const before = field?.key;
			await press(screen, ...(field?.key === 'client_secret' ? [...'kc-secret'.split(''), keys.enter] : [keys.enter]));
			await waitForFrame(screen, () => currentField(controller)?.key !== before || controller.state.screen.name !== 'fields');
		}

		expect(currentField(controller)?.key).toBe('auto_onboard');
		expectHelpShown(controller, screen);
		const frames = screen.frames.map((frame) => stripAnsi(frame)).join('\n');
		expect(frames).not.toContain('OVHcloud application secret');
		expect(frames).not.toContain('OVHcloud consumer key');
		expect(frames).not.toContain('could not be read');
		expect(frames).not.toContain('ovh_application_key');
		expect(controller.state.view!.session.answers['ovh_application_key']).toBe('');
	});

	it('with the application key: the secret and consumer key follow, and the project and registry are required', async () => {
		ovh = await startFakeOvh({applicationKey: 'ak-ui', applicationSecret: 'as-ui', consumerKey: 'ck-ui', projects: {'project-a': [{id: registryId, name: 'team-registry', region: 'GRA', url: registryUrl, status: 'READY'}]}});
		const {controller, screen} = setUp();
		await startKeycloakOvh(screen);
		await choose(screen, 'Other URL (a full API base URL)');
		await waitForText(screen, 'Other URL (a full API base URL):');
		await press(screen, ...'ftp://api.example.com'.split(''));
		await waitForText(screen, 'Use ovh-eu, ovh-ca, ovh-us, or a full https:// API base URL');
		await press(screen, ...Array.from({length: 21}, () => keys.backspace), ...ovh.endpoint.split(''), keys.enter);
		await waitForText(screen, 'OVHcloud application key (optional)');
		await press(screen, ...'ak-ui'.split(''), keys.enter);
		await waitForText(screen, 'OVHcloud application secret');
		expectHelpShown(controller, screen);
		await press(screen, keys.enter);
		await waitForText(screen, 'OVHcloud application secret is required.');
		await press(screen, ...'as-ui'.split(''), keys.enter);
		await waitForText(screen, 'OVHcloud consumer key');
		expectHelpShown(controller, screen);
		await press(screen, ...'ck-ui'.split(''), keys.enter);
		await waitForText(screen, '❯ project-a');
		await choose(screen, 'Type a value instead');
		await waitForText(screen, '› ');
		expect(last(screen)).not.toContain('(optional)');
		await press(screen, keys.enter);
		await waitForText(screen, 'Public Cloud project ID (service name) is required.');
		await press(screen, ...'project-a'.split(''), keys.enter);
		await waitForText(screen, 'team-registry (GRA)');
		await choose(screen, 'Type a value instead');
		await press(screen, ...'not-a-uuid'.split(''), keys.enter);
		await waitForText(screen, 'A registry ID is a UUID');
		// A typed ID that is on the list brings the registry's URL, as picking it does.
		await press(screen, ...Array.from({length: 10}, () => keys.backspace), ...registryId.split(''), keys.enter);
		await waitForText(screen, `› ${registryUrl}`);
		expect(controller.state.view!.session.answers).toMatchObject({ovh_endpoint: ovh.endpoint, ovh_service_name: 'project-a', ovh_registry_id: registryId, app_url: registryUrl});
	});
});
