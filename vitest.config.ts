import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		// Two cores: pty and server tests are I/O bound, two workers keep timing-sensitive Ink tests calm.
		maxWorkers: 2,
		env: {FORCE_COLOR: '0'},
		// Installs (when needed) and starts the real servers once per run: test/real-servers/.
		globalSetup: ['test/real-servers/global-setup.ts'],
	},
});
