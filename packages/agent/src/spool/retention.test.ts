/**
 * The spool's retention of acknowledged batches (spool/retention.ts): kept
 * across a restart, expired by the clock (files removed), dropped first and
 * uncounted when the spool is full, and read back with the same ids and
 * samples. The clock is injected: no test waits for time to pass.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Logger } from '@pharos/core/log';
import { FakeClock } from '@pharos/testkit/clock/fake-clock';
import type { NewSample } from '../sample.js';
import { type Batch, Spool } from './spool.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'pharos-retain-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function samples(n: number, pad = 0): NewSample[] {
  return Array.from({ length: n }, (_, i) => ({
    probe: 'p',
    serverId: 1,
    object: `o${i}`,
    collectedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    value: { i, pad: 'x'.repeat(pad) },
  }));
}

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.spool'));
}

async function segmentBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await segmentFiles(dir)) n += (await stat(join(dir, f))).size;
  return n;
}

/** Ships (acknowledges) every waiting sample in batches of `size`, as `server`; returns the batches. */
async function shipAll(spool: Spool, size: number, server: string): Promise<Batch[]> {
  const out: Batch[] = [];
  for (;;) {
    const b = await spool.nextBatch(size);
    if (!b) return out;
    await spool.ack(b, server);
    out.push(b);
  }
}

const strip = (b: Batch) => ({
  batchId: b.batchId,
  firstSampleId: b.firstSampleId,
  lastSampleId: b.lastSampleId,
  samples: b.samples,
});

/** A logger that keeps what is logged (level and message), for assertions. */
function captureLogger(): { logger: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      lines.push({ level, msg: typeof obj === 'string' ? obj : (msg ?? '') });
    };
  const logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
  } as unknown as Logger;
  return { logger, lines };
}

describe('spool retention of acknowledged batches', () => {
  it('gives back acknowledged batches with the same ids and samples, also after a restart', async () => {
    const dir = await tempDir();
    const clock = new FakeClock(1_000_000);
    let spool = await Spool.open({
      dir,
      maxBytes: 1 << 20,
      firstSampleId: 1,
      retainAckedMs: 60_000,
      clock,
    });
    await spool.append(samples(10));
    const shipped = [await spool.nextBatch(4), await spool.nextBatch(4)];
    const b1 = shipped[0]!;
    await spool.ack(b1, 'server-a');
    await clock.advance(10);
    const b2 = (await spool.nextBatch(4))!;
    assert.notEqual(b2.batchId, b1.batchId);
    await spool.ack(b2, 'server-a');
    const pending = (await spool.nextBatch(4))!; // shipped, not acknowledged: not retained
    assert.deepEqual(
      pending.samples.map((s) => s.sampleId),
      [9, 10],
    );

    const kept = await spool.retainedBatches();
    assert.deepEqual(kept.map(strip), [strip(b1), strip(b2)]);
    assert.deepEqual(
      kept.map((b) => [b.ackedAt, b.ackedBy]),
      [
        [1_000_000, 'server-a'],
        [1_000_010, 'server-a'],
      ],
    );
    const st = await spool.stats();
    assert.equal(st.samples, 2, 'retained samples are not counted as unshipped');
    assert.equal(st.retainedBatches, 2);
    assert.equal(st.oldestCollectedAt, pending.samples[0]!.collectedAt);
    await spool.close();

    const saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { retained: unknown[] };
    assert.deepEqual(saved.retained, [
      {
        batchId: b1.batchId,
        firstSampleId: 1,
        lastSampleId: 4,
        sampleCount: 4,
        ackedAt: 1_000_000,
        ackedBy: 'server-a',
      },
      {
        batchId: b2.batchId,
        firstSampleId: 5,
        lastSampleId: 8,
        sampleCount: 4,
        ackedAt: 1_000_010,
        ackedBy: 'server-a',
      },
    ]);

    spool = await Spool.open({ dir, maxBytes: 1 << 20, retainAckedMs: 60_000, clock });
    assert.deepEqual((await spool.retainedBatches()).map(strip), [strip(b1), strip(b2)]);
    assert.equal((await spool.nextBatch(100))!.batchId, pending.batchId, 'the pending batch is unchanged');

    // filtering by the acknowledging server; a re-ship stamps the batch with the new server and time
    assert.equal((await spool.retainedBatches({ notAckedBy: 'server-a' })).length, 0);
    assert.equal((await spool.retainedBatches({ notAckedBy: 'server-b', max: 1 }))[0]?.batchId, b1.batchId);
    await clock.advance(20);
    await spool.ack(b1, 'server-b');
    const stale = await spool.retainedBatches({ notAckedBy: 'server-b' });
    assert.deepEqual(
      stale.map((b) => b.batchId),
      [b2.batchId],
    );
    const again = (await spool.retainedBatches()).find((b) => b.batchId === b1.batchId)!;
    assert.deepEqual([again.ackedAt, again.ackedBy], [1_000_030, 'server-b']);
    assert.equal(
      (await spool.stats()).samples,
      2,
      'acknowledging a retained batch again changes nothing else',
    );
    await spool.close();
  });

  it('lists retained ids without reading samples, and stamps the ones a server confirmed, durably', async () => {
    const dir = await tempDir();
    const clock = new FakeClock(2_000_000);
    let spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1, retainAckedMs: 60_000, clock });
    await spool.append(samples(12));
    const [b1, b2, b3] = await shipAll(spool, 4, 'server-a');
    assert.deepEqual(await spool.retainedIds(), [b1!.batchId, b2!.batchId, b3!.batchId]);
    assert.deepEqual(await spool.retainedIds({ notAckedBy: 'server-a' }), []);
    assert.deepEqual(await spool.retainedIds({ notAckedBy: 'server-b', max: 2 }), [b1!.batchId, b2!.batchId]);

    await clock.advance(50_000);
    // server-b has b1 and b3 (and answers an id the spool does not retain, which is ignored)
    assert.equal(await spool.confirmRetained([b3!.batchId, b1!.batchId, 'not-retained'], 'server-b'), 2);
    assert.deepEqual(await spool.retainedIds({ notAckedBy: 'server-b' }), [b2!.batchId]);
    await spool.close();
    spool = await Spool.open({ dir, maxBytes: 1 << 20, retainAckedMs: 60_000, clock });
    assert.deepEqual(
      (await spool.retainedBatches()).map((b) => [b.batchId, b.ackedAt, b.ackedBy]),
      [
        [b1!.batchId, 2_050_000, 'server-b'],
        [b2!.batchId, 2_000_000, 'server-a'],
        [b3!.batchId, 2_050_000, 'server-b'],
      ],
      'confirmed batches take the time and server, kept across a restart',
    );
    // a confirmation restarts the window: b2 expires, b1 and b3 stay
    await clock.advance(20_000);
    assert.deepEqual(await spool.retainedIds(), [b1!.batchId, b3!.batchId]);
    assert.equal(
      await spool.confirmRetained([b2!.batchId], 'server-c'),
      0,
      'an expired batch is not stamped',
    );
    await spool.close();
  });

  it('forgets expired batches and removes their segment files, at run time and at open', async () => {
    const dir = await tempDir();
    const clock = new FakeClock(5_000_000);
    const opts = { dir, maxBytes: 1 << 20, segmentBytes: 4096, retainAckedMs: 1000, clock };
    let spool = await Spool.open({ ...opts, firstSampleId: 1 });
    for (let i = 0; i < 8; i++) await spool.append(samples(5, 300)); // ~14 KB: several segments
    const first = await shipAll(spool, 10, 'a');
    assert.equal(first.length, 4);
    const files = await segmentFiles(dir);
    assert.ok(files.length >= 3, `acknowledged segments kept (${files.length})`);
    await clock.advance(999);
    assert.equal((await spool.retainedBatches()).length, 4, 'still within the window');
    assert.deepEqual(await segmentFiles(dir), files);
    await clock.advance(1);
    assert.equal(await spool.nextBatch(10), undefined);
    assert.deepEqual(await segmentFiles(dir), [], 'expired: every segment file removed');
    assert.equal((await spool.stats()).retainedBatches, 0);
    assert.deepEqual(await spool.retainedBatches(), []);

    // at open: acknowledged, then closed, then reopened after the window
    for (let i = 0; i < 4; i++) await spool.append(samples(5, 300));
    await shipAll(spool, 10, 'a');
    await spool.close();
    assert.ok((await segmentFiles(dir)).length > 0);
    await clock.advance(1000);
    spool = await Spool.open(opts);
    assert.deepEqual(await segmentFiles(dir), []);
    assert.deepEqual(await spool.retainedBatches(), []);
    const saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { retained: unknown[] };
    assert.deepEqual(saved.retained, []);
    const [s] = await spool.append(samples(1));
    assert.equal(s!.sampleId, 61, 'ids go on');
    await spool.close();
  });

  it('when full, drops retained data before any unshipped sample, without counting it as dropped', async () => {
    const dir = await tempDir();
    const maxBytes = 16 * 1024;
    const { logger, lines } = captureLogger();
    const spool = await Spool.open({
      dir,
      maxBytes,
      segmentBytes: 4096,
      firstSampleId: 1,
      retainAckedMs: 3_600_000,
      logger,
    });
    for (let i = 0; i < 6; i++) await spool.append(samples(5, 300)); // ~10.5 KB
    const acked = await shipAll(spool, 10, 'a');
    const byId = new Map(acked.map((b) => [b.batchId, b]));
    assert.equal((await spool.retainedBatches()).length, 3);

    // 20 unshipped samples (~7 KB) do not fit beside ~10.5 KB of retained data
    for (let i = 0; i < 4; i++) await spool.append(samples(5, 300));
    const st = await spool.stats();
    assert.equal(st.droppedSamples, 0, 'only acknowledged data was dropped');
    assert.equal(st.samples, 20, 'every unshipped sample kept');
    assert.ok(st.bytes <= maxBytes && (await segmentBytes(dir)) <= maxBytes);
    const left = await spool.retainedBatches();
    assert.ok(left.length < 3, 'retained data made room');
    for (const b of left) assert.deepEqual(strip(b), strip(byId.get(b.batchId)!), 'a kept batch is intact');
    assert.ok(lines.some((l) => l.level === 'info' && /nothing lost/.test(l.msg)));
    assert.ok(!lines.some((l) => l.level === 'warn'));
    const next = (await spool.nextBatch(100))!;
    assert.equal(next.firstSampleId, 31, 'the unshipped samples are intact');
    assert.equal(next.samples.length, 20);

    // more: unshipped samples are dropped only once no retained batch is left
    for (let i = 0; i < 40 && spool.droppedSamples === 0; i++) {
      await spool.append(samples(5, 300));
      if (spool.droppedSamples === 0) continue;
      assert.deepEqual(await spool.retainedBatches(), [], 'retained data went first');
    }
    assert.ok(spool.droppedSamples > 0);
    assert.ok(lines.some((l) => l.level === 'warn' && /oldest unshipped samples/.test(l.msg)));
    await spool.close();
  });

  it('leaves out a retained batch whose samples are no longer all on disk', async () => {
    const dir = await tempDir();
    // segments of ~4 KB: the first batch (12 samples, ~4.2 KB) spans two files
    const spool = await Spool.open({
      dir,
      maxBytes: 12 * 1024,
      segmentBytes: 4096,
      firstSampleId: 1,
      retainAckedMs: 3_600_000,
    });
    await spool.append(samples(6, 300));
    await spool.append(samples(6, 300));
    const [b1] = await shipAll(spool, 12, 'a');
    assert.equal((await spool.retainedBatches())[0]?.batchId, b1!.batchId);
    await spool.append(samples(2, 300));
    // push out the first segment only: b1 loses its first samples, so it must not come back
    for (let i = 0; i < 10 && (await spool.retainedBatches()).length > 0; i++) {
      await spool.append(samples(3, 300));
    }
    const oldest = Number((await segmentFiles(dir)).sort()[0]!.slice(4, 24));
    assert.ok(oldest > 1 && oldest <= 12, `part of the batch is still on disk (from ${oldest})`);
    assert.deepEqual(await spool.retainedBatches(), []);
    assert.equal(spool.droppedSamples, 0);
    await spool.close();
  });

  it('checks a retained batch against what is on disk when reading it', async () => {
    const dir = await tempDir();
    const opts = { dir, maxBytes: 1 << 20, segmentBytes: 4096, retainAckedMs: 3_600_000 };
    let spool = await Spool.open({ ...opts, firstSampleId: 1 });
    for (let i = 0; i < 6; i++) await spool.append(samples(5, 300)); // ~10.5 KB: three segments
    const acked = await shipAll(spool, 6, 'a');
    await spool.close();
    const files = (await segmentFiles(dir)).sort();
    assert.ok(files.length >= 3);
    await rm(join(dir, files[1]!)); // a middle segment lost (damage): the batches with samples in it are incomplete
    const lostFirst = Number(files[1]!.slice(4, 24));
    const lostLast = Number(files[2]!.slice(4, 24)) - 1;
    spool = await Spool.open(opts);
    const back = await spool.retainedBatches();
    const intact = acked.filter((b) => b.lastSampleId < lostFirst || b.firstSampleId > lostLast);
    assert.ok(intact.length > 0 && intact.length < acked.length);
    assert.deepEqual(back.map(strip), intact.map(strip));
    assert.equal((await spool.stats()).retainedBatches, intact.length, 'the incomplete ones are forgotten');
    await spool.close();
  });
});
