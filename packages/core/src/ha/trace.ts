/**
 * What an {@link HaConnection} (ha/connection.ts) reports to its `trace`
 * option: each host attempt, each re-check of an open session, each session
 * dropped and each selection, with wall-clock times, so a benchmark or an
 * operator can see where a failover's time went (which host was tried, how
 * long connecting and the target check took, what error came back). Never
 * carries a password. Times are ms since the epoch (`atMs`: when the step
 * began) and durations in ms.
 */

/** One host attempt (ha/host-race.ts `attempt`): connect (TCP, TLS, authentication), then the target check. */
export interface AttemptTrace {
  kind: 'attempt';
  atMs: number;
  /** `host:port`. */
  host: string;
  /** Whole attempt, ms. */
  ms: number;
  /** Until the session was open (TCP, TLS, authentication), ms; absent when it never opened. */
  connectMs?: number;
  /**
   * How the target facts were learnt: from the server's startup report
   * (ParameterStatus, no round trip), by a query, or not needed (`any`);
   * absent when the session never opened.
   */
  target?: 'startup' | 'query' | 'none';
  /** Facts of the target check, when it answered. */
  inRecovery?: boolean;
  readOnly?: boolean;
  /** SQLSTATE or socket code of the failure, when there is one. */
  code?: string;
  /** Message of the failure. */
  error?: string;
}

/** A re-check of a session that did not match (the race waits for a promotion or a slow host). */
export interface RecheckTrace {
  kind: 'recheck';
  atMs: number;
  host: string;
  ms: number;
  inRecovery?: boolean;
  readOnly?: boolean;
  code?: string;
  error?: string;
}

/** A session dropped (failover-class error, deadline, server termination). */
export interface DropTrace {
  kind: 'drop';
  atMs: number;
  host: string;
  reason: string;
}

/** A selection finished: the host chosen, or the error. */
export interface SelectTrace {
  kind: 'select';
  atMs: number;
  ms: number;
  host?: string;
  error?: string;
}

/** Every event {@link HaConnection}'s `trace` option receives. */
export type HaTraceEvent = AttemptTrace | RecheckTrace | DropTrace | SelectTrace;

/** The failure fields of a trace event: SQLSTATE or socket code (when the error has one) and message. */
export function failureOf(err: unknown): { code?: string; error: string } {
  const code = (err as { code?: unknown } | undefined)?.code;
  const error = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? { code, error } : { error };
}
