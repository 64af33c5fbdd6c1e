/**
 * The server's half of a call's deadline (HaConnection option `serverDeadline`,
 * docs/ha-connection.md "Deadlines on the server").
 *
 * A deadline kept by the client alone cannot stop the server: when it passes
 * the client drops the session, but PostgreSQL notices a vanished client only
 * when it next reads or writes the socket, so a statement still running (a
 * write waiting for a lock, a slow `INSERT ... SELECT`) goes on and commits
 * after the caller was told it failed. With `serverDeadline` on, every
 * statement runs under a `statement_timeout` a little shorter than what is
 * left of its deadline, so the server cancels it in time itself, even when the
 * client is gone: a cancelled statement fails with SQLSTATE 57014
 * (query_canceled) and its transaction is rolled back, so it never commits
 * later.
 *
 * Sources (PostgreSQL documentation):
 * - Server Configuration › Client Connection Defaults › Statement Behavior,
 *   `statement_timeout`: aborts any statement that takes longer, measured
 *   from the time the command arrives at the server until it is completed
 *   (a multi-statement simple Query: each statement separately, since 13).
 * - SQL Commands › SET: a session-level `SET` stays in force until changed
 *   (and is undone when issued in a transaction that aborts); `SET LOCAL`
 *   lasts until the end of the current transaction.
 * - Appendix A "PostgreSQL Error Codes": 57014 query_canceled.
 * - COMMIT under synchronous replication: a cancel that arrives while COMMIT
 *   waits for the standby does not undo it (High Availability › Synchronous
 *   Replication; the server says "The transaction has already committed
 *   locally"), and COMMIT then answers success: the outcome reported is the
 *   true one either way.
 *
 * The setting is changed only when the value in force is outside
 * {@link timeoutInForceFits}'s band, so consecutive calls with the same
 * deadline cost no extra round trip.
 */

/** Smallest margin left between the server's timeout and the client's deadline, ms. */
export const MIN_MARGIN_MS = 50;
/** Largest margin, ms. */
export const MAX_MARGIN_MS = 500;
/** Below this, no statement is worth sending: the deadline has in effect passed, ms. */
export const MIN_TIMEOUT_MS = 10;

/**
 * Time kept between the server's cancel and the client's deadline for the
 * cancel's answer to arrive: a tenth of what is left, from
 * {@link MIN_MARGIN_MS} to {@link MAX_MARGIN_MS}, ms.
 */
export function marginFor(remainingMs: number): number {
  return Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, Math.floor(remainingMs / 10)));
}

/**
 * The `statement_timeout` (ms, an integer) for a statement with
 * `remainingMs` left of its deadline: the remainder less {@link marginFor}.
 * Undefined when that is under {@link MIN_TIMEOUT_MS} (send nothing).
 */
export function statementTimeoutFor(remainingMs: number): number | undefined {
  const t = Math.floor(remainingMs - marginFor(remainingMs));
  return t >= MIN_TIMEOUT_MS ? t : undefined;
}

/**
 * True when the `statement_timeout` in force (`currentMs`, ms; undefined when
 * unknown, 0 when off) is fit for a statement with `remainingMs` left: on, at
 * most the remainder less half the margin (the cancel's answer still arrives
 * in time), and at least the remainder less twice the margin (the statement
 * is not cut much shorter than its deadline).
 */
export function timeoutInForceFits(currentMs: number | undefined, remainingMs: number): boolean {
  if (currentMs === undefined || currentMs <= 0) return false;
  const margin = marginFor(remainingMs);
  return currentMs <= remainingMs - margin / 2 && currentMs >= remainingMs - 2 * margin;
}
