import {SsoSetupError} from '../core/errors.js';

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux) through
 * @napi-rs/keyring. Linux is pinned to the Secret Service: the library's default silently falls back
 * to kernel keyutils, which forgets everything at reboot. Service "sso-setup", account "<session>/<key>".
 */
export const keychainService = 'sso-setup';

export type SecretStore = {
	readonly kind: 'keychain' | 'memory';
	get(account: string): Promise<string | undefined>;
	set(account: string, value: string): Promise<void>;
	delete(account: string): Promise<void>;
	/** Accounts stored under this service that start with the prefix. */
	accounts(prefix: string): Promise<string[]>;
};

export type KeychainProbe = {ok: true; store: SecretStore} | {ok: false; reason: string};

type KeyringModule = typeof import('@napi-rs/keyring');

const probeTimeoutMs = 5000;
const entryOptions = process.platform === 'linux' ? {linux: {store: 'secret-service' as const}} : undefined;

/** Opens the keychain and proves it works with a write, a read and a delete. */
export async function openKeychain(): Promise<KeychainProbe> {
	let keyring: KeyringModule;
	try {
		keyring = await import('@napi-rs/keyring');
	} catch (error) {
		return {ok: false, reason: `the keychain module cannot be loaded on this platform (${firstLine(error)})`};
	}

	const store = keychainStore(keyring);
	const account = `probe/${process.pid}`;
	try {
		await withTimeout(
			(async () => {
				await store.set(account, 'probe');
				const back = await store.get(account);
				await store.delete(account);
				if (back !== 'probe') {
					throw new Error('a value written could not be read back');
				}
			})(),
			probeTimeoutMs,
		);
		return {ok: true, store};
	} catch (error) {
		return {ok: false, reason: error instanceof KeychainError ? error.reason : explainKeychainError(error)};
	}
}

/** The keychain behind @napi-rs/keyring (exported for tests, which pass a failing one). */
export function keychainStore(keyring: Pick<KeyringModule, 'AsyncEntry' | 'findCredentialsAsync'>, platform: NodeJS.Platform = process.platform): SecretStore {
	const entry = (account: string) => new keyring.AsyncEntry(keychainService, account, entryOptions);
	// A keychain that worked at the start can stop answering later (the daemon killed, D-Bus gone).
	const guarded = async <T>(doing: string, account: string, operation: () => Promise<T>): Promise<T> => {
		try {
			return await operation();
		} catch (error) {
			throw new KeychainError(keychainName(platform), `${doing} ${account}`, explainKeychainError(error), platform);
		}
	};

	return {
		kind: 'keychain',
		async get(account) {
			return guarded('reading', account, async () => (await entry(account).getPassword()) ?? undefined);
		},
		async set(account, value) {
			await guarded('saving', account, async () => entry(account).setPassword(value));
		},
		async delete(account) {
			await guarded('deleting', account, async () => entry(account).deleteCredential());
		},
		async accounts(prefix) {
			// The search reads every item of the service; an item another process deletes meanwhile
			// makes it fail, so it is tried again.
			return guarded('listing', `the entries of ${prefix.replace(/\/$/, '')}`, async () => {
				for (let attempt = 1; ; attempt++) {
					try {
						const found = await keyring.findCredentialsAsync(keychainService);
						return found.map((credential) => credential.account).filter((account) => account.startsWith(prefix));
					} catch (error) {
						if (attempt >= 3) {
							throw error;
						}
					}
				}
			});
		},
	};
}

/** The keychain failed after it had worked: named, with what to do (never "a bug in sso-setup"). */
export class KeychainError extends SsoSetupError {
	constructor(
		keychain: string,
		doing: string,
		readonly reason: string,
		platform: NodeJS.Platform,
	) {
		super(`${keychain} stopped answering while ${doing} (${reason}).`, {
			hint: `${platform === 'linux' ? 'Check that the Secret Service runs and is unlocked (e.g. gnome-keyring-daemon in this D-Bus session), ' : `Check that ${keychain} is unlocked, `}then run the same command again.`,
		});
		this.name = 'KeychainError';
	}
}

function keychainName(platform: NodeJS.Platform): string {
	if (platform === 'darwin') return 'The macOS Keychain';
	if (platform === 'win32') return 'The Windows Credential Manager';
	return 'The OS keychain (Secret Service)';
}

/**
 * The store a probe opens, usable before the probe has answered: each operation waits for it, then
 * goes to the keychain when it works, else to this run's memory. A command can so start its work
 * (and its requests, whose secrets come from the environment) while the keychain is still asked.
 * Given a function, the probe starts on the first operation: a run that never needs the store
 * never touches the keychain.
 */
export function storeOnceOpened(probe: Promise<KeychainProbe> | (() => Promise<KeychainProbe>)): SecretStore {
	let opened: SecretStore | undefined;
	let ready: Promise<SecretStore> | undefined;
	const store = async () => (ready ??= (typeof probe === 'function' ? probe() : probe).then((keychain) => (opened = keychain.ok ? keychain.store : memoryStore())));
	if (typeof probe !== 'function') void store();
	return {
		// Nothing can be stored before the probe has answered, so until then it holds what memory would: nothing.
		get kind() {
			return opened?.kind ?? 'memory';
		},
		async get(account) {
			return (await store()).get(account);
		},
		async set(account, value) {
			await (await store()).set(account, value);
		},
		async delete(account) {
			await (await store()).delete(account);
		},
		async accounts(prefix) {
			return (await store()).accounts(prefix);
		},
	};
}

/** Secrets kept for this run only, when the person chose that over having no keychain. */
export function memoryStore(): SecretStore {
	const values = new Map<string, string>();
	return {
		kind: 'memory',
		async get(account) {
			return values.get(account);
		},
		async set(account, value) {
			values.set(account, value);
		},
		async delete(account) {
			values.delete(account);
		},
		async accounts(prefix) {
			return [...values.keys()].filter((account) => account.startsWith(prefix));
		},
	};
}

function explainKeychainError(error: unknown): string {
	const text = firstLine(error);
	if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect/i.test(text)) {
		return 'no D-Bus session is running (typical on a headless server or over SSH), so the Secret Service cannot be reached';
	}

	if (/org\.freedesktop\.secrets/i.test(text)) {
		return 'no Secret Service (gnome-keyring, KeePassXC, …) is installed or running';
	}

	if (/unlock prompt|prompt was dismissed/i.test(text)) {
		return 'its keyring is locked and the unlock prompt cannot be shown; the keychain daemon may have been restarted';
	}

	if (/locked|no result found/i.test(text)) {
		return 'the keyring is locked; unlock it (e.g. sign in to the desktop) and try again';
	}

	if (/timed out|timeout was reached|did not receive a reply/i.test(text)) {
		return 'the keychain did not answer (it may be waiting for an unlock prompt that cannot be shown)';
	}

	return `the keychain refused the request (${text})`;
}

function firstLine(error: unknown): string {
	return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error('timed out')), ms);
		// A probe started early must not keep a finished command alive.
		timer.unref();
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}
