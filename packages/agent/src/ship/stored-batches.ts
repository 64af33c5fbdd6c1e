/**
 * Asks the backend, in one statement and one round trip, which of the
 * agent's retained batch ids it already stores (the backend's
 * `pem.agent_stored_batches` in
 * packages/backend/sql/functions/ingest/09_agent_stored_batches.sql):
 *
 *     SELECT pem.agent_stored_batches($agentId, $batchIds::uuid[]) AS stored, <server identity>;
 *
 * The shipper asks this after it finds itself on another backend server
 * (ship/shipper.ts), and ships again only the batches the answer leaves out,
 * instead of every retained batch one transaction at a time (issue 19: 9 to
 * 104 re-ships took 1.4-14.7 s per agent before new samples flowed, in the
 * write-gap-7 benchmark). The same statement reports which server answered
 * (ship/server-identity.ts), so the answer is tied to the server it is true
 * for. The function reads the caller's own batches only (it checks that the
 * session user is the agent's registered database user).
 */
import type { Queryable } from '@pharos/core/query';
import {
  SERVER_IDENTITY_COLUMNS,
  type ServerIdentity,
  type ServerIdentityRow,
  serverIdentityFromRow,
} from './server-identity.js';

/** The one statement: `$1` agent id, `$2` the batch ids (uuid text). */
export const STORED_BATCHES_SQL = `SELECT pem.agent_stored_batches($1, $2::uuid[])::text[] AS stored, ${SERVER_IDENTITY_COLUMNS}`;

/** Outcome of {@link storedBatches}. */
export interface StoredBatchesResult {
  /** The asked ids the server stores for this agent (lower-case uuid text, as PostgreSQL prints a uuid). */
  stored: string[];
  /** The server that answered. */
  server: ServerIdentity;
}

/**
 * Which of `batchIds` (uuid text) the backend stores for agent `agentId`,
 * within `deadlineMs`; `awaitTargetMs` as in ship/ship-batch.ts. Throws what
 * the connection throws (a failover-class error, 42501 for another agent's
 * id, 42883 when the backend's schema predates the function).
 */
export async function storedBatches(
  conn: Queryable,
  agentId: number,
  batchIds: readonly string[],
  deadlineMs: number,
  awaitTargetMs?: number,
): Promise<StoredBatchesResult> {
  const r = await conn.query<{ stored: string[] | null } & ServerIdentityRow>(
    STORED_BATCHES_SQL,
    [agentId, [...batchIds]],
    { deadlineMs, ...(awaitTargetMs !== undefined ? { awaitTargetMs } : {}) },
  );
  const row = r.rows[0];
  return { stored: (row?.stored ?? []).map((id) => id.toLowerCase()), server: serverIdentityFromRow(row) };
}
