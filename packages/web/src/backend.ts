/**
 * The web instance's access to the backend through its service connection
 * (an HaConnection on the multi-host string, as a member of pem_web, with
 * `serverDeadline` on), and the policy of every request:
 *
 * - a statement that fails with a failover-class error (the primary went
 *   away, no primary reachable yet, a server that did not answer at all) is
 *   retried once after a short pause when it is a read; if it fails again the
 *   request answers 503 PHAROS_BACKEND_FAILING_OVER with Retry-After.
 * - a statement that runs past its deadline on a backend that answers is
 *   cancelled by the backend itself (its `statement_timeout`: HaConnection
 *   `serverDeadline`, core ha/server-deadline.ts), so it changed nothing and
 *   never commits later; the request answers 504 PHAROS_BACKEND_TIMEOUT, not
 *   "failing over" (nothing is wrong with Patroni), and is not retried (the
 *   backend is slow: a retry would add load).
 *
 * Never a crash, never a logout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError, errorMessage } from '@pharos/core/errors';
import { isFailoverError, StatementTimeoutError } from '@pharos/core/ha/errors';

/** The logging the request path needs: a pino logger and fastify's request logger both fit. */
export interface LogSink {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The backend could not answer even after one retry: the request answers 503 PHAROS_BACKEND_FAILING_OVER. */
export class BackendFailingOverError extends ConnectError {
  constructor(options?: { cause?: unknown }) {
    super('PHAROS_BACKEND_FAILING_OVER', errorMessage('PHAROS_BACKEND_FAILING_OVER'), options);
  }
}

/**
 * A statement of the request ran past its deadline on a backend that
 * answered, and the backend cancelled it ({@link StatementTimeoutError}): the
 * request answers 504 PHAROS_BACKEND_TIMEOUT. `cause` is that error.
 */
export class BackendTimeoutError extends ConnectError {
  constructor(cause: StatementTimeoutError) {
    const detail =
      cause.timeoutMs > 0
        ? `a statement was cancelled after ${(cause.timeoutMs / 1000).toFixed(1)} s`
        : 'the deadline passed before a statement was sent';
    super('PHAROS_BACKEND_TIMEOUT', errorMessage('PHAROS_BACKEND_TIMEOUT', { detail }), { cause });
  }
}

/** True for a statement cancelled at its deadline by a backend that answered (504, not a failover). */
export function isBackendTimeout(err: unknown): err is StatementTimeoutError {
  return err instanceof StatementTimeoutError;
}

/**
 * The error a request answers for `err` from the backend: BackendTimeoutError
 * for a statement timeout, BackendFailingOverError for a failover-class
 * error, `err` itself otherwise.
 */
export function requestErrorOf(err: unknown): unknown {
  if (isBackendTimeout(err)) return new BackendTimeoutError(err);
  if (isBackendUnavailable(err)) return new BackendFailingOverError({ cause: err });
  return err;
}

/** Deadline of one backend statement made for a web request, in milliseconds. */
export const STATEMENT_DEADLINE_MS = 4000;

/** Pause before the one retry after a failover-class error, in milliseconds. */
export const RETRY_PAUSE_MS = 750;

/**
 * True for errors that mean "the backend is between primaries or unreachable":
 * the HaConnection's failover class (25006, 57P01-57P03, class 08, resets,
 * deadlines, and no host matching target_session_attrs yet). A host that
 * refuses the service user (authentication, HBA, TLS verification) is not in
 * it: that is a configuration error, answered 500 and logged.
 */
export function isBackendUnavailable(err: unknown): boolean {
  return isFailoverError(err);
}

/**
 * Runs `fn` (one idempotent backend operation: a read, or a write safe to
 * repeat) and retries it once after {@link RETRY_PAUSE_MS} when it fails with
 * a failover-class error. Throws {@link BackendFailingOverError} when the retry
 * fails the same way, {@link BackendTimeoutError} (no retry) when a statement
 * ran past its deadline; any other error is rethrown as is.
 */
export async function withFailoverRetry<T>(
  fn: () => Promise<T>,
  options: { logger?: LogSink | undefined; what: string; pauseMs?: number },
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isBackendTimeout(err)) {
      options.logger?.warn({ what: options.what, err: String(err) }, 'backend statement timed out');
      throw new BackendTimeoutError(err);
    }
    if (!isBackendUnavailable(err)) throw err;
    options.logger?.warn({ what: options.what, err: String(err) }, 'backend unavailable, retrying once');
  }
  await sleep(options.pauseMs ?? RETRY_PAUSE_MS);
  try {
    return await fn();
  } catch (err) {
    if (isBackendTimeout(err)) throw new BackendTimeoutError(err);
    if (!isBackendUnavailable(err)) throw err;
    options.logger?.warn({ what: options.what, err: String(err) }, 'backend still unavailable');
    throw new BackendFailingOverError({ cause: err });
  }
}

/**
 * Runs `fn` (one operation that must not be repeated: a change) once; a
 * failover-class error becomes {@link BackendFailingOverError} (503: the
 * client may retry; the operation either committed or not, as for any
 * request cut off by a failover), a statement timeout
 * {@link BackendTimeoutError} (504: the backend cancelled the statement, so
 * it changed nothing).
 */
export async function withoutRetry<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw requestErrorOf(err);
  }
}
