/**
 * The agent's durable on-disk spool (DESIGN.md §2, issue 5): the batch
 * ledger — which samples are acknowledged, which batch is in flight, which
 * acknowledged batches are retained — over the segment log (spool/segment-log.ts).
 *
 * Layout of the spool directory:
 * - `seg-<first sample id, 20 digits>.spool`: append-only segment files of
 *   records (spool/record.ts, spool/segment-log.ts), sample ids increasing by
 *   one within a file;
 * - `state.json` (spool/state.ts): consumed-through watermark, dropped count,
 *   the batch being shipped, the retained acknowledged batches.
 *
 * Guarantees:
 * - Durability: {@link Spool.append} resolves only after the records are
 *   written and `fdatasync`ed (group commit: every append made while a flush is
 *   running, or in the same event-loop turn, shares one write and one
 *   fdatasync). A sample whose append resolved survives kill -9 and power loss
 *   (given a disk that honours fsync); an append still pending at a crash may
 *   be lost (it was never acknowledged to the caller, and never shipped).
 * - Order: batches hold samples in sample id order; a batch is only ever built
 *   from durable records.
 * - Exactly once: {@link Spool.nextBatch} persists the batch (id, range) in
 *   `state.json` before returning it, and returns the same batch (same uuid,
 *   same range) until {@link Spool.ack}, across restarts. The backend's
 *   `pem.ingest_samples` recognises a repeated batch id, so a retry after a lost
 *   acknowledgement stores nothing twice.
 * - Retention of acknowledged batches (spool/retention.ts): the backend
 *   replicates asynchronously, so a batch it acknowledged can be lost in a
 *   failover. After {@link Spool.ack} the batch's record (id, sample range,
 *   count, acknowledgement time and server) stays in `state.json`, and its
 *   samples on disk, for `retainAckedMs` (default 5 min; 0 disables);
 *   {@link Spool.retainedBatches} returns them with the same ids and samples
 *   for a re-ship (ship/shipper.ts). A segment file is removed only when every
 *   sample in it is acknowledged (or dropped) and no retained batch names one
 *   of them. A re-ship acknowledged by another server, or another server's
 *   answer that it stores the batch ({@link Spool.confirmRetained}), restarts
 *   the batch's window. Retention survives restarts; expired records are pruned. Limit: a
 *   failover loss is repaired only if the agent reaches the new primary within
 *   the window; `pem.ingest_samples`'s batch-id dedup keeps the repair exactly
 *   once.
 * - Size bound: segment bytes on disk, retained ones included, stay <=
 *   `maxBytes` (plus at most one append group). When an append would exceed
 *   it, whole oldest segments are dropped. Acknowledged samples are always the
 *   oldest, so retained data goes first: that loses nothing (the backend has
 *   it), is not counted as dropped, is logged at info, and every retained batch
 *   that lost a sample is forgotten (never re-shipped as a different sample set
 *   under its id). Only then unshipped samples go: counted in `droppedSamples`
 *   (persisted, cumulative) and logged as a warning. A batch in flight that
 *   loses samples to a drop keeps its id and shrinks to what is left.
 * - Crash recovery: at open, a segment whose tail does not decode (a torn
 *   record) is truncated at the last good record; the discarded bytes are
 *   logged and reported in {@link Spool.openReport}.
 *
 * One process per spool directory (not locked; the agent has one spool).
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Logger } from '@pharos/core/log';
import type { NewSample, Sample } from '../sample.js';
import { type Clock, systemClock } from '../schedule/clock.js';
import {
  DEFAULT_RETAIN_ACKED_MS,
  matchesRecord,
  overlapsAny,
  survivingDrop,
  unexpired,
  withAck,
  withConfirmed,
} from './retention.js';
import { type OpenReport, type Segment, SegmentLog } from './segment-log.js';
import { type PendingBatch, type RetainedBatch, readState, type SpoolState, writeState } from './state.js';

export type { OpenReport } from './segment-log.js';

/** Options of {@link Spool.open}. */
export interface SpoolOptions {
  /** Spool directory; created (mode 0700) if missing. */
  dir: string;
  /** Size bound of all segment files together, bytes. */
  maxBytes: number;
  /** Segment size before rolling to a new file, bytes. Default `maxBytes / 16`, at least 4 KiB, at most 4 MiB. */
  segmentBytes?: number;
  /**
   * Id of the first sample of a brand-new spool. Default: microseconds since the
   * Unix epoch, so ids keep increasing even if the spool directory is lost
   * (safe JavaScript integers until the year 2255).
   */
  firstSampleId?: number;
  /**
   * How long an acknowledged batch stays in the spool for a re-ship after a
   * backend failover, ms (module comment). Default 300000 (5 min); 0 disables.
   */
  retainAckedMs?: number;
  /**
   * Time source of retention and of {@link Spool.waitForData} (default the wall clock; tests pass a
   * fake one to expire retained batches).
   */
  clock?: Clock;
  logger?: Logger;
}

/** A batch of samples to ship: a uuid that stays the same across retries and restarts, and its samples in order. */
export interface Batch {
  batchId: string;
  firstSampleId: number;
  lastSampleId: number;
  samples: Sample[];
}

/** A retained acknowledged batch read back for a re-ship: the batch as shipped, and its last acknowledgement. */
export interface RetainedShipBatch extends Batch {
  /** When the backend last acknowledged it, ms since the Unix epoch. */
  ackedAt: number;
  /** Identity of the server that last acknowledged it (ship/server-identity.ts), undefined when unknown. */
  ackedBy: string | undefined;
}

/** Filter of {@link Spool.retainedBatches}. */
export interface RetainedFilter {
  /** Only batches not last acknowledged by this server identity (undefined `ackedBy` always matches). */
  notAckedBy?: string;
  /** At most this many batches (the oldest). Default: all. */
  max?: number;
}

/** Figures of the spool for the agent's own metrics. */
export interface SpoolStats {
  /** Bytes of segment files on disk (retained acknowledged samples included). */
  bytes: number;
  /** Durable samples not yet acknowledged by the backend. */
  samples: number;
  /** collectedAt of the oldest unacknowledged sample, when there is one. */
  oldestCollectedAt: string | undefined;
  /** Cumulative samples dropped because the spool was full. */
  droppedSamples: number;
  /** Acknowledged batches retained for a re-ship after a failover (unexpired). */
  retainedBatches: number;
  /** Id the next appended sample gets. */
  nextSampleId: number;
}

/** The durable spool; see the module comment for its guarantees. Create with {@link Spool.open}. */
export class Spool {
  /** Torn records found and discarded when the spool was opened. */
  readonly openReport: OpenReport;
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly retainAckedMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private state: SpoolState;
  private readonly log: SegmentLog;
  private readonly waiters = new Set<() => void>();

  private constructor(opts: SpoolOptions, state: SpoolState, segments: Segment[], report: OpenReport) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.logger = opts.logger;
    this.retainAckedMs = opts.retainAckedMs ?? DEFAULT_RETAIN_ACKED_MS;
    this.clock = opts.clock ?? systemClock;
    this.state = state;
    this.openReport = report;
    const lastInSegments = segments.at(-1)?.lastId ?? 0;
    const nextId =
      Math.max(state.consumedThrough, state.issuedThrough, lastInSegments, state.pending?.lastSampleId ?? 0) +
      1;
    this.log = new SegmentLog(
      {
        dir: opts.dir,
        maxBytes: opts.maxBytes,
        segmentBytes:
          opts.segmentBytes ?? Math.min(4 * 1024 * 1024, Math.max(4096, Math.floor(opts.maxBytes / 16))),
        onDropOldest: (gone) => this.droppedOldest(gone),
        onDurable: () => this.wake(),
      },
      segments,
      nextId,
    );
  }

  /**
   * Opens (or creates) the spool in `opts.dir`, recovering from a crash: torn
   * tails are truncated, expired retained batches forgotten, segments no
   * longer needed removed. Throws RangeError for a non-positive `maxBytes` or
   * a negative `retainAckedMs`, ConfigError when `state.json` is malformed,
   * and fs errors (EACCES...) as they come.
   */
  static async open(opts: SpoolOptions): Promise<Spool> {
    if (!(opts.maxBytes > 0)) throw new RangeError(`spool maxBytes must be positive, got ${opts.maxBytes}`);
    const retainMs = opts.retainAckedMs ?? DEFAULT_RETAIN_ACKED_MS;
    if (!(retainMs >= 0 && Number.isFinite(retainMs))) {
      throw new RangeError(`spool retainAckedMs must be 0 or more, got ${opts.retainAckedMs}`);
    }
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const saved = await readState(opts.dir);
    // Without a state file (a new spool, or one whose state file was removed), keep whatever segments hold.
    const firstOnDisk = await SegmentLog.firstIdOnDisk(opts.dir);
    const fresh = (firstOnDisk ?? opts.firstSampleId ?? Date.now() * 1000) - 1;
    const state: SpoolState = saved ?? {
      version: 1,
      consumedThrough: fresh,
      issuedThrough: fresh,
      droppedSamples: 0,
      pending: null,
      retained: [],
    };
    if (!saved) await writeState(opts.dir, state);
    const retainedBefore = state.retained.length;
    state.retained = unexpired(state.retained, (opts.clock ?? systemClock).now(), retainMs);
    const { segments, report } = await SegmentLog.recover(
      opts.dir,
      (firstId, lastId) => lastId > state.consumedThrough || overlapsAny(state.retained, firstId, lastId),
    );
    // A pending batch can only name durable records; clamp it to what survived (power loss on a lying disk).
    const available = segments.at(-1)?.lastId ?? state.consumedThrough;
    if (state.pending) {
      const p = state.pending;
      p.firstSampleId = Math.max(p.firstSampleId, state.consumedThrough + 1);
      p.lastSampleId = Math.min(p.lastSampleId, available);
      if (p.firstSampleId > p.lastSampleId) state.pending = null;
    }
    // A retained batch is kept only if its whole range is still on disk (it is checked again when read).
    const onDisk = segments[0]?.firstId ?? Number.POSITIVE_INFINITY;
    state.retained = state.retained.filter((r) => r.firstSampleId >= onDisk && r.lastSampleId <= available);
    if (state.retained.length !== retainedBefore) await writeState(opts.dir, state);
    const spool = new Spool(opts, state, segments, report);
    for (const d of report.details) opts.logger?.warn({ spool: opts.dir }, `spool recovery: ${d}`);
    return spool;
  }

  /**
   * Appends samples, giving each the next sample id (in argument order), and
   * resolves with them once they are durable (written and fdatasync'ed). Throws
   * RangeError for a sample above the record size limit (nothing is appended
   * then), Error after {@link close}, and fs errors of the write (the ids are
   * then skipped, nothing is spooled).
   */
  append(samples: NewSample[]): Promise<Sample[]> {
    return this.log.append(samples);
  }

  /**
   * The ledger's side of dropping whole oldest segments to make room (called by
   * the log before it removes their files): the watermark moves past them, only
   * unshipped samples count as dropped, retained batches that lost a sample are
   * forgotten, the batch in flight shrinks; persisted. Returns the report,
   * logged once the files are gone.
   */
  private async droppedOldest(gone: readonly Segment[]): Promise<() => void> {
    let dropped = 0;
    let droppedThrough = Number.NEGATIVE_INFINITY;
    for (const oldest of gone) {
      dropped += Math.max(0, oldest.lastId - Math.max(oldest.firstId - 1, this.state.consumedThrough));
      droppedThrough = oldest.lastId;
      this.state.consumedThrough = Math.max(this.state.consumedThrough, oldest.lastId);
    }
    this.state.droppedSamples += dropped;
    const retainedBefore = this.state.retained.length;
    this.state.retained = survivingDrop(this.state.retained, droppedThrough);
    const forgotten = retainedBefore - this.state.retained.length;
    const p = this.state.pending;
    if (p) {
      p.firstSampleId = Math.max(p.firstSampleId, this.state.consumedThrough + 1);
      if (p.firstSampleId > p.lastSampleId) this.state.pending = null;
    }
    await this.saveState();
    return () => {
      const fields = {
        spool: this.dir,
        droppedSamples: dropped,
        droppedTotal: this.state.droppedSamples,
        forgottenRetainedBatches: forgotten,
        maxBytes: this.maxBytes,
      };
      if (dropped > 0) {
        this.logger?.warn(
          fields,
          `spool full: dropped ${dropped} oldest unshipped samples (${gone.length} segments)`,
        );
      } else {
        this.logger?.info(
          fields,
          `spool full: removed ${gone.length} segments of acknowledged samples kept for a re-ship after a failover (${forgotten} retained batches forgotten; nothing lost)`,
        );
      }
    };
  }

  private async saveState(): Promise<void> {
    this.state.issuedThrough = Math.max(this.state.issuedThrough, this.log.nextSampleId - 1);
    await writeState(this.dir, this.state);
  }

  /**
   * The next batch to ship, up to `maxSamples` samples in id order, or
   * undefined when no durable sample is waiting. Until {@link ack} it returns
   * the same batch (same uuid; its range only shrinks when the spool drops
   * samples), also after a restart. The batch is recorded in `state.json`
   * before it is returned.
   */
  nextBatch(maxSamples: number): Promise<Batch | undefined> {
    return this.log.exclusive(async () => {
      await this.expireRetained();
      const p = this.state.pending;
      if (p) {
        const samples = await this.log.readFrom(p.firstSampleId, p.lastSampleId - p.firstSampleId + 1);
        const kept = samples.filter((s) => s.sampleId <= p.lastSampleId);
        if (kept.length > 0) {
          return {
            ...p,
            firstSampleId: kept[0]!.sampleId,
            lastSampleId: kept.at(-1)!.sampleId,
            samples: kept,
          };
        }
        this.state.pending = null; // nothing of it is left on disk
      }
      const samples = await this.log.readFrom(this.state.consumedThrough + 1, maxSamples);
      if (samples.length === 0) return undefined;
      const batch: PendingBatch = {
        batchId: randomUUID(),
        firstSampleId: samples[0]!.sampleId,
        lastSampleId: samples.at(-1)!.sampleId,
      };
      this.state.pending = batch;
      await this.saveState();
      return { ...batch, samples };
    });
  }

  /**
   * Marks a batch as stored by the backend (durably: the watermark is
   * persisted before segment files are removed). The batch being shipped
   * becomes a retained batch (its id, range, sample count, the time now and
   * `ackedBy`, the acknowledging server's identity) for `retainAckedMs`; its
   * samples stay on disk that long. Acknowledging a retained batch again (a
   * re-ship) stamps it with the new time and server. Acknowledging an older or
   * unknown batch only moves the watermark forward. Throws fs errors.
   */
  ack(
    batch: Pick<Batch, 'batchId' | 'firstSampleId' | 'lastSampleId' | 'samples'>,
    ackedBy?: string,
  ): Promise<void> {
    return this.log.exclusive(async () => {
      this.state.consumedThrough = Math.max(this.state.consumedThrough, batch.lastSampleId);
      const wasPending = this.state.pending?.batchId === batch.batchId;
      if (wasPending) this.state.pending = null;
      const now = this.clock.now();
      if (this.retainAckedMs > 0) {
        const acked = {
          batchId: batch.batchId,
          firstSampleId: batch.firstSampleId,
          lastSampleId: batch.lastSampleId,
          sampleCount: batch.samples.length,
        };
        this.state.retained = withAck(this.state.retained, acked, now, ackedBy, wasPending);
      }
      this.state.retained = unexpired(this.state.retained, now, this.retainAckedMs);
      await this.saveState();
      await this.removeUnneededSegments();
    });
  }

  /**
   * Forgets retained batches past the window (persisting that first) and
   * removes the segments no longer needed. Writes nothing when none expired.
   * Runs under the log's `exclusive`.
   */
  private async expireRetained(): Promise<void> {
    const kept = unexpired(this.state.retained, this.clock.now(), this.retainAckedMs);
    if (kept.length === this.state.retained.length) return;
    this.state.retained = kept;
    await this.saveState();
    await this.removeUnneededSegments();
  }

  /**
   * Removes the segment files whose samples are all consumed (acknowledged or
   * dropped) and named by no retained batch. Runs under the log's `exclusive`,
   * after the state that makes them unneeded is persisted.
   */
  private async removeUnneededSegments(): Promise<void> {
    await this.log.removeSegments(
      (s) => s.lastId <= this.state.consumedThrough && !overlapsAny(this.state.retained, s.firstId, s.lastId),
    );
  }

  /**
   * The retained acknowledged batches (see the module comment), oldest first,
   * each with the same id, range and samples as when it was shipped, plus its
   * last acknowledgement. Expired ones are pruned first. A batch whose samples
   * are no longer all on disk is left out and forgotten. `filter` narrows the
   * result (see {@link RetainedFilter}); records are filtered before any
   * sample is read. Throws fs errors, and Error for an unreadable segment.
   */
  retainedBatches(filter: RetainedFilter = {}): Promise<RetainedShipBatch[]> {
    return this.log.exclusive(async () => {
      await this.expireRetained();
      const max = filter.max ?? Number.POSITIVE_INFINITY;
      const out: RetainedShipBatch[] = [];
      const broken: RetainedBatch[] = [];
      for (const r of this.state.retained) {
        if (out.length >= max) break;
        if (filter.notAckedBy !== undefined && r.ackedBy === filter.notAckedBy) continue;
        const samples = (await this.log.readFrom(r.firstSampleId, r.sampleCount)).filter(
          (s) => s.sampleId <= r.lastSampleId,
        );
        if (!matchesRecord(r, samples)) {
          broken.push(r);
          continue;
        }
        out.push({
          batchId: r.batchId,
          firstSampleId: r.firstSampleId,
          lastSampleId: r.lastSampleId,
          samples,
          ackedAt: r.ackedAt,
          ackedBy: r.ackedBy,
        });
      }
      if (broken.length > 0) {
        this.state.retained = this.state.retained.filter((r) => !broken.includes(r));
        await this.saveState();
        await this.removeUnneededSegments();
        this.logger?.info(
          { spool: this.dir, batches: broken.map((b) => b.batchId) },
          `${broken.length} retained batches no longer have all their samples on disk; they will not be re-shipped`,
        );
      }
      return out;
    });
  }

  /**
   * The ids of the retained acknowledged batches, oldest first, filtered as
   * {@link retainedBatches} does but without reading any sample (for asking
   * the backend which of them it stores: ship/shipper.ts). Expired ones are
   * pruned first. Throws fs errors.
   */
  retainedIds(filter: RetainedFilter = {}): Promise<string[]> {
    return this.log.exclusive(async () => {
      await this.expireRetained();
      const ids = this.state.retained
        .filter((r) => filter.notAckedBy === undefined || r.ackedBy !== filter.notAckedBy)
        .map((r) => r.batchId);
      return ids.slice(0, filter.max ?? ids.length);
    });
  }

  /**
   * Records that the server `ackedBy` stores the retained batches `batchIds`
   * (it answered so: ship/shipper.ts), as {@link ack} of a re-ship of each
   * would: they take the time now and that server, and stay retained for
   * another window (a later failover to a server that lacks them is still
   * repaired). Ids that are not retained are ignored. Persisted once.
   * Resolves to the number of records stamped. Throws fs errors.
   */
  confirmRetained(batchIds: readonly string[], ackedBy: string): Promise<number> {
    return this.log.exclusive(async () => {
      const ids = new Set(batchIds);
      const n = this.state.retained.filter((r) => ids.has(r.batchId)).length;
      if (n === 0) return 0;
      const now = this.clock.now();
      this.state.retained = unexpired(
        withConfirmed(this.state.retained, batchIds, now, ackedBy),
        now,
        this.retainAckedMs,
      );
      await this.saveState();
      await this.removeUnneededSegments();
      return n;
    });
  }

  /** Current figures (reads one record from disk for the oldest unacknowledged sample's time). */
  stats(): Promise<SpoolStats> {
    return this.log.exclusive(async () => {
      const oldest = (await this.log.readFrom(this.state.consumedThrough + 1, 1))[0];
      return {
        bytes: this.log.bytes,
        samples: this.log.samplesAfter(this.state.consumedThrough),
        oldestCollectedAt: oldest?.collectedAt,
        droppedSamples: this.state.droppedSamples,
        retainedBatches: unexpired(this.state.retained, this.clock.now(), this.retainAckedMs).length,
        nextSampleId: this.log.nextSampleId,
      };
    });
  }

  /** Cumulative dropped samples (synchronous, for the heartbeat). */
  get droppedSamples(): number {
    return this.state.droppedSamples;
  }

  /**
   * Resolves when a new append becomes durable, or after `timeoutMs`, or when
   * `signal` aborts — whichever comes first. For a ship loop that idles.
   */
  waitForData(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        cancel();
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const cancel = this.clock.after(timeoutMs, done);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Flushes queued appends, then closes the active segment. Appends after close are refused. */
  close(): Promise<void> {
    return this.log.close();
  }
}
