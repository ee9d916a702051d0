import {afterEach, describe, expect, it} from 'vitest';
import {fieldOptions} from '../../source/commands/wizard.js';
import {keys, press, waitForText} from '../helpers/ink.js';
import {renderWizard, startNewSetup} from '../helpers/wizard-app.js';
import {type FakeOvh, startFakeOvh} from '../servers/ovh.js';
const registryId = '5e1a4f9c-2b7d-4c3e-9a61-0d8f2b6c7e14';

/** The OVH project and registry are picked from the API's lists; the registry's URL comes with it. */
describe('OVH pickers in the wizard', () => {
	let ovh: FakeOvh;

	afterEach(async () => {
		await ovh.close();
	});

	it('lists the projects and registries and fills in the registry URL', async () => {
		ovh = await startFakeOvh({
			applicationKey: 'ak-ui',
			applicationSecret: 'as-ui',
			consumerKey: 'ck-ui',
			projects: {'project-a': [{id: registryId, name: 'team-registry', region: 'GRA', url: 'https://abc123.c1.gra9.container-registry.ovh.net', status: 'READY'}, {id: '0b9c2e4d-7f1a-4a2b-8c3d-5e6f7a8b9c0d', name: 'other', region: 'BHS', status: 'READY'}]},
		});
		const {controller, screen} = renderWizard({fieldOptions});
		void controller.start();
		await startNewSetup(screen, {app: 2});
		// The endpoint is a choice; the fake API is an "other URL".
		await waitForText(screen, '❯ ovh-eu: Europe');
		await press(screen, keys.down, keys.down, keys.down, keys.enter);
		await waitForText(screen, 'Other URL (a full API base URL):');
		await press(screen, ...ovh.endpoint.split(''), keys.enter);
		await waitForText(screen, 'OVHcloud application key');
		await press(screen, ...'ak-ui'.split(''), keys.enter);
		await waitForText(screen, 'OVHcloud application secret');
		await press(screen, ...'as-ui'.split(''), keys.enter);
		await waitForText(screen, 'OVHcloud consumer key');
		await press(screen, ...'ck-ui'.split(''), keys.enter);
		await waitForText(screen, '❯ project-a');
		await press(screen, keys.enter);
		await waitForText(screen, 'team-registry (GRA) https://abc123.c1.gra9.container-registry.ovh.net');
		await press(screen, keys.enter);
		await waitForText(screen, '› https://abc123.c1.gra9.container-registry.ovh.net');
		const answers = controller.state.view!.session.answers;
		expect(answers['ovh_service_name']).toBe('project-a');
		expect(answers['ovh_registry_id']).toBe(registryId);
		expect(answers['ovh_endpoint']).toBe(ovh.endpoint);
		expect(answers['app_url']).toBe('https://abc123.c1.gra9.container-registry.ovh.net');
	});
});
