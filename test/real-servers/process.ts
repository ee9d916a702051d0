import {type ChildProcess, spawn} from 'node:child_process';
import {once} from 'node:events';
import {createServer} from 'node:net';

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener closes before the server takes it). */
export async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

export type ServerProcess = {
	child: ChildProcess;
	/** The last lines the server printed (for the error when it does not come up). */
	output(): string;
	/** Ends the whole process group (TERM, then KILL after `grace` ms); resolves once it exited. */
	stop(): Promise<void>;
};

const running = new Set<ServerProcess>();
let exitHookInstalled = false;

/** Starts a server in its own process group, so stop() also ends what it started (kc.sh starts java). */
export function startProcess(command: string, args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string; name: string; grace?: number}): ServerProcess {
	const child = spawn(command, args, {cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']});
	const lines: string[] = [];
	const keep = (chunk: Buffer) => {
		lines.push(...chunk.toString('utf8').split('\n'));
		lines.splice(0, Math.max(0, lines.length - 60));
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<void>((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve();
		child.once('exit', () => resolve());
		child.once('error', () => resolve());
	});
	const kill = (signal: NodeJS.Signals) => {
		try {
			if (child.pid) process.kill(-child.pid, signal);
		} catch {
			// The group is gone already.
		}
	};

	const handle: ServerProcess = {
		child,
		output: () => lines.join('\n').trim(),
		async stop() {
			running.delete(handle);
			kill('SIGTERM');
			const timer = setTimeout(() => kill('SIGKILL'), options.grace ?? 10_000);
			await exited;
			clearTimeout(timer);
			// Whatever the leader left behind in its group.
			kill('SIGKILL');
		},
	};
	running.add(handle);
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		// A crash of the runner must not leave servers behind: kill every group still running.
		process.once('exit', () => {
			for (const server of running) {
				try {
					if (server.child.pid) process.kill(-server.child.pid, 'SIGKILL');
				} catch {}
			}
		});
	}

	return handle;
}

/** Polls `url` until it answers `ok` (any status below 500 unless told), the process exits, or `timeout` ms pass. */
export async function waitForHttp(server: ServerProcess, url: string, name: string, timeout: number, ok: (status: number) => boolean = (status) => status < 500): Promise<void> {
	const deadline = Date.now() + timeout;
	for (;;) {
		if (server.child.exitCode !== null || server.child.signalCode !== null) {
			throw new Error(`${name} exited (${server.child.exitCode ?? server.child.signalCode}) before answering ${url}:\n${server.output()}`);
		}

		try {
			const response = await fetch(url, {signal: AbortSignal.timeout(5000)});
			await response.arrayBuffer();
			if (ok(response.status)) return;
		} catch {
			// Not listening yet.
		}

		if (Date.now() > deadline) {
			await server.stop();
			throw new Error(`${name} did not answer ${url} within ${Math.round(timeout / 1000)} s:\n${server.output()}`);
		}

		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
