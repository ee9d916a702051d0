// Types of install.mjs for the TypeScript tests (test/real-servers/).
export type Installer = {
	id: string;
	version: string;
	tools?: string[];
	/** Tools the installed server needs to run (none when it is a static binary). */
	runtimeTools?: string[];
	install(options: {cacheDir: string; log(line: string): void}): Promise<Record<string, string>>;
	executable?(dir: string): string;
	javaEnv?(): Record<string, string>;
};
export function cacheRoot(env?: NodeJS.ProcessEnv): string;
export function installers(): Promise<Map<string, Installer>>;
export function serverDir(installer: Installer, env?: NodeJS.ProcessEnv): string;
export function isInstalled(installer: Installer, env?: NodeJS.ProcessEnv): boolean;
export function missingTools(tools: string[], env?: NodeJS.ProcessEnv): string[];
export function installOne(installer: Installer, options?: {log?: (line: string) => void; env?: NodeJS.ProcessEnv}): Promise<{dir: string; cached: boolean}>;
