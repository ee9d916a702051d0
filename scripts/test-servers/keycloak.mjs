// Keycloak from Maven Central (the Quarkus distribution zip), unzipped into the cache.
import {existsSync, readdirSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';

export const id = 'keycloak';
export const version = '26.7.3';
export const tools = ['java', 'mvn', 'unzip'];

/** bin/kc.sh inside the installed folder. */
export function executable(dir) {
	return path.join(dir, 'keycloak', 'bin', 'kc.sh');
}

export async function install({cacheDir, step, run}) {
	const download = path.join(cacheDir, 'download');
	await step('download org.keycloak:keycloak-quarkus-dist from Maven Central', () =>
		run('mvn', ['-B', '-ntp', '-q', 'org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy', `-Dartifact=org.keycloak:keycloak-quarkus-dist:${version}:zip`, `-DoutputDirectory=${download}`], {
			cwd: cacheDir,
			what: `Maven Central refused or failed to deliver keycloak-quarkus-dist ${version}`,
		}),
	);
	const zip = path.join(download, `keycloak-quarkus-dist-${version}.zip`);
	if (!existsSync(zip)) throw new Error(`Maven reported success but ${zip} is missing`);
	await step('unzip', () => run('unzip', ['-q', zip, '-d', cacheDir], {what: `unzipping ${zip}`}));
	const top = readdirSync(cacheDir).find((name) => name.startsWith('keycloak-'));
	if (!top) throw new Error('the Keycloak zip holds no keycloak-* folder');
	renameSync(path.join(cacheDir, top), path.join(cacheDir, 'keycloak'));
	rmSync(download, {recursive: true, force: true});
	// The first start builds Quarkus' augmented app; doing it here keeps test start-up shorter.
	await step('kc.sh build (Quarkus augmentation)', () => run(executable(cacheDir), ['build', '--db=dev-mem'], {env: javaEnv(), what: 'kc.sh build'}));
	return {executable: executable(cacheDir)};
}

const temurin = '/usr/lib/jvm/temurin-25-jdk-amd64';
/** What it needs to run once installed: a Java (Temurin 25 at its usual place, or java on PATH). */
export const runtimeTools = existsSync(path.join(temurin, 'bin', 'java')) ? [] : ['java'];
/** Keycloak supports Java 25 from 26.6 on; prefer it when present, else the java on PATH (17, deprecated). */
export function javaEnv() {
	return existsSync(path.join(temurin, 'bin', 'java')) ? {JAVA_HOME: temurin, PATH: `${temurin}/bin:${process.env.PATH ?? ''}`} : {};
}
