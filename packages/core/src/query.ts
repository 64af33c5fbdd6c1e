/**
 * The query surface every stage codes against, declared once: structural
 * subsets of HaConnection (ha/connection.ts), so a function asks for no more
 * than it uses and a test can hand in a small fake.
 *
 * - {@link Queryable}: runs one statement. An HaConnection, the web
 *   instance's BackendPool, and an HaTransaction (inside a transaction) are
 *   all Queryable.
 * - {@link Transactional}: runs a function inside one transaction
 *   (HaConnection.transaction: BEGIN, the function's statements and COPYs
 *   on one session, COMMIT; ROLLBACK when it throws).
 */
import type { HaResult, HaTransaction } from './ha/connection.js';

/** Options of one statement or transaction. */
export interface QueryOptions {
  /** Deadline of the statement (or the whole transaction), milliseconds; default the connection's. */
  deadlineMs?: number;
  /** While selecting a host, wait this long for one matching target_session_attrs (a promotion), ms: HaConnection's CallOptions. */
  awaitTargetMs?: number;
  /**
   * Inside a transaction (HaTransaction.query): run the statement as this named prepared
   * statement of the session, so PostgreSQL keeps its plan (the name always goes with the
   * same text). Ignored elsewhere; the deadline options are the transaction's there.
   */
  statementName?: string;
}

/** Runs one statement with `$n` parameters; rows typed by the caller (`rowCount`: rows affected or returned). */
export interface Queryable {
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: QueryOptions,
  ): Promise<HaResult<R>>;
}

/** Runs `fn` inside one transaction and resolves to its result once COMMIT is acknowledged. */
export interface Transactional {
  transaction<T>(fn: (tx: HaTransaction) => Promise<T>, options?: QueryOptions): Promise<T>;
}
