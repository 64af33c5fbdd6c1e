/**
 * The kinds of error Pharos throws on purpose. Every such error carries a
 * catalogue code (catalog.ts: `PHAROS_<AREA>_<WHAT>`), and from it its HTTP
 * status and CLI exit code; its message names the input it is about and
 * what is wrong with it, so an operator can act without reading code.
 *
 * - {@link InputError}: bad input from a user (a flag, a file, a field).
 * - {@link ConfigError}: a configuration that cannot work (a missing file, a bad key).
 * - {@link ConnectError}: no server could be reached, or none matched.
 * - {@link PharosError} itself: the system is not in a state to do it (a
 *   standby where a primary is needed, a schema too new), or a bug.
 *
 * Make one with `pharosError(code, params)` (create.ts), which picks the
 * kind of the code's catalogue entry and fills its message template.
 */
import type { ErrorCode } from './catalog.js';
import { ERRORS } from './catalog.js';

/** Options of every kind. */
export interface PharosErrorOptions {
  /** The error this one explains. */
  cause?: unknown;
  /** The input field at fault (e.g. `url`, `thresholds`), so a form can show the message next to it. */
  field?: string;
}

/** Base of every error Pharos throws on purpose. */
export class PharosError extends Error {
  /** Stable identity, `PHAROS_<AREA>_<WHAT>` (docs/errors.md). */
  readonly code: ErrorCode;
  /** Process exit code a CLI command uses when this error ends it (docs/exit-codes.md). */
  readonly exitCode: number;
  /** HTTP status the web API answers this error with. */
  readonly statusCode: number;
  /** The input field at fault, when there is one (the web API answers `{code, error, field}`). */
  readonly field: string | undefined;
  /** `message` is the code's template already filled: use `pharosError(code, params)` rather than `new`. */
  constructor(code: ErrorCode, message: string, options?: PharosErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = ERRORS[code].exit;
    this.statusCode = ERRORS[code].status;
    this.field = options?.field;
  }
}

/** Invalid user input: names the input (flag, file, field) and the problem. Exit code 2, HTTP 400. */
export class InputError extends PharosError {}

/** A configuration that cannot work as given (a missing file, an unknown key). Exit code 1. */
export class ConfigError extends PharosError {}

/** No connection could be made, or no host had the wanted session attributes. */
export class ConnectError extends PharosError {}

/** Returns the message of any thrown value, for logs and CLI output. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The SQLSTATE of a PostgreSQL error (pg's DatabaseError `code`, five characters), or undefined. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
