/**
 * Ships one batch to the backend in one transaction (the backend's ingest
 * contract, `pem.ingest_batch` in packages/backend/sql/functions/ingest/01_ingest_batch.sql):
 *
 *     BEGIN;
 *     CREATE TEMP TABLE incoming_sample (...) ON COMMIT DROP;
 *     COPY pg_temp.incoming_sample (...) FROM STDIN;
 *     SELECT pem.ingest_batch($agentId, $batchId::uuid), <server identity>;
 *     COMMIT;
 *
 * `ingest_batch` records the batch id in the same transaction as the samples,
 * so the batch is stored exactly once: a retry of a batch whose commit
 * succeeded but whose acknowledgement was lost returns false and stores nothing.
 * The same statement reports which server stored it (ship/server-identity.ts),
 * so the shipper notices a failover or restart without an extra round trip.
 */
import type { Transactional } from '@pharos/core/query';
import type { Batch } from '../spool/spool.js';
import { COPY_INCOMING_SQL, copyText } from './copy-text.js';
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
  /** From BEGIN to the acknowledged COMMIT, ms. */
  latencyMs: number;
  /** The backend server that ran the transaction and acknowledged the commit. */
  server: ServerIdentity;
}

const INGEST_SQL = `SELECT pem.ingest_batch($1, $2::uuid) AS stored, ${SERVER_IDENTITY_COLUMNS}`;

const CREATE_INCOMING_SQL =
  'CREATE TEMP TABLE incoming_sample (sample_id bigint, server_id integer, probe text, object text, collected_at timestamptz, value jsonb) ON COMMIT DROP';

/**
 * Ships `batch` as agent `agentId` within `deadlineMs`. Resolves once COMMIT is
 * acknowledged, with whether the batch was stored now, the latency and the
 * server's identity. `awaitTargetMs`: when the connection has to select a
 * host and none is primary yet, how long it watches for a promotion within
 * the deadline (CallOptions in ha/connection.ts). Throws whatever the
 * connection throws (DeadlineError, NoHostError, the server's error); after a
 * throw the outcome may be unknown: retry the same batch (same id).
 */
export async function shipBatch(
  conn: Transactional,
  agentId: number,
  batch: Batch,
  deadlineMs: number,
  awaitTargetMs?: number,
): Promise<ShipResult> {
  const started = performance.now();
  const { stored, server } = await conn.transaction(
    async (tx) => {
      await tx.query(CREATE_INCOMING_SQL);
      const copied = await tx.copyFrom(COPY_INCOMING_SQL, copyText(batch.samples));
      if (copied !== batch.samples.length) {
        throw new Error(`COPY stored ${copied} rows of a batch of ${batch.samples.length}`);
      }
      const r = await tx.query<{ stored: boolean } & ServerIdentityRow>(INGEST_SQL, [agentId, batch.batchId]);
      const row = r.rows[0];
      return { stored: row?.stored === true, server: serverIdentityFromRow(row) };
    },
    { deadlineMs, awaitTargetMs },
  );
  return { stored, latencyMs: performance.now() - started, server };
}
