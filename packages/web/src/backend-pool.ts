/**
 * A few service connections used side by side. An HaConnection holds one
 * session and serialises its calls, so one slow statement would hold up every
 * request of the instance; the pool hands each statement to the connection
 * with the fewest statements in flight. Each connection selects the primary on
 * its own and moves on failover on its own.
 */
import { HaConnection, type HaConnectionOptions, type HaTransaction } from '@pharos/core/ha/connection';
import type { Queryable, Transactional } from '@pharos/core/query';

/** Default number of service connections per web instance. */
export const DEFAULT_BACKEND_CONNECTIONS = 4;

/** `size` HaConnections behind one {@link Queryable} (with the host last used and close). */
export class BackendPool implements Queryable, Transactional {
  readonly #connections: HaConnection[];
  readonly #inFlight: number[];
  #lastUsed = 0;

  /** Creates `size` (>= 1) connections with the same options; none connects before its first statement. */
  constructor(options: HaConnectionOptions, size: number = DEFAULT_BACKEND_CONNECTIONS) {
    this.#connections = Array.from({ length: Math.max(1, size) }, () => new HaConnection(options));
    this.#inFlight = this.#connections.map(() => 0);
  }

  /** Runs one statement on the least busy connection; errors as HaConnection.query. */
  async query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: { deadlineMs?: number },
  ): Promise<{ rows: R[]; rowCount: number }> {
    let i = 0;
    for (let k = 1; k < this.#inFlight.length; k++) if (this.#inFlight[k]! < this.#inFlight[i]!) i = k;
    this.#inFlight[i]!++;
    try {
      return await this.#connections[i]!.query<R>(sql, params, options);
    } finally {
      this.#inFlight[i]!--;
      this.#lastUsed = i;
    }
  }

  /** Runs `fn` in one transaction on the least busy connection; errors as HaConnection.transaction. */
  async transaction<T>(fn: (tx: HaTransaction) => Promise<T>, options?: { deadlineMs?: number }): Promise<T> {
    let i = 0;
    for (let k = 1; k < this.#inFlight.length; k++) if (this.#inFlight[k]! < this.#inFlight[i]!) i = k;
    this.#inFlight[i]!++;
    try {
      return await this.#connections[i]!.transaction(fn, options);
    } finally {
      this.#inFlight[i]!--;
      this.#lastUsed = i;
    }
  }

  /** The host the most recently used connection is on (or any connected one), undefined when none is connected. */
  get current(): { host: string; port: number } | undefined {
    return this.#connections[this.#lastUsed]!.current ?? this.#connections.find((c) => c.current)?.current;
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.#connections.map((c) => c.close()));
  }
}
