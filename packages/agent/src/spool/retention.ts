/**
 * Retention of acknowledged batches: the bookkeeping rules, as pure functions
 * over the list of {@link RetainedBatch} records kept in `state.json`.
 *
 * Why: the backend replicates asynchronously. A batch the old primary
 * committed and acknowledged but had not yet streamed to the standby that
 * takes over is gone from the new primary. The spool therefore keeps an
 * acknowledged batch (record and samples) for a window after its
 * acknowledgement, so the shipper can ship it again, under the same id, when
 * it finds itself talking to another backend server (ship/shipper.ts); the
 * backend's batch-id dedup (`pem.ingest_samples`) makes that a no-op for every
 * batch the new primary has.
 *
 * A record stays valid only while every sample it names is on disk: a batch
 * that lost samples to a drop for space is forgotten, never re-shipped with a
 * different sample set under its id.
 */
import type { Sample } from '../sample.js';
import type { RetainedBatch } from './state.js';

/** Default retention window of acknowledged batches: 5 minutes, in ms. */
export const DEFAULT_RETAIN_ACKED_MS = 300_000;

/** The records still within the window at `now` (ms since the epoch): acknowledged less than `windowMs` ago. */
export function unexpired(records: readonly RetainedBatch[], now: number, windowMs: number): RetainedBatch[] {
  return records.filter((r) => r.ackedAt + windowMs > now);
}

/** What the spool knows of a batch the backend just acknowledged. */
export interface AckedBatch {
  batchId: string;
  firstSampleId: number;
  lastSampleId: number;
  sampleCount: number;
}

/**
 * The records after an acknowledgement of `batch` by `ackedBy` at `now`: a
 * record of the same id keeps its range and takes the new time and server;
 * otherwise, when `addIfAbsent`, a new record is added (kept in sample id
 * order). Empty batches are never retained.
 */
export function withAck(
  records: readonly RetainedBatch[],
  batch: AckedBatch,
  now: number,
  ackedBy: string | undefined,
  addIfAbsent: boolean,
): RetainedBatch[] {
  const stamp = (r: RetainedBatch): RetainedBatch => {
    const { ackedBy: _old, ...rest } = r;
    return ackedBy === undefined ? { ...rest, ackedAt: now } : { ...rest, ackedAt: now, ackedBy };
  };
  if (records.some((r) => r.batchId === batch.batchId)) {
    return records.map((r) => (r.batchId === batch.batchId ? stamp(r) : r));
  }
  if (!addIfAbsent || batch.sampleCount <= 0) return [...records];
  const added = stamp({
    batchId: batch.batchId,
    firstSampleId: batch.firstSampleId,
    lastSampleId: batch.lastSampleId,
    sampleCount: batch.sampleCount,
    ackedAt: now,
  });
  return [...records, added].sort((a, b) => a.firstSampleId - b.firstSampleId);
}

/**
 * The records after the server `ackedBy` confirmed at `now` that it stores the
 * batches `batchIds` (ship/shipper.ts asks after a server change, instead of
 * shipping them again): each named record takes the new time and server, as
 * an acknowledgement of a re-ship would give it; the others are unchanged.
 * Ids no record has are ignored.
 */
export function withConfirmed(
  records: readonly RetainedBatch[],
  batchIds: readonly string[],
  now: number,
  ackedBy: string,
): RetainedBatch[] {
  const ids = new Set(batchIds);
  return records.map((r) => (ids.has(r.batchId) ? { ...r, ackedAt: now, ackedBy } : r));
}

/** Whether a record names a sample id in `[firstId, lastId]`. */
export function overlapsAny(records: readonly RetainedBatch[], firstId: number, lastId: number): boolean {
  return records.some((r) => r.firstSampleId <= lastId && r.lastSampleId >= firstId);
}

/** The records that keep every sample after each sample id <= `droppedThrough` was dropped. */
export function survivingDrop(records: readonly RetainedBatch[], droppedThrough: number): RetainedBatch[] {
  return records.filter((r) => r.firstSampleId > droppedThrough);
}

/** Whether `samples` (in id order) are exactly the batch the record names: same count, same first and last id. */
export function matchesRecord(record: RetainedBatch, samples: readonly Sample[]): boolean {
  return (
    samples.length === record.sampleCount &&
    samples[0]?.sampleId === record.firstSampleId &&
    samples.at(-1)?.sampleId === record.lastSampleId
  );
}
