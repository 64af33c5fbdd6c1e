/**
 * Synthetic samples for the ingest benchmark, shaped like what an agent
 * ships every cycle: per monitored database a `database_stats` sample (the
 * counters of pg_stat_database, 13 numbers), grouped in batches with
 * consecutive sample ids per agent, as the spool produces them.
 */
import { randomUUID } from 'node:crypto';
import type { Sample } from '@pharos/agent/sample';
import type { Batch } from '@pharos/agent/spool/spool';

/** `count` batches of `batchSize` samples for one agent; ids start at `firstId`; times from `startMs`, 1 ms apart. */
export function makeBatches(count: number, batchSize: number, firstId: number, startMs: number): Batch[] {
  const batches: Batch[] = [];
  let id = firstId;
  for (let b = 0; b < count; b++) {
    const samples: Sample[] = [];
    for (let i = 0; i < batchSize; i++, id++) {
      const n = id % 100_000;
      samples.push({
        sampleId: id,
        probe: 'database_stats',
        serverId: 0,
        object: `db${id % 20}`,
        collectedAt: new Date(startMs + (id - firstId)).toISOString(),
        value: {
          numbackends: n % 50,
          xact_commit: n * 31,
          xact_rollback: n % 97,
          blks_read: n * 7,
          blks_hit: n * 1013,
          tup_returned: n * 211,
          tup_fetched: n * 97,
          tup_inserted: n * 3,
          tup_updated: n * 2,
          tup_deleted: n % 13,
          conflicts: 0,
          temp_files: n % 5,
          temp_bytes: (n % 5) * 8192,
          deadlocks: 0,
        },
      });
    }
    batches.push({
      batchId: randomUUID(),
      firstSampleId: samples[0]!.sampleId,
      lastSampleId: samples.at(-1)!.sampleId,
      samples,
    });
  }
  return batches;
}

/** The same batches with fresh batch ids (a new run must not be taken for a retry). */
export function withFreshIds(batches: readonly Batch[]): Batch[] {
  return batches.map((b) => ({ ...b, batchId: randomUUID() }));
}
