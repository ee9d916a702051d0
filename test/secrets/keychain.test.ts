/**
 * The real keychain tests need a Secret Service. On Linux, run them inside a private D-Bus session
 * with an unlocked gnome-keyring whose files live in temporary directories:
 *
 *   export XDG_DATA_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"
 *   dbus-run-session -- sh -c 'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run test/secrets'
 *
 * Without one they are skipped with a notice, or fail when SSO_SETUP_REQUIRE_KEYCHAIN=1 (CI).
 */
import {randomBytes} from 'node:crypto';
import {afterEach, describe, expect, it} from 'vitest';
import {type KeychainProbe, keychainService, memoryStore, type SecretStore, storeOnceOpened} from '../../source/secrets/keychain.js';
import {redact} from '../../source/secrets/redact.js';
import {secretEnvironmentName, SessionSecrets} from '../../source/secrets/secrets.js';
import {describeWithKeychain} from '../helpers/keychain.js';

const runId = randomBytes(3).toString('hex');
/** Session ids unique to this run, so a shared keychain never mixes runs. */
const sessionId = (name: string) => `test-${runId}-${name}`;

await describeWithKeychain('the OS keychain (Secret Service)', (keychain) => {
	const used: string[] = [];
	const track = (id: string) => {
		used.push(id);
		return id;
	};

	afterEach(async () => {
		for (const id of used.splice(0)) {
			for (const account of await keychain().accounts(`${id}/`)) {
				await keychain().delete(account);
			}
		}
	});

	it('sets, reads back, overwrites and deletes a value', async () => {
		const store = keychain();
		expect(store.kind).toBe('keychain');
		const account = `${track(sessionId('crud'))}/client_secret`;
		expect(await store.get(account)).toBeUndefined();
		await store.set(account, 'first-värde ✓');
		expect(await store.get(account)).toBe('first-värde ✓');
		await store.set(account, 'second');
		expect(await store.get(account)).toBe('second');
		await store.delete(account);
		expect(await store.get(account)).toBeUndefined();
		await expect(store.delete(account)).resolves.toBeUndefined();
	});

	it('stores under the service "sso-setup" with the account "<session id>/<field key>"', async () => {
		const id = track(sessionId('layout'));
		await new SessionSecrets(keychain(), id, {}).set('harbor_admin_password', 'Harbor12345');
		const {Entry} = await import('@napi-rs/keyring');
		const entry = new Entry(keychainService, `${id}/harbor_admin_password`, {linux: {store: 'secret-service'}});
		expect(keychainService).toBe('sso-setup');
		expect(entry.getPassword()).toBe('Harbor12345');
	});

	it('lists the accounts that start with a prefix', async () => {
		const store = keychain();
		const first = track(sessionId('list'));
		const second = track(sessionId('list2'));
		await store.set(`${first}/client_secret`, 'a-secret');
		await store.set(`${first}/authentik_token`, 'b-secret');
		await store.set(`${second}/client_secret`, 'c-secret');
		expect((await store.accounts(`${first}/`)).sort()).toEqual([`${first}/authentik_token`, `${first}/client_secret`]);
		expect(await store.accounts(`${second}/`)).toEqual([`${second}/client_secret`]);
		expect(await store.accounts(`test-${runId}-nothing/`)).toEqual([]);
	});

	it('SessionSecrets: the environment wins over the keychain', async () => {
		const id = track(sessionId('env'));
		const secrets = new SessionSecrets(keychain(), id, {SSO_SETUP_CLIENT_SECRET: 'from-environment'});
		await secrets.set('client_secret', 'from-keychain');
		expect(await secrets.get('client_secret')).toBe('from-environment');
		expect(await new SessionSecrets(keychain(), id, {}).get('client_secret')).toBe('from-keychain');
		expect(await keychain().get(`${id}/client_secret`)).toBe('from-keychain');
	});

	it('SessionSecrets.deleteAll removes every entry of the session and no other session’s', async () => {
		const id = track(sessionId('forget'));
		// A session whose id starts with the other one's: the "/" keeps them apart.
		const longer = track(`${id}-x`);
		const other = track(sessionId('keep'));
		const secrets = new SessionSecrets(keychain(), id, {});
		await secrets.set('client_secret', 'secret-1');
		await secrets.set('authentik_token', 'secret-2');
		// One a crashed run wrote without recording it in the session file.
		await keychain().set(`${id}/harbor_admin_password`, 'secret-3');
		await new SessionSecrets(keychain(), longer, {}).set('client_secret', 'secret-4');
		await new SessionSecrets(keychain(), other, {}).set('client_secret', 'secret-5');

		expect(await secrets.deleteAll()).toBe(3);
		expect(await keychain().accounts(`${id}/`)).toEqual([]);
		expect(await secrets.get('client_secret')).toBeUndefined();
		expect(await keychain().get(`${longer}/client_secret`)).toBe('secret-4');
		expect(await keychain().get(`${other}/client_secret`)).toBe('secret-5');
		expect(await secrets.deleteAll()).toBe(0);
	});
});

describe('the memory store', () => {
	it('sets, gets, deletes and lists by prefix, for this run only', async () => {
		const store: SecretStore = memoryStore();
		expect(store.kind).toBe('memory');
		await store.set('s-1/client_secret', 'one');
		await store.set('s-1/authentik_token', 'two');
		await store.set('s-10/client_secret', 'three');
		expect(await store.get('s-1/client_secret')).toBe('one');
		expect((await store.accounts('s-1/')).sort()).toEqual(['s-1/authentik_token', 's-1/client_secret']);
		await store.delete('s-1/client_secret');
		expect(await store.get('s-1/client_secret')).toBeUndefined();
		expect(await memoryStore().get('s-1/authentik_token')).toBeUndefined();
	});
});

describe('a store used before the keychain probe has answered', () => {
	it('waits for the probe, then uses the keychain it opened', async () => {
		let answer: (probe: KeychainProbe) => void = () => {};
		const keychain = memoryStore();
		await keychain.set('s/key', 'from the keychain');
		const store = storeOnceOpened(new Promise((resolve) => (answer = resolve)));
		const read = store.get('s/key');
		let settled = false;
		void read.then(() => (settled = true));
		await new Promise((resolve) => setImmediate(resolve));
		expect(settled).toBe(false);
		answer({ok: true, store: keychain});
		expect(await read).toBe('from the keychain');
		expect(store.kind).toBe('memory');
	});

	it('keeps secrets in memory for this run when the keychain cannot be used', async () => {
		const store = storeOnceOpened(Promise.resolve({ok: false, reason: 'no Secret Service'}));
		await store.set('s/a', 'one');
		expect(await store.get('s/a')).toBe('one');
		expect(await store.accounts('s/')).toEqual(['s/a']);
		await store.delete('s/a');
		expect(await store.get('s/a')).toBeUndefined();
	});

	it('lets SessionSecrets read the environment without waiting for the probe', async () => {
		const secrets = new SessionSecrets(storeOnceOpened(new Promise(() => {})), 'session', {[secretEnvironmentName('client_secret')]: 'from the environment'});
		expect(await secrets.get('client_secret')).toBe('from the environment');
	});
});

describe('SessionSecrets (memory store)', () => {
	it('names the environment variable SSO_SETUP_<KEY>', () => {
		expect(secretEnvironmentName('harbor_admin_password')).toBe('SSO_SETUP_HARBOR_ADMIN_PASSWORD');
		expect(secretEnvironmentName('client_secret')).toBe('SSO_SETUP_CLIENT_SECRET');
	});

	it('reads the environment first, ignores an empty variable, and says where a secret comes from', async () => {
		const store = memoryStore();
		await store.set('s-2/client_secret', 'stored');
		await store.set('s-2/authentik_token', 'stored-token');
		const secrets = new SessionSecrets(store, 's-2', {SSO_SETUP_CLIENT_SECRET: 'env-secret', SSO_SETUP_AUTHENTIK_TOKEN: ''});
		expect(await secrets.get('client_secret')).toBe('env-secret');
		expect(await secrets.get('authentik_token')).toBe('stored-token');
		expect(await secrets.get('pocket_id_api_key')).toBeUndefined();
		expect(secrets.inEnvironment('client_secret')).toBe(true);
		expect(secrets.inEnvironment('authentik_token')).toBe(false);
	});

	it('remembers every value it handled, for redaction', async () => {
		const secrets = new SessionSecrets(memoryStore(), 's-3', {SSO_SETUP_CLIENT_SECRET: 'env-secret'});
		await secrets.get('client_secret');
		await secrets.set('harbor_admin_password', 'Harbor12345');
		expect(secrets.known().sort()).toEqual(['Harbor12345', 'env-secret']);
		await secrets.delete('harbor_admin_password');
		expect(await secrets.get('harbor_admin_password')).toBeUndefined();
	});

	it('deleteAll removes only this session', async () => {
		const store = memoryStore();
		await store.set('s-4/client_secret', 'a');
		await store.set('s-4/authentik_token', 'b');
		await store.set('s-40/client_secret', 'c');
		expect(await new SessionSecrets(store, 's-4', {}).deleteAll()).toBe(2);
		expect(await store.accounts('s-4')).toEqual(['s-40/client_secret']);
	});
});

describe('redact', () => {
	it('masks every known secret, the longest first', () => {
		expect(redact('token abcd1234 and abcd1234xyz, again abcd1234', ['abcd1234', 'abcd1234xyz'])).toBe('token •••••• and ••••••, again ••••••');
	});

	it('leaves very short values alone (they would mask ordinary words)', () => {
		expect(redact('the admin is admin', ['the', 'admin'])).toBe('the •••••• is ••••••');
		expect(redact('abc', ['abc'])).toBe('abc');
	});

	it('changes nothing when there is nothing to mask', () => {
		expect(redact('nothing here', [])).toBe('nothing here');
	});
});
