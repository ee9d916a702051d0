import {afterEach, describe, expect, it} from 'vitest';
import {enrichAnswers} from '../../source/commands/wizard.js';
import {keys, press, waitForText} from '../helpers/ink.js';
import {renderWizard} from '../helpers/wizard-app.js';
import {type RunningOp, startOidcOp} from '../servers/oidc-op.js';

/** A generic provider has no derived endpoints: the wizard reads them from its discovery document. */
describe('generic OpenID provider in the wizard', () => {
	let op: RunningOp;

	afterEach(async () => {
		await op.close();
	});

	it('fills Portainer\'s endpoint URLs from discovery', async () => {
		op = await startOidcOp({clients: [{client_id: 'portainer', client_secret: 'Op-Secret-123', redirect_uris: ['https://portainer.example.com/']}]});
		const {controller, screen} = renderWizard({enrichAnswers});
		void controller.start();
		await waitForText(screen, 'Start a new setup');
		await press(screen, keys.enter);
		await waitForText(screen, 'Which identity provider?');
		await press(screen, keys.down, keys.down, keys.down);
		await waitForText(screen, '❯ Other OpenID provider');
		await press(screen, keys.enter);
		await waitForText(screen, 'Which app?');
		await press(screen, keys.down);
		await waitForText(screen, '❯ Portainer');
		await press(screen, keys.enter);
		await waitForText(screen, 'Portainer URL');
		await press(screen, ...'https://portainer.example.com'.split(''), keys.enter);
		await waitForText(screen, 'Issuer URL');
		await press(screen, ...op.issuer.split(''), keys.enter);
		await waitForText(screen, 'Client ID');
		await press(screen, ...'portainer'.split(''), keys.enter);
		await waitForText(screen, 'Client secret');
		await press(screen, ...'Op-Secret-123'.split(''), keys.enter);
		for (const label of ['Scopes', 'User identifier claim', 'Create users automatically', 'Portainer admin user', 'Portainer admin password', 'Portainer API key']) {
			await waitForText(screen, label);
			await press(screen, keys.enter);
		}

		await waitForText(screen, 'Before you go on');
		const answers = controller.state.view!.session.answers;
		expect(answers['authorize_url']).toBe(`${op.origin}/auth`);
		expect(answers['token_url']).toBe(`${op.origin}/token`);
	});
});
