import type {SecretStore} from './keychain.js';
import {rememberSecret} from './redact.js';

/** `SSO_SETUP_<KEY>`: how scripts pass secrets without putting them on the command line. */
export function secretEnvironmentName(key: string): string {
	return `SSO_SETUP_${key.toUpperCase()}`;
}

/**
 * The secrets of one session: read from the environment first (a script's explicit choice), then the
 * store (keychain, or memory for this run). Every value read or written is remembered for redaction.
 */
export class SessionSecrets {
	private readonly seen = new Set<string>();

	constructor(
		readonly store: SecretStore,
		readonly sessionId: string,
		private readonly env: NodeJS.ProcessEnv = process.env,
	) {}

	async get(key: string): Promise<string | undefined> {
		const fromEnvironment = this.env[secretEnvironmentName(key)];
		const value = fromEnvironment !== undefined && fromEnvironment !== '' ? fromEnvironment : await this.store.get(this.account(key));
		if (value) {
			this.seen.add(value);
			rememberSecret(value);
		}

		return value || undefined;
	}

	async set(key: string, value: string): Promise<void> {
		this.seen.add(value);
		rememberSecret(value);
		await this.store.set(this.account(key), value);
	}

	async delete(key: string): Promise<void> {
		await this.store.delete(this.account(key));
	}

	/** Deletes every entry of this session, including ones a crashed run did not record. */
	async deleteAll(): Promise<number> {
		const accounts = await this.store.accounts(`${this.sessionId}/`);
		for (const account of accounts) {
			await this.store.delete(account);
		}

		return accounts.length;
	}

	/** Whether the environment provides this secret (so it need not be asked for). */
	inEnvironment(key: string): boolean {
		const value = this.env[secretEnvironmentName(key)];
		return value !== undefined && value !== '';
	}

	/** Every secret value this run has handled, for redact(). */
	known(): string[] {
		return [...this.seen];
	}

	private account(key: string): string {
		return `${this.sessionId}/${key}`;
	}
}
