/**
 * The agent's durable on-disk spool (DESIGN.md §2, issue 5).
 *
 * Layout of the spool directory:
 * - `seg-<first sample id, 20 digits>.spool`: append-only segment files of
 *   records (spool/record.ts), sample ids increasing by one within a file;
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
 *   `pem.ingest_batch` recognises a repeated batch id, so a retry after a lost
 *   acknowledgement stores nothing twice.
 * - Retention of acknowledged batches (spool/retention.ts): the backend
 *   replicates asynchronously, so a batch it acknowledged can be lost in a
 *   failover. After {@link Spool.ack} the batch's record (id, sample range,
 *   count, acknowledgement time and server) stays in `state.json`, and its
 *   samples on disk, for `retainAckedMs` (default 5 min; 0 disables);
 *   {@link Spool.retainedBatches} returns them with the same ids and samples
 *   for a re-ship (ship/shipper.ts). A segment file is removed only when every
 *   sample in it is acknowledged (or dropped) and no retained batch names one
 *   of them. A re-ship acknowledged by another server restarts the batch's
 *   window. Retention survives restarts; expired records are pruned. Limit: a
 *   failover loss is repaired only if the agent reaches the new primary within
 *   the window; `pem.ingest_batch`'s batch-id dedup keeps the repair exactly
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
import { type FileHandle, mkdir, open, readdir, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@pharos/core/log';
import type { NewSample, Sample } from '../sample.js';
import { type Clock, systemClock } from '../schedule/clock.js';
import { RecordPositions } from './positions.js';
import { decodeRecord, encodeRecord, HEADER_BYTES, MAX_RECORD_BYTES } from './record.js';
import {
  DEFAULT_RETAIN_ACKED_MS,
  matchesRecord,
  overlapsAny,
  survivingDrop,
  unexpired,
  withAck,
} from './retention.js';
import {
  type PendingBatch,
  type RetainedBatch,
  readState,
  type SpoolState,
  syncDir,
  writeState,
} from './state.js';

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

/** What {@link Spool.open} found: torn tails discarded, and where. */
export interface OpenReport {
  tornRecords: number;
  discardedBytes: number;
  details: string[];
}

interface Segment {
  name: string;
  firstId: number;
  /** Last sample id in the file; firstId - 1 when empty. */
  lastId: number;
  /** Durable length, bytes (what readers may read). */
  bytes: number;
}

interface QueuedAppend {
  records: Buffer[];
  samples: Sample[];
  resolve: (s: Sample[]) => void;
  reject: (e: unknown) => void;
}

const SEGMENT_RE = /^seg-(\d{20})\.spool$/;

function segmentName(firstId: number): string {
  return `seg-${String(firstId).padStart(20, '0')}.spool`;
}

/** A tiny mutex: runs async functions one at a time, in call order. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn, fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

/** The durable spool; see the module comment for its guarantees. Create with {@link Spool.open}. */
export class Spool {
  /** Torn records found and discarded when the spool was opened. */
  readonly openReport: OpenReport;
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly retainAckedMs: number;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private state: SpoolState;
  private segments: Segment[];
  private nextId: number;
  private active: { seg: Segment; fh: FileHandle } | undefined;
  private readonly serial = new Serial();
  private queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly positions = new RecordPositions();

  private constructor(opts: SpoolOptions, state: SpoolState, segments: Segment[], report: OpenReport) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.segmentBytes =
      opts.segmentBytes ?? Math.min(4 * 1024 * 1024, Math.max(4096, Math.floor(opts.maxBytes / 16)));
    this.logger = opts.logger;
    this.retainAckedMs = opts.retainAckedMs ?? DEFAULT_RETAIN_ACKED_MS;
    this.clock = opts.clock ?? systemClock;
    this.state = state;
    this.segments = segments;
    this.openReport = report;
    const lastInSegments = segments.at(-1)?.lastId ?? 0;
    this.nextId =
      Math.max(state.consumedThrough, state.issuedThrough, lastInSegments, state.pending?.lastSampleId ?? 0) +
      1;
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
    const names = (await readdir(opts.dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    // Without a state file (a new spool, or one whose state file was removed), keep whatever segments hold.
    const firstOnDisk = names[0] === undefined ? undefined : Number(SEGMENT_RE.exec(names[0])![1]);
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
    const report: OpenReport = { tornRecords: 0, discardedBytes: 0, details: [] };
    const segments: Segment[] = [];
    for (const name of names) {
      const path = join(opts.dir, name);
      const firstId = Number(SEGMENT_RE.exec(name)![1]);
      const buf = await readWhole(path);
      let offset = 0;
      let lastId = firstId - 1;
      for (;;) {
        const r = decodeRecord(buf, offset);
        if (r.kind === 'end') break;
        if (r.kind === 'ok' && r.sample.sampleId === lastId + 1) {
          lastId = r.sample.sampleId;
          offset += r.bytes;
          continue;
        }
        const reason =
          r.kind === 'torn' ? r.reason : `sample id ${r.sample.sampleId} where ${lastId + 1} was expected`;
        const discarded = buf.length - offset;
        report.tornRecords++;
        report.discardedBytes += discarded;
        report.details.push(
          `${name}: torn record at byte ${offset} (${reason}); ${discarded} bytes discarded`,
        );
        await truncate(path, offset);
        break;
      }
      if (
        lastId < firstId ||
        (lastId <= state.consumedThrough && !overlapsAny(state.retained, firstId, lastId))
      ) {
        await unlink(path);
        continue;
      }
      segments.push({ name, firstId, lastId, bytes: offset });
    }
    if (names.length > 0) await syncDir(opts.dir);
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
    if (this.closed) return Promise.reject(new Error('spool is closed'));
    if (samples.length === 0) return Promise.resolve([]);
    const withIds: Sample[] = [];
    const records: Buffer[] = [];
    let id = this.nextId;
    for (const s of samples) {
      const full: Sample = { sampleId: id++, ...s };
      records.push(encodeRecord(full));
      withIds.push(full);
    }
    this.nextId = id;
    return new Promise<Sample[]>((resolve, reject) => {
      this.queue.push({ records, samples: withIds, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          void this.serial.run(() => this.flush());
        });
      }
    });
  }

  /** Writes every queued append as one group and fdatasyncs it. Runs under `serial`. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    const buf = Buffer.concat(group.flatMap((g) => g.records));
    const firstId = group[0]!.samples[0]!.sampleId;
    const lastId = group.at(-1)!.samples.at(-1)!.sampleId;
    try {
      await this.makeRoom(buf.length);
      if (
        this.active &&
        this.active.seg.bytes > 0 &&
        this.active.seg.bytes + buf.length > this.segmentBytes
      ) {
        await this.rollActive();
      }
      if (!this.active) {
        const seg: Segment = { name: segmentName(firstId), firstId, lastId: firstId - 1, bytes: 0 };
        const fh = await open(join(this.dir, seg.name), 'a', 0o600);
        await syncDir(this.dir);
        this.segments.push(seg);
        this.active = { seg, fh };
      }
      const { seg, fh } = this.active;
      if (seg.lastId + 1 !== firstId) {
        // ids skipped (an earlier failed write): start a new segment so ids stay consecutive within a file.
        await this.rollActive();
        return this.retryGroup(group);
      }
      try {
        await fh.write(buf, 0, buf.length);
        await fh.datasync();
      } catch (err) {
        await fh.truncate(seg.bytes).catch(() => undefined);
        throw err;
      }
      seg.bytes += buf.length;
      seg.lastId = lastId;
    } catch (err) {
      for (const g of group) g.reject(err);
      return;
    }
    for (const g of group) g.resolve(g.samples);
    this.wake();
  }

  private async retryGroup(group: QueuedAppend[]): Promise<void> {
    this.queue = [...group, ...this.queue];
    return this.flush();
  }

  /** Closes the active segment; the next append starts a new one. */
  private async rollActive(): Promise<void> {
    const a = this.active;
    this.active = undefined;
    if (!a) return;
    await a.fh.close();
    if (a.seg.lastId < a.seg.firstId) {
      this.segments = this.segments.filter((s) => s !== a.seg);
      this.positions.forgetSegment(a.seg.name);
      await unlink(join(this.dir, a.seg.name)).catch(() => undefined);
    }
  }

  /**
   * Drops whole oldest segments until `incoming` more bytes fit under
   * maxBytes. The oldest samples are the acknowledged ones, so retained data
   * goes before any unshipped sample; only unshipped samples count as dropped.
   */
  private async makeRoom(incoming: number): Promise<void> {
    let total = this.segments.reduce((n, s) => n + s.bytes, 0);
    let dropped = 0;
    let droppedThrough = Number.NEGATIVE_INFINITY;
    const gone: Segment[] = [];
    while (total + incoming > this.maxBytes && this.segments.length > 0) {
      const oldest = this.segments[0]!;
      if (this.active?.seg === oldest) await this.rollActive();
      if (this.segments[0] !== oldest) continue; // it was empty and is gone
      this.segments.shift();
      gone.push(oldest);
      total -= oldest.bytes;
      dropped += Math.max(0, oldest.lastId - Math.max(oldest.firstId - 1, this.state.consumedThrough));
      droppedThrough = oldest.lastId;
      this.state.consumedThrough = Math.max(this.state.consumedThrough, oldest.lastId);
    }
    if (gone.length === 0) return;
    this.state.droppedSamples += dropped;
    const retainedBefore = this.state.retained.length;
    this.state.retained = survivingDrop(this.state.retained, droppedThrough);
    const forgotten = retainedBefore - this.state.retained.length;
    const p = this.state.pending;
    if (p) {
      p.firstSampleId = Math.max(p.firstSampleId, this.state.consumedThrough + 1);
      if (p.firstSampleId > p.lastSampleId) this.state.pending = null;
    }
    for (const s of gone) this.positions.forgetSegment(s.name);
    await this.saveState();
    for (const s of gone) await unlink(join(this.dir, s.name));
    await syncDir(this.dir);
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
  }

  private async saveState(): Promise<void> {
    this.state.issuedThrough = Math.max(this.state.issuedThrough, this.nextId - 1);
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
    return this.serial.run(async () => {
      await this.expireRetained();
      const p = this.state.pending;
      if (p) {
        const samples = await this.readFrom(p.firstSampleId, p.lastSampleId - p.firstSampleId + 1);
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
      const samples = await this.readFrom(this.state.consumedThrough + 1, maxSamples);
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
    return this.serial.run(async () => {
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
   * Runs under `serial`.
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
   * dropped) and named by no retained batch. Runs under `serial`, after the
   * state that makes them unneeded is persisted.
   */
  private async removeUnneededSegments(): Promise<void> {
    const unneeded = (s: Segment) =>
      s.lastId <= this.state.consumedThrough && !overlapsAny(this.state.retained, s.firstId, s.lastId);
    const done = this.segments.filter((s) => s !== this.active?.seg && unneeded(s));
    if (this.active && unneeded(this.active.seg) && this.queue.length === 0) {
      done.push(this.active.seg);
      await this.rollActive();
    }
    if (done.length === 0) return;
    this.segments = this.segments.filter((s) => !done.includes(s));
    for (const s of done) {
      this.positions.forgetSegment(s.name);
      await unlink(join(this.dir, s.name)).catch(() => undefined);
    }
    await syncDir(this.dir);
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
    return this.serial.run(async () => {
      await this.expireRetained();
      const max = filter.max ?? Number.POSITIVE_INFINITY;
      const out: RetainedShipBatch[] = [];
      const broken: RetainedBatch[] = [];
      for (const r of this.state.retained) {
        if (out.length >= max) break;
        if (filter.notAckedBy !== undefined && r.ackedBy === filter.notAckedBy) continue;
        const samples = (await this.readFrom(r.firstSampleId, r.sampleCount)).filter(
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

  /** Reads up to `max` durable samples with id >= `fromId`, in order. Runs under `serial`. */
  private async readFrom(fromId: number, max: number): Promise<Sample[]> {
    const out: Sample[] = [];
    for (const seg of this.segments) {
      if (out.length >= max) break;
      if (seg.lastId < fromId || seg.bytes === 0) continue;
      let last: { id: number; end: number } | undefined;
      let offset = fromId > seg.firstId ? this.positions.startFor(seg.name, fromId) : 0;
      let noted = false;
      const fh = await open(join(this.dir, seg.name), 'r');
      try {
        // Each chunk holds at least one whole record (READ_CHUNK_BYTES >= the largest record).
        while (out.length < max && offset < seg.bytes) {
          const buf = await readAt(fh, offset, Math.min(seg.bytes, offset + READ_CHUNK_BYTES));
          let pos = 0;
          while (out.length < max) {
            const r = decodeRecord(buf, pos);
            if (r.kind !== 'ok') break; // end of chunk (a record cut by the chunk boundary is read next round)
            if (r.sample.sampleId >= fromId) {
              if (!noted) this.positions.note(r.sample.sampleId, seg.name, offset + pos);
              noted = true;
              out.push(r.sample);
            }
            pos += r.bytes;
            last = { id: r.sample.sampleId, end: offset + pos };
          }
          if (pos === 0) throw new Error(`spool segment ${seg.name} is unreadable at byte ${offset}`);
          offset += pos;
        }
      } finally {
        await fh.close();
      }
      if (last) this.positions.note(last.id + 1, seg.name, last.end);
      fromId = Math.max(fromId, seg.lastId + 1);
    }
    return out;
  }

  /** Current figures (reads one record from disk for the oldest unacknowledged sample's time). */
  stats(): Promise<SpoolStats> {
    return this.serial.run(async () => {
      const oldest = (await this.readFrom(this.state.consumedThrough + 1, 1))[0];
      let samples = 0;
      for (const s of this.segments)
        samples += Math.max(0, s.lastId - Math.max(s.firstId - 1, this.state.consumedThrough));
      return {
        bytes: this.segments.reduce((n, s) => n + s.bytes, 0),
        samples,
        oldestCollectedAt: oldest?.collectedAt,
        droppedSamples: this.state.droppedSamples,
        retainedBatches: unexpired(this.state.retained, this.clock.now(), this.retainAckedMs).length,
        nextSampleId: this.nextId,
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
    this.closed = true;
    return this.serial.run(async () => {
      await this.flush();
      await this.rollActive();
      this.wake();
    });
  }
}

/** Bytes read per step when building a batch: one maximal record plus its header, at least. */
const READ_CHUNK_BYTES = HEADER_BYTES + MAX_RECORD_BYTES;

async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    return await readAt(fh, 0, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(Math.max(0, to - from));
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
