/**
 * How to run sso-setup again, as the person ran it: `npm start -- …` in a checkout (npm start sets
 * npm_lifecycle_event and the checkout's package name), `npx sso-setup …` from the package.
 * Every hint that names a command is built here, so each one runs as printed.
 */
export function commandLine(args = '', env: NodeJS.ProcessEnv = process.env): string {
	const fromCheckout = env['npm_lifecycle_event'] === 'start' && env['npm_package_name'] === 'sso-setup';
	if (fromCheckout) {
		return args === '' ? 'npm start' : `npm start -- ${args}`;
	}

	return args === '' ? 'npx sso-setup' : `npx sso-setup ${args}`;
}
