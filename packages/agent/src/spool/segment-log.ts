/**
 * The spool's segment log: samples as records (spool/record.ts) in
 * append-only files `seg-<first sample id, 20 digits>.spool`, sample ids
 * increasing by one within a file. The bytes, ids and fsync of the spool; the
 * batch ledger over it is spool/spool.ts.
 *
 * - Recovery ({@link SegmentLog.recover}): a segment whose tail does not decode
 *   (a torn record) is truncated at the last good record; segments the ledger
 *   no longer needs are removed.
 * - Group commit ({@link SegmentLog.append}): every append made while a flush
 *   is running, or in the same event-loop turn, shares one write and one
 *   fdatasync; an append resolves only once its records are durable.
 * - Roll: a segment closes at `segmentBytes`; ids skipped by a failed write
 *   start a new one, so ids stay consecutive within a file.
 * - Size bound: when an append would take the files over `maxBytes`, whole
 *   oldest segments are dropped first; the ledger is told (and persists what
 *   that means) before the files go.
 *
 * One process per spool directory (not locked).
 */
import { type FileHandle, open, readdir, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewSample, Sample } from '../sample.js';
import { RecordPositions } from './positions.js';
import { decodeRecord, encodeRecord, HEADER_BYTES, MAX_RECORD_BYTES } from './record.js';
import { syncDir } from './state.js';

/** One segment file. */
export interface Segment {
  name: string;
  firstId: number;
  /** Last sample id in the file; firstId - 1 when empty. */
  lastId: number;
  /** Durable length, bytes (what readers may read). */
  bytes: number;
}

/** What {@link SegmentLog.recover} found: torn tails discarded, and where. */
export interface OpenReport {
  tornRecords: number;
  discardedBytes: number;
  details: string[];
}

/** Options of a {@link SegmentLog}. */
export interface SegmentLogOptions {
  dir: string;
  /** Size bound of all segment files together, bytes. */
  maxBytes: number;
  /** Segment size before rolling to a new file, bytes. */
  segmentBytes: number;
  /**
   * Called when an append drops whole oldest segments to stay under `maxBytes`
   * (they are already out of the log, their files not yet removed): the
   * ledger persists what that means. What it returns is called once the files
   * are removed (to report the drop).
   */
  onDropOldest(gone: readonly Segment[]): Promise<() => void>;
  /** Called when appended records became durable. */
  onDurable(): void;
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

/** Bytes read per step when building a batch: one maximal record plus its header, at least. */
const READ_CHUNK_BYTES = HEADER_BYTES + MAX_RECORD_BYTES;

/** The segment files of a spool; see the module comment. Open with {@link SegmentLog.recover}, then `new`. */
export class SegmentLog {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly hooks: Pick<SegmentLogOptions, 'onDropOldest' | 'onDurable'>;
  private segments: Segment[];
  private nextId: number;
  private active: { seg: Segment; fh: FileHandle } | undefined;
  private readonly serial = new Serial();
  private queue: QueuedAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly positions = new RecordPositions();

  /**
   * @param segments what {@link SegmentLog.recover} found
   * @param firstFreeId the id the next appended sample gets
   */
  constructor(opts: SegmentLogOptions, segments: Segment[], firstFreeId: number) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.segmentBytes = opts.segmentBytes;
    this.hooks = opts;
    this.segments = segments;
    this.nextId = firstFreeId;
  }

  /** First sample id of the oldest segment file in `dir`, undefined when there is none. */
  static async firstIdOnDisk(dir: string): Promise<number | undefined> {
    const names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    return names[0] === undefined ? undefined : Number(SEGMENT_RE.exec(names[0])![1]);
  }

  /**
   * Reads every segment file of `dir`: truncates a torn tail at the last good
   * record (reported), and removes a segment that is empty or that `isNeeded`
   * (its first and last sample id) says is no longer needed.
   * @returns the segments kept, oldest first, and what was discarded
   */
  static async recover(
    dir: string,
    isNeeded: (firstId: number, lastId: number) => boolean,
  ): Promise<{ segments: Segment[]; report: OpenReport }> {
    const names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    const report: OpenReport = { tornRecords: 0, discardedBytes: 0, details: [] };
    const segments: Segment[] = [];
    for (const name of names) {
      const path = join(dir, name);
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
      if (lastId < firstId || !isNeeded(firstId, lastId)) {
        await unlink(path);
        continue;
      }
      segments.push({ name, firstId, lastId, bytes: offset });
    }
    if (names.length > 0) await syncDir(dir);
    return { segments, report };
  }

  /** Runs `fn` alone: no append is flushed and no other such call runs meanwhile. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(fn);
  }

  /** Id the next appended sample gets. */
  get nextSampleId(): number {
    return this.nextId;
  }

  /** Bytes of the segment files on disk. */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  /** Durable samples with an id above `id`. */
  samplesAfter(id: number): number {
    let samples = 0;
    for (const s of this.segments) samples += Math.max(0, s.lastId - Math.max(s.firstId - 1, id));
    return samples;
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
    this.hooks.onDurable();
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
   * maxBytes, telling the ledger ({@link SegmentLogOptions.onDropOldest})
   * before the files are removed.
   */
  private async makeRoom(incoming: number): Promise<void> {
    let total = this.bytes;
    const gone: Segment[] = [];
    while (total + incoming > this.maxBytes && this.segments.length > 0) {
      const oldest = this.segments[0]!;
      if (this.active?.seg === oldest) await this.rollActive();
      if (this.segments[0] !== oldest) continue; // it was empty and is gone
      this.segments.shift();
      gone.push(oldest);
      total -= oldest.bytes;
    }
    if (gone.length === 0) return;
    for (const s of gone) this.positions.forgetSegment(s.name);
    const report = await this.hooks.onDropOldest(gone);
    for (const s of gone) await unlink(join(this.dir, s.name));
    await syncDir(this.dir);
    report();
  }

  /**
   * Removes the segment files `unneeded` says are no longer needed (the active
   * one only when no append is queued). Runs under `serial`, after the ledger
   * state that makes them unneeded is persisted.
   */
  async removeSegments(unneeded: (s: Segment) => boolean): Promise<void> {
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

  /** Reads up to `max` durable samples with id >= `fromId`, in order. Runs under `serial`. */
  async readFrom(fromId: number, max: number): Promise<Sample[]> {
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

  /** Flushes queued appends, then closes the active segment. Appends after close are refused. */
  close(): Promise<void> {
    this.closed = true;
    return this.serial.run(async () => {
      await this.flush();
      await this.rollActive();
      this.hooks.onDurable();
    });
  }
}

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
