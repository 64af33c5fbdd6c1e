/**
 * The database surface alerting code needs. An `HaConnection`
 * (@pharos/core/ha/connection) satisfies both interfaces; the web
 * application's `Backend` satisfies {@link QueryRunner}.
 */

/** Runs one statement; rows typed by the caller. */
export interface QueryRunner {
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: { deadlineMs?: number },
  ): Promise<{ rows: R[]; rowCount: number }>;
}

/** A {@link QueryRunner} that can also run a function inside one transaction. */
export interface TxRunner extends QueryRunner {
  transaction<T>(
    fn: (tx: {
      query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
    }) => Promise<T>,
    options?: { deadlineMs?: number },
  ): Promise<T>;
}

/** The SQLSTATE of a PostgreSQL error (pg's DatabaseError `code`), or undefined. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
