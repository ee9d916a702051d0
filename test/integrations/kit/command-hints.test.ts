import {describe, expect, it} from 'vitest';
import {UsageError} from '../../../source/core/errors.js';
import {requireValue} from '../../../source/integrations/kit/values.js';

/** Issue 11, item 7: a hint that names a command names it as it runs (npx sso-setup …). */
describe('command hints of the integrations', () => {
	it('a missing value points at the apply command as it runs', () => {
		const previous = process.env['npm_lifecycle_event'];
		delete process.env['npm_lifecycle_event'];
		try {
			requireValue({}, 'app_url', 'harbor');
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(UsageError);
			expect((error as UsageError).hint).toBe('Answer it in the wizard, or pass --set app_url=… to npx sso-setup apply.');
		} finally {
			if (previous !== undefined) process.env['npm_lifecycle_event'] = previous;
		}
	});
});
