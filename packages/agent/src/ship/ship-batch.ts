/**
 * Ships one batch to the backend in one statement, one round trip (the
 * backend's ingest contract, `pem.ingest_samples` in
 * packages/backend/sql/functions/ingest/08_ingest_samples.sql):
 *
 *     SELECT pem.ingest_samples($agentId, $batchId::uuid, $sampleIds, $serverIds,
 *                               $probes, $objects, $collectedAts, $values), <server identity>;
 *
 * The samples travel as six array parameters (ship/ingest-arrays.ts). The
 * statement runs in its own transaction, which commits before the server
 * says the statement is done (PostgreSQL docs, "Message Flow", Extended Query:
 * the implicit transaction ends at Sync, before ReadyForQuery; node-postgres
 * resolves a query at ReadyForQuery), so an answer means the batch is stored.
 * `ingest_samples` records the batch id in that same transaction, so the
 * batch is stored exactly once: a retry of a batch whose commit succeeded but
 * whose answer was lost returns false and stores nothing. The same statement
 * reports which server stored it (ship/server-identity.ts), so the shipper
 * notices a failover or restart without an extra round trip.
 *
 * Before issue 19's ingest work the agent opened a transaction, created a
 * temp table, COPYed into it and called `pem.ingest_batch` (five round trips);
 * the backend keeps that form for callers that stage rows.
 */
import type { Queryable } from '@pharos/core/query';
import type { Batch } from '../spool/spool.js';
import { ingestArrays } from './ingest-arrays.js';
import {
  SERVER_IDENTITY_COLUMNS,
  type ServerIdentity,
  type ServerIdentityRow,
  serverIdentityFromRow,
} from './server-identity.js';

/** Outcome of {@link shipBatch}. */
export interface ShipResult {
  /** true: stored now; false: the backend already had this batch id (a retry after a lost acknowledgement). */
  stored: boolean;
  /** From sending the statement to its acknowledged commit, ms. */
  latencyMs: number;
  /** The backend server that ran the transaction and acknowledged the commit. */
  server: ServerIdentity;
}

/**
 * The one statement of a ship: `$1` agent id, `$2` batch id, `$3`..`$7` the
 * arrays of {@link ingestArrays}, `$8` its values as one JSON array, made the
 * function's jsonb[] here in list order (WITH ORDINALITY: PostgreSQL 15
 * documentation §9.16 `jsonb_array_elements`, §7.2.1.4 "Table Functions").
 */
export const INGEST_SQL =
  'SELECT pem.ingest_samples($1, $2::uuid, $3::bigint[], $4::integer[], $5::text[], $6::text[], ' +
  '$7::timestamptz[], ARRAY(SELECT e.v FROM pg_catalog.jsonb_array_elements($8::jsonb) WITH ORDINALITY AS e(v, k) ORDER BY e.k)) ' +
  `AS stored, ${SERVER_IDENTITY_COLUMNS}`;

/**
 * Ships `batch` as agent `agentId` within `deadlineMs`. Resolves once the
 * commit is acknowledged, with whether the batch was stored now, the latency
 * and the server's identity. `awaitTargetMs`: when the connection has to
 * select a host and none is primary yet, how long it watches for a promotion
 * within the deadline (CallOptions in ha/connection.ts). Throws whatever the
 * connection throws (DeadlineError, NoHostError, the server's error); after a
 * throw the outcome may be unknown: retry the same batch (same id).
 */
export async function shipBatch(
  conn: Queryable,
  agentId: number,
  batch: Batch,
  deadlineMs: number,
  awaitTargetMs?: number,
): Promise<ShipResult> {
  const started = performance.now();
  const a = ingestArrays(batch.samples);
  const r = await conn.query<{ stored: boolean } & ServerIdentityRow>(
    INGEST_SQL,
    [agentId, batch.batchId, a.sampleIds, a.serverIds, a.probes, a.objects, a.collectedAts, a.valuesJson],
    { deadlineMs, ...(awaitTargetMs !== undefined ? { awaitTargetMs } : {}) },
  );
  const row = r.rows[0];
  return {
    stored: row?.stored === true,
    latencyMs: performance.now() - started,
    server: serverIdentityFromRow(row),
  };
}
