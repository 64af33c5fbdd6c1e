import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import type { NewSample } from '../sample.js';
import { encodeRecord } from './record.js';
import { Spool } from './spool.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'pharos-spool-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function samples(n: number, probe = 'p', pad = 0): NewSample[] {
  return Array.from({ length: n }, (_, i) => ({
    probe,
    serverId: 1,
    object: `o${i}`,
    collectedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    value: { i, pad: 'x'.repeat(pad) },
  }));
}

async function segmentBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir)) if (f.endsWith('.spool')) n += (await stat(join(dir, f))).size;
  return n;
}

describe('spool', () => {
  it('gives consecutive ids and returns batches in order, at most N each', async () => {
    const dir = await tempDir();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1 });
    const written = await Promise.all([
      spool.append(samples(5)),
      spool.append(samples(4)),
      spool.append(samples(3)),
    ]);
    assert.deepEqual(
      written.flat().map((s) => s.sampleId),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const seen: number[] = [];
    for (;;) {
      const b = await spool.nextBatch(5);
      if (!b) break;
      assert.ok(b.samples.length <= 5);
      assert.equal(b.firstSampleId, b.samples[0]!.sampleId);
      assert.equal(b.lastSampleId, b.samples.at(-1)!.sampleId);
      seen.push(...b.samples.map((s) => s.sampleId));
      await spool.ack(b);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const st = await spool.stats();
    assert.equal(st.samples, 0);
    assert.equal(st.oldestCollectedAt, undefined);
    assert.equal(st.nextSampleId, 13);
    await spool.close();
  });

  it('round-trips sample content', async () => {
    const dir = await tempDir();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 10 });
    const input: NewSample = {
      probe: 'server_up',
      serverId: 3,
      object: 'tab\there "q" \\ ünï',
      collectedAt: '2024-01-02T03:04:05.678Z',
      value: { up: 0, error: 'line1\nline2', nested: { a: [1, null, true] } },
    };
    await spool.append([input]);
    const b = await spool.nextBatch(10);
    assert.deepEqual(b!.samples, [{ sampleId: 10, ...input }]);
    await spool.close();
  });

  it('keeps a batch (id and range) until acknowledged, across reopen', async () => {
    const dir = await tempDir();
    let spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1 });
    await spool.append(samples(10));
    const b1 = await spool.nextBatch(4);
    const again = await spool.nextBatch(4);
    assert.equal(again!.batchId, b1!.batchId);
    await spool.append(samples(3)); // more data does not change the pending batch
    assert.deepEqual(
      (await spool.nextBatch(100))!.samples.map((s) => s.sampleId),
      [1, 2, 3, 4],
    );
    await spool.close();

    spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    const b2 = await spool.nextBatch(100); // a different N after restart still gives the same batch
    assert.equal(b2!.batchId, b1!.batchId);
    assert.deepEqual(
      b2!.samples.map((s) => s.sampleId),
      [1, 2, 3, 4],
    );
    await spool.ack(b2!);
    const b3 = await spool.nextBatch(100);
    assert.notEqual(b3!.batchId, b1!.batchId);
    assert.equal(b3!.firstSampleId, 5);
    assert.equal(b3!.lastSampleId, 13);
    await spool.close();
  });

  it('never reuses a sample id after everything was acknowledged and the segments removed', async () => {
    const dir = await tempDir();
    // retention off: acknowledged segments go at once
    let spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 100, retainAckedMs: 0 });
    await spool.append(samples(5));
    const b = await spool.nextBatch(10);
    await spool.ack(b!);
    await spool.close();
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.spool')),
      [],
    );
    spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1 });
    const [s] = await spool.append(samples(1));
    assert.equal(s!.sampleId, 105);
    await spool.close();
  });

  it('defaults the first id of a new spool to microseconds since the epoch', async () => {
    const dir = await tempDir();
    const before = Date.now() * 1000;
    const spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    const [s] = await spool.append(samples(1));
    assert.ok(s!.sampleId >= before && s!.sampleId <= Date.now() * 1000 + 1);
    assert.ok(Number.isSafeInteger(s!.sampleId));
    await spool.close();
  });

  it('stays under its size bound by dropping the oldest samples, and counts them durably', async () => {
    const dir = await tempDir();
    const maxBytes = 64 * 1024;
    let spool = await Spool.open({ dir, maxBytes, segmentBytes: 8 * 1024, firstSampleId: 1 });
    const total = 1000;
    for (let i = 0; i < total / 10; i++) {
      await spool.append(samples(10, 'p', 200));
      assert.ok((await segmentBytes(dir)) <= maxBytes, 'on-disk size within the bound');
    }
    const st = await spool.stats();
    assert.ok(st.bytes <= maxBytes);
    assert.ok(st.droppedSamples > 0);
    assert.equal(st.droppedSamples + st.samples, total, 'every sample is either kept or counted as dropped');
    const b = await spool.nextBatch(5);
    assert.equal(b!.firstSampleId, st.droppedSamples + 1, 'the oldest were dropped');
    await spool.close();
    spool = await Spool.open({ dir, maxBytes, segmentBytes: 8 * 1024 });
    assert.equal(spool.droppedSamples, st.droppedSamples);
    const b2 = await spool.nextBatch(5);
    assert.equal(b2!.batchId, b!.batchId);
    await spool.close();
  });

  it('shrinks a pending batch whose oldest samples were dropped, keeping its id', async () => {
    const dir = await tempDir();
    const spool = await Spool.open({ dir, maxBytes: 16 * 1024, segmentBytes: 4096, firstSampleId: 1 });
    await spool.append(samples(10, 'p', 300)); // ~3.4 KB: one segment
    const b = await spool.nextBatch(1000);
    assert.equal(b!.lastSampleId, 10);
    for (let i = 0; i < 6; i++) await spool.append(samples(10, 'p', 300));
    const b2 = await spool.nextBatch(1000);
    if (b2!.batchId === b!.batchId) {
      assert.ok(b2!.firstSampleId > 1 && b2!.lastSampleId === 10);
    } else {
      assert.ok(b2!.firstSampleId > 10, 'the whole pending batch was dropped');
    }
    assert.ok(spool.droppedSamples > 0);
    await spool.close();
  });

  it('detects, discards and reports a torn last record', async () => {
    const dir = await tempDir();
    let spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1 });
    await spool.append(samples(3));
    await spool.close();
    const [seg] = (await readdir(dir)).filter((f) => f.endsWith('.spool'));
    const good = (await stat(join(dir, seg!))).size;
    const next = encodeRecord({ sampleId: 4, ...samples(1)[0]! });
    await appendFile(join(dir, seg!), next.subarray(0, next.length - 5)); // a write cut short
    spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    assert.equal(spool.openReport.tornRecords, 1);
    assert.equal(spool.openReport.discardedBytes, next.length - 5);
    assert.match(spool.openReport.details[0]!, /incomplete payload/);
    assert.equal((await stat(join(dir, seg!))).size, good);
    const [s4] = await spool.append(samples(1));
    assert.equal(s4!.sampleId, 4);
    const b = await spool.nextBatch(100);
    assert.deepEqual(
      b!.samples.map((s) => s.sampleId),
      [1, 2, 3, 4],
    );
    await spool.close();
  });

  it('detects a record with a bad checksum and zero-filled tails', async () => {
    const dir = await tempDir();
    let spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1 });
    await spool.append(samples(2));
    await spool.close();
    const [seg] = (await readdir(dir)).filter((f) => f.endsWith('.spool'));
    const bad = encodeRecord({ sampleId: 3, ...samples(1)[0]! });
    bad.writeUInt8(bad[bad.length - 2]! ^ 0xff, bad.length - 2);
    await appendFile(join(dir, seg!), bad);
    spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    assert.match(spool.openReport.details[0]!, /CRC mismatch/);
    await spool.close();
    await appendFile(join(dir, seg!), Buffer.alloc(4096));
    spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    assert.match(spool.openReport.details[0]!, /implausible record length 0/);
    assert.equal((await spool.stats()).samples, 2);
    await spool.close();
  });

  it('refuses a malformed state file with its name', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'state.json'), '{not json');
    await assert.rejects(Spool.open({ dir, maxBytes: 1 << 20 }), /state\.json is malformed/);
  });

  it('reports depth and the oldest unshipped sample', async () => {
    const dir = await tempDir();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1 });
    await spool.append(samples(3));
    const st = await spool.stats();
    assert.equal(st.samples, 3);
    assert.ok(st.bytes > 0);
    assert.equal(st.oldestCollectedAt, samples(1)[0]!.collectedAt);
    const b = await spool.nextBatch(2);
    await spool.ack(b!);
    const st2 = await spool.stats();
    assert.equal(st2.samples, 1);
    assert.equal(st2.oldestCollectedAt, samples(3)[2]!.collectedAt);
    await spool.close();
  });

  it('loses no acknowledged append when the process is killed with SIGKILL mid-stream', async () => {
    const dir = await tempDir();
    const spoolJs = fileURLToPath(new URL('./spool.js', import.meta.url));
    const script = `
      const { Spool } = await import(${JSON.stringify(spoolJs)});
      const spool = await Spool.open({ dir: ${JSON.stringify(dir)}, maxBytes: 1 << 26, firstSampleId: 1 });
      let n = 0;
      const one = async () => {
        for (;;) {
          const s = await spool.append([{ probe: 'k', serverId: 0, object: '', collectedAt: new Date().toISOString(), value: { n: n++, pad: 'y'.repeat(500) } }]);
          process.stdout.write(s[0].sampleId + '\\n');
        }
      };
      for (let i = 0; i < 8; i++) one();
      const batcher = async () => { for (;;) { const b = await spool.nextBatch(50); if (b && b.lastSampleId % 3 === 0) await spool.ack(b); await new Promise((r) => setImmediate(r)); } };
      batcher();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    // Kill mid-stream: once the child has appended a fair number (its start-up is slow on a loaded
    // machine), and while it is still appending (100 more since).
    const appended = () => out.match(/\n/g)?.length ?? 0;
    const n = await waitFor('the child to append 200 samples', () => appended() >= 200 && appended(), {
      deadlineMs: 60_000,
    });
    await waitFor('the child to go on appending', () => appended() >= n + 100, { deadlineMs: 30_000 });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const acked = out
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    assert.ok(acked.length > 50, `the child appended (${acked.length})`);
    const spool = await Spool.open({ dir, maxBytes: 1 << 26 });
    const present = new Set<number>();
    let pendingId: string | undefined;
    let first = true;
    for (;;) {
      const b = await spool.nextBatch(1000);
      if (!b) break;
      if (first) pendingId = b.batchId;
      first = false;
      for (const s of b.samples) present.add(s.sampleId);
      await spool.ack(b);
    }
    const st = await spool.stats();
    const consumedBefore = Math.min(...present);
    for (const id of acked) {
      if (id >= consumedBefore) assert.ok(present.has(id), `acknowledged sample ${id} survived`);
    }
    const sorted = [...present].sort((a, b) => a - b);
    sorted.forEach((id, i) => {
      assert.equal(id, sorted[0]! + i, 'no holes');
    });
    assert.ok(pendingId);
    assert.equal(st.samples, 0);
    await spool.close();
  });
});
