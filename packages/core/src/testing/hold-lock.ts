/**
 * Test support: a lock held by a session of its own, as a DBA's open
 * transaction holds one, so the statements of the code under test wait for
 * it (a slow backend, a statement deadline, a server-side cancel).
 */
import type { HaConnection } from '../ha/connection.js';

/** A lock being held; {@link LockHold.release} ends its transaction. */
export interface LockHold {
  /** Ends the holding transaction (COMMIT), waits for it, and closes the connection. */
  release: () => Promise<void>;
}

/**
 * Runs `lockSql` (e.g. `LOCK TABLE t IN SHARE MODE`) in a transaction on
 * `conn` and keeps that transaction open until release() is called, at most
 * `deadlineMs` (the transaction's deadline: then it is rolled back and
 * release() rejects with the connection's DeadlineError). Resolves once the
 * lock is granted; rejects as the transaction does when `lockSql` fails. The
 * connection belongs to the hold from then on: release() closes it.
 */
export async function holdLock(conn: HaConnection, lockSql: string, deadlineMs: number): Promise<LockHold> {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => {
    locked = r;
  });
  const held = conn.transaction(
    async (tx) => {
      await tx.query(lockSql);
      locked();
      await released;
    },
    { deadlineMs },
  );
  await Promise.race([isLocked, held]);
  return {
    release: async () => {
      release();
      await held;
      await conn.close();
    },
  };
}
