import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

/**
 * Test certificates made with the openssl command line (installed by .ci/run): a private CA and a
 * server certificate for 127.0.0.1 and localhost signed by it, plus a self-signed one and an
 * expired one. Made once per test process and cached.
 */
export type TestPki = {
	directory: string;
	/** PEM of the test CA; also written to caFile. */
	ca: string;
	caFile: string;
	/** Signed by the test CA, valid for 127.0.0.1 and localhost. */
	server: {key: string; cert: string};
	/** Self-signed, valid for 127.0.0.1 and localhost. */
	selfSigned: {key: string; cert: string; certFile: string};
	/** Signed by the test CA for another host name (wrong-host.example). */
	wrongHost: {key: string; cert: string};
};

let cached: TestPki | undefined;

export function testPki(): TestPki {
	if (cached) {
		return cached;
	}

	const directory = mkdtempSync(path.join(tmpdir(), 'sso-setup-pki-'));
	const file = (name: string) => path.join(directory, name);
	const openssl = (...args: string[]) => execFileSync('openssl', args, {stdio: ['ignore', 'ignore', 'pipe']});
	const extensions = (names: string) => {
		const name = file(`ext-${names.replaceAll(/[^a-z]/g, '')}.cnf`);
		writeFileSync(name, `subjectAltName=${names}\nbasicConstraints=CA:FALSE\n`);
		return name;
	};

	openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '30', '-subj', '/CN=sso-setup test CA');
	const issue = (name: string, subjectAltNames: string) => {
		openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
		openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${name}.pem`), '-days', '30', '-extfile', extensions(subjectAltNames));
		return {key: readFileSync(file(`${name}.key`), 'utf8'), cert: readFileSync(file(`${name}.pem`), 'utf8')};
	};

	const server = issue('server', 'IP:127.0.0.1,DNS:localhost');
	const wrongHost = issue('wrong-host', 'DNS:wrong-host.example');
	openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('self.key'), '-out', file('self.pem'), '-days', '30', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
	cached = {
		directory,
		ca: readFileSync(file('ca.pem'), 'utf8'),
		caFile: file('ca.pem'),
		server,
		selfSigned: {key: readFileSync(file('self.key'), 'utf8'), cert: readFileSync(file('self.pem'), 'utf8'), certFile: file('self.pem')},
		wrongHost,
	};
	return cached;
}
