/**
 * The spool's small state file (`state.json`): how far the spool has been
 * consumed (acknowledged by the backend or dropped when full), the cumulative
 * number of dropped samples, the batch currently being shipped (so it keeps
 * its id across retries and restarts), and the recently acknowledged batches
 * still retained for a re-ship after a backend failover (spool/retention.ts).
 * Replaced atomically: written to `state.json.tmp`, fsync'ed, renamed over
 * `state.json`, directory fsync'ed.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pharosError } from '@pharos/core/errors';

/** The batch being shipped: its id and the (inclusive) sample id range it covers. */
export interface PendingBatch {
  batchId: string;
  firstSampleId: number;
  lastSampleId: number;
}

/**
 * An acknowledged batch kept for a possible re-ship (spool/retention.ts): the
 * id and sample range exactly as shipped, and who acknowledged it when.
 */
export interface RetainedBatch {
  batchId: string;
  /** First and last sample id of the batch as shipped (inclusive). */
  firstSampleId: number;
  lastSampleId: number;
  /** Samples in the batch as shipped (ids in the range can be missing after a failed write). */
  sampleCount: number;
  /** When the backend last acknowledged it, ms since the Unix epoch. */
  ackedAt: number;
  /** Identity of the backend server that last acknowledged it (ship/server-identity.ts); absent when unknown. */
  ackedBy?: string;
}

/** Contents of `state.json`. */
export interface SpoolState {
  version: 1;
  /** Every sample id <= this is gone from the spool (acknowledged or dropped). */
  consumedThrough: number;
  /** Highest sample id ever handed out (so ids never go back, even when every segment is deleted). */
  issuedThrough: number;
  /** Cumulative count of samples dropped because the spool was full (never reset). */
  droppedSamples: number;
  pending: PendingBatch | null;
  /** Acknowledged batches within the retention window, in sample id order (absent in older files: none). */
  retained: RetainedBatch[];
}

const FILE = 'state.json';

/** Reads `dir/state.json`; undefined when absent. Throws ConfigError naming the file when it is unreadable or malformed. */
export async function readState(dir: string): Promise<SpoolState | undefined> {
  const path = join(dir, FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw pharosError(
      'PHAROS_SPOOL_STATE_UNREADABLE',
      { path, reason: (err as Error).message },
      { cause: err },
    );
  }
  try {
    const s = JSON.parse(text) as SpoolState;
    if (
      s.version !== 1 ||
      !Number.isSafeInteger(s.consumedThrough) ||
      !Number.isSafeInteger(s.droppedSamples)
    ) {
      throw new Error('unexpected content');
    }
    const retained = s.retained ?? [];
    if (!Array.isArray(retained) || !retained.every(isRetainedBatch))
      throw new Error('unexpected retained batches');
    return {
      ...s,
      issuedThrough: s.issuedThrough ?? s.consumedThrough,
      pending: s.pending ?? null,
      retained: [...retained].sort((a, b) => a.firstSampleId - b.firstSampleId),
    };
  } catch (err) {
    throw pharosError(
      'PHAROS_SPOOL_STATE_MALFORMED',
      { path, reason: (err as Error).message },
      {
        cause: err,
      },
    );
  }
}

function isRetainedBatch(r: unknown): r is RetainedBatch {
  const b = r as RetainedBatch;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.batchId === 'string' &&
    Number.isSafeInteger(b.firstSampleId) &&
    Number.isSafeInteger(b.lastSampleId) &&
    b.firstSampleId <= b.lastSampleId &&
    Number.isSafeInteger(b.sampleCount) &&
    b.sampleCount > 0 &&
    Number.isFinite(b.ackedAt) &&
    (b.ackedBy === undefined || typeof b.ackedBy === 'string')
  );
}

/** Durably replaces `dir/state.json` with `state` (tmp file + fsync + rename + directory fsync). */
export async function writeState(dir: string, state: SpoolState): Promise<void> {
  const path = join(dir, FILE);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dir);
}

/** fsyncs a directory, so a file created, renamed or removed in it survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
