/**
 * Errors Pharos throws on purpose. Every error names the input it is about and
 * what is wrong with it, so an operator can act without reading code.
 *
 * - {@link InputError}: bad input from a user (a flag, a file, a field). CLI exit code 2.
 * - {@link ConfigError}: a configuration that cannot work (missing file, bad key). Exit code 1.
 * - {@link ConnectError}: no server could be reached or none matched. Exit code 2 for
 *   `agent verify`, 1 elsewhere.
 */
export class PharosError extends Error {
  /** Process exit code a CLI command should use when this error ends it. */
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/**
 * Invalid user input: names the input (flag, file, field) and the problem. Exit code 2.
 * `field` optionally names the input field at fault (e.g. `url`, `thresholds`), so a
 * form can show the message next to it (the web API answers `{error, field}`).
 */
export class InputError extends PharosError {
  /** The input field at fault, when there is one. */
  readonly field: string | undefined;
  constructor(message: string, options?: { cause?: unknown; field?: string }) {
    super(message, { ...(options?.cause === undefined ? {} : { cause: options.cause }), exitCode: 2 });
    this.field = options?.field;
  }
}

/**
 * Input naming something that does not exist (a server removed twice, an
 * unknown agent id). Exit code 2; the web API answers 404.
 */
export class NotFoundError extends InputError {}

/**
 * Input that clashes with what exists or with the system's state (a
 * duplicate host:port, a display name in use, a token already used).
 * Exit code 2; the web API answers 409.
 */
export class ConflictError extends InputError {}

/** A configuration that cannot work as given (a missing file, an unknown key). Exit code 1. */
export class ConfigError extends PharosError {}

/** No connection could be made, or no host had the wanted session attributes. */
export class ConnectError extends PharosError {}

/** Returns the message of any thrown value, for logs and CLI output. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
