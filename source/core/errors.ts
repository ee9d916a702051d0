/** The exit codes of the product contract (README, "Exit codes"). */
export const ExitCode = {
	ok: 0,
	failed: 1,
	usage: 2,
	blocked: 3,
	interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

type ErrorOptions = {
	/** What the user can do about it: printed under the message. */
	hint?: string;
	cause?: unknown;
	exitCode?: ExitCodeValue;
};

/** An expected failure: printed as a sentence (never a stack trace) and mapped to an exit code. */
export class SsoSetupError extends Error {
	readonly hint: string | undefined;
	readonly exitCode: ExitCodeValue;

	constructor(message: string, options: ErrorOptions = {}) {
		super(message, {cause: options.cause});
		this.name = 'SsoSetupError';
		this.hint = options.hint;
		this.exitCode = options.exitCode ?? ExitCode.failed;
	}
}

/** Bad command line, bad --set value, bad flow or session file: exit 2. */
export class UsageError extends SsoSetupError {
	constructor(message: string, options: Omit<ErrorOptions, 'exitCode'> = {}) {
		super(message, {...options, exitCode: ExitCode.usage});
		this.name = 'UsageError';
	}
}

/** A precondition stops the run before anything is written (e.g. Harbor local users): exit 3. */
export class BlockedError extends SsoSetupError {
	constructor(message: string, options: Omit<ErrorOptions, 'exitCode'> = {}) {
		super(message, {...options, exitCode: ExitCode.blocked});
		this.name = 'BlockedError';
	}
}

/** A remote call failed: names the host and the step, says what to check. */
export class RemoteError extends SsoSetupError {
	readonly host: string;
	readonly step: string;
	readonly status: number | undefined;
	/** A short machine-readable reason: refused, dns, timeout, tls-self-signed, http-401, … */
	readonly reason: string;

	constructor(
		details: {host: string; step: string; reason: string; status?: number; message: string; hint?: string},
		cause?: unknown,
	) {
		super(`${details.step}: ${details.message} (${details.host})`, {hint: details.hint, cause});
		this.name = 'RemoteError';
		this.host = details.host;
		this.step = details.step;
		this.reason = details.reason;
		this.status = details.status;
	}
}

/** Formats any thrown value for a person: message, then the hint. No stack traces. */
export function describeError(error: unknown): {message: string; hint?: string; exitCode: ExitCodeValue} {
	if (error instanceof SsoSetupError) {
		return {message: error.message, hint: error.hint, exitCode: error.exitCode};
	}

	const message = error instanceof Error ? error.message : String(error);
	return {
		message: `Unexpected error: ${message}`,
		hint: 'This is a bug in sso-setup. Your session was saved; please report this message.',
		exitCode: ExitCode.failed,
	};
}
