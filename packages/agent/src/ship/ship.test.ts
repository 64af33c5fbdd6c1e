import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { HaResult } from '@pharos/core/ha/connection';
import { createLogger } from '@pharos/core/log';
import type { Queryable, QueryOptions } from '@pharos/core/query';
import { FakeClock } from '@pharos/testkit/clock/fake-clock';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { Spool } from '../spool/spool.js';
import { copyTextRow, escapeCopyText } from './copy-text.js';
import { ingestArrays } from './ingest-arrays.js';
import { failoverWaitMs, Shipper } from './shipper.js';

const logger = createLogger('ship-test', { level: 'silent' });
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('COPY text encoding', () => {
  it('escapes backslash, newline, carriage return and tab', () => {
    assert.equal(escapeCopyText('a\\b\nc\rd\te'), 'a\\\\b\\nc\\rd\\te');
  });
  it('writes one row with JSON whose escapes survive COPY', () => {
    const row = copyTextRow({
      sampleId: 7,
      serverId: 2,
      probe: 'p',
      object: 'x\ty',
      collectedAt: '2024-01-01T00:00:00.000Z',
      value: { msg: 'line1\nline2 "q" \\' },
    });
    // JSON.stringify gives {"msg":"line1\nline2 \"q\" \\"} (backslash escapes); COPY doubles each backslash
    assert.equal(
      row,
      '7\t2\tp\tx\\ty\t2024-01-01T00:00:00.000Z\t{"msg":"line1\\\\nline2 \\\\"q\\\\" \\\\\\\\"}\n',
    );
  });
});

/**
 * A fake backend with ingest_samples and agent_stored_batches semantics:
 * remembers batch ids; answers which of the asked ids it has (or fails with
 * 42883 when `lacksStoredBatches`, as a backend of an older release); can lose
 * the acknowledgement of a commit; reports a server identity (`server` stands
 * for the address: change it to simulate a failover). The real functions are
 * tested against PostgreSQL in ship/replay.int.test.ts.
 */
class FakeBackend implements Queryable {
  readonly stored = new Map<string, number[]>();
  loseNextAck = 0;
  failNext = 0;
  failCode = 'ECONNRESET';
  server = '127.0.0.1';
  /** Ship statements sent so far; the one with this number (1-based) fails. */
  transactions = 0;
  failTransaction = 0;
  /** The options of each ship statement, in order. */
  readonly options: (QueryOptions | undefined)[] = [];
  /** Each statement in order: `ingest <batch id>` or `asked <n ids>`. */
  readonly log: string[] = [];
  lacksStoredBatches = false;
  async query<R>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<HaResult<R>> {
    assert.match(sql, /pem\.(ingest_samples|agent_stored_batches)/);
    this.transactions++;
    this.options.push(opts);
    if (this.failNext > 0 || this.transactions === this.failTransaction) {
      this.failNext = Math.max(0, this.failNext - 1);
      throw Object.assign(new Error('connection refused'), { code: this.failCode });
    }
    const identity = { server_addr: this.server, server_port: 5432, server_started: '1.5' };
    if (/agent_stored_batches/.test(sql)) {
      if (this.lacksStoredBatches) {
        throw Object.assign(new Error('function pem.agent_stored_batches(integer, uuid[]) does not exist'), {
          code: '42883',
        });
      }
      const asked = params![1] as string[];
      this.log.push(`asked ${asked.length}`);
      const row = { stored: asked.filter((id) => this.stored.has(id)), ...identity };
      return { rows: [row] as R[], rowCount: 1 };
    }
    const id = String(params![1]);
    this.log.push(`ingest ${id}`);
    const rows = params![2] as number[];
    const result = !this.stored.has(id);
    if (result) this.stored.set(id, [...rows]);
    if (this.loseNextAck > 0) {
      this.loseNextAck--;
      throw Object.assign(new Error('Connection terminated unexpectedly'), {});
    }
    const row = { stored: result, ...identity };
    return { rows: [row] as R[], rowCount: 1 };
  }
}

describe('ingest arrays', () => {
  it('gives element k of each array from sample k, the values as one JSON array', () => {
    const a = ingestArrays([
      {
        sampleId: 7,
        serverId: 2,
        probe: 'p',
        object: 'x"y',
        collectedAt: '2024-01-01T00:00:00.000Z',
        value: { a: 1 },
      },
      {
        sampleId: 8,
        serverId: 0,
        probe: 'q',
        object: '',
        collectedAt: '2024-01-01T00:00:01.000Z',
        value: { m: 'a\\"b' },
      },
    ]);
    assert.deepEqual(a, {
      sampleIds: [7, 8],
      serverIds: [2, 0],
      probes: ['p', 'q'],
      objects: ['x"y', ''],
      collectedAts: ['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:01.000Z'],
      valuesJson: '[{"a":1},{"m":"a\\\\\\"b"}]',
    });
    assert.deepEqual(JSON.parse(a.valuesJson)[1], { m: 'a\\"b' });
  });
});

describe('shipper', () => {
  it('ships every sample exactly once through lost acknowledgements and failures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-ship-'));
    dirs.push(dir);
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1 });
    const backend = new FakeBackend();
    const shipper = new Shipper({
      agentId: 1,
      spool,
      conn: backend,
      logger,
      batchSize: 7,
      maxFailoverBackoffMs: 20,
      idleWaitMs: 20,
    });
    shipper.start();
    for (let i = 0; i < 10; i++) {
      const attempts = backend.transactions;
      await spool.append(
        Array.from({ length: 5 }, () => ({
          probe: 'p',
          serverId: 0,
          object: '',
          collectedAt: new Date().toISOString(),
          value: { i },
        })),
      );
      if (i === 3) backend.loseNextAck = 2;
      if (i === 6) backend.failNext = 3;
      // interleave appends with shipping: the shipper tries once more before the next append
      await waitFor(`a ship attempt after append ${i}`, () => backend.transactions > attempts);
    }
    await waitFor('the spool to be shipped empty', async () => (await spool.stats()).samples === 0);
    await shipper.stop();
    const all = [...backend.stored.values()].flat().sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(shipper.stats.repeatedBatches >= 1, 'a retried batch was recognised');
    assert.ok(shipper.stats.shipErrors >= 5);
    assert.equal(shipper.stats.shippedSamples, 50);
    assert.ok(shipper.stats.lastUploadLatencyMs !== null);
    await spool.close();
  });

  /** A spool with retention, a fake backend and a shipper of batches of 5, with the warnings it logs. */
  async function reshipSetup(): Promise<{
    spool: Spool;
    backend: FakeBackend;
    shipper: Shipper;
    warnings: string[];
    append: (n: number) => Promise<unknown>;
    storedIds: () => number[];
  }> {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-ship-'));
    dirs.push(dir);
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1, retainAckedMs: 3_600_000 });
    const backend = new FakeBackend();
    const warnings: string[] = [];
    const capture = Object.assign(Object.create(logger) as typeof logger, {
      warn: (_o: unknown, msg: string) => {
        warnings.push(msg);
      },
    });
    const shipper = new Shipper({ agentId: 1, spool, conn: backend, logger: capture, batchSize: 5 });
    const sample = (i: number) => ({
      probe: 'p',
      serverId: 0,
      object: '',
      collectedAt: new Date().toISOString(),
      value: { i },
    });
    const append = (n: number) => spool.append(Array.from({ length: n }, (_, i) => sample(i)));
    const storedIds = () => [...backend.stored.values()].flat().sort((a, b) => a - b);
    return { spool, backend, shipper, warnings, append, storedIds };
  }

  it('after the server changed, asks once which retained batches it stores and re-ships only the lost ones', async () => {
    const { spool, backend, shipper, warnings, append, storedIds } = await reshipSetup();
    await append(20);
    assert.equal(await shipper.drainOnce(), 20);
    assert.equal(backend.stored.size, 4);
    await append(5);
    assert.equal(await shipper.drainOnce(), 5);
    assert.equal(shipper.stats.replayedBatches, 0, 'same server: nothing re-shipped');
    assert.equal(shipper.stats.backendServer, '127.0.0.1:5432@1.5');
    assert.ok(!backend.log.some((l) => l.startsWith('asked')), 'same server: nothing asked');

    // asynchronous failover: the new primary lacks the last two acknowledged batches
    const ids = [...backend.stored.keys()];
    const lost = ids.slice(-2);
    for (const id of lost) backend.stored.delete(id);
    backend.server = '127.0.0.2';
    await append(5);
    backend.log.length = 0;
    backend.failTransaction = backend.transactions + 3; // the first re-ship fails once
    await assert.rejects(shipper.drainOnce(), /connection refused/);
    assert.equal(
      shipper.stats.confirmedBatches,
      3,
      'the three the new server has are confirmed, not re-sent',
    );
    assert.equal(shipper.stats.replayedBatches, 0);
    assert.equal(await shipper.drainOnce(), 0);
    // one question about the five retained batches of the old server, then the two lost ones, oldest first
    const newBatch = backend.log[0]!;
    assert.deepEqual(backend.log, [newBatch, 'asked 5', `ingest ${lost[0]}`, `ingest ${lost[1]}`]);
    assert.equal(shipper.stats.replayedBatches, 2, 'only the lost batches are shipped again');
    assert.equal(shipper.stats.recoveredBatches, 2);
    assert.equal(shipper.stats.shippedSamples, 30, 're-ships are not counted as shipped samples');
    assert.deepEqual(
      storedIds(),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.ok(
      warnings.some((w) =>
        /^2 acknowledged batches were missing on the new primary \(asynchronous replication\)/.test(w),
      ),
      warnings.join('; '),
    );
    assert.equal((await spool.stats()).retainedBatches, 6, 'confirmed and re-shipped batches stay retained');

    // the same server again: nothing more is asked or re-shipped
    backend.log.length = 0;
    await append(5);
    await shipper.drainOnce();
    assert.equal(backend.log.length, 1);
    assert.match(backend.log[0]!, /^ingest /);
    assert.equal(shipper.stats.replayedBatches, 2);
    assert.equal(shipper.stats.confirmedBatches, 3);
    assert.deepEqual(
      storedIds(),
      Array.from({ length: 35 }, (_, i) => i + 1),
    );

    // another failover, back to the first address: the batches confirmed by 127.0.0.2 are asked about again
    backend.server = '127.0.0.3';
    backend.log.length = 0;
    await append(5);
    await shipper.drainOnce();
    assert.equal(backend.log[1], 'asked 7', 'every retained batch not acknowledged by the newest server');
    assert.equal(backend.log.length, 2, 'it has them all: nothing re-sent');
    assert.equal(shipper.stats.confirmedBatches, 10);
    await spool.close();
  });

  it('asks again after a failover-class error of the question, and sends nothing twice', async () => {
    const { spool, backend, shipper, append, storedIds } = await reshipSetup();
    await append(15);
    await shipper.drainOnce();
    backend.server = '127.0.0.2';
    await append(5);
    backend.log.length = 0;
    backend.failTransaction = backend.transactions + 2; // the question fails
    await assert.rejects(shipper.drainOnce(), /connection refused/);
    assert.equal(shipper.stats.confirmedBatches, 0);
    await shipper.drainOnce();
    assert.deepEqual(backend.log.slice(1), ['asked 3']);
    assert.equal(shipper.stats.confirmedBatches, 3);
    assert.equal(shipper.stats.replayedBatches, 0);
    assert.deepEqual(
      storedIds(),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await spool.close();
  });

  it('re-ships every retained batch when the backend lacks pem.agent_stored_batches (an older schema)', async () => {
    const { spool, backend, shipper, warnings, append, storedIds } = await reshipSetup();
    await append(15);
    await shipper.drainOnce();
    backend.server = '127.0.0.2';
    backend.lacksStoredBatches = true;
    backend.stored.delete([...backend.stored.keys()].at(-1)!);
    await append(5);
    await shipper.drainOnce();
    assert.equal(shipper.stats.confirmedBatches, 0);
    assert.equal(shipper.stats.replayedBatches, 3, 'each retained batch of the old server, once');
    assert.equal(shipper.stats.recoveredBatches, 1);
    assert.ok(
      warnings.some((w) => /lacks pem\.agent_stored_batches/.test(w)),
      warnings.join('; '),
    );
    assert.deepEqual(
      storedIds(),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    await spool.close();
  });

  it('waits the long wait after a non-failover error, exactly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-ship-'));
    dirs.push(dir);
    const clock = new FakeClock(Date.now());
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1, clock });
    const backend = new FakeBackend();
    backend.failNext = 1;
    backend.failCode = '42501';
    const shipper = new Shipper({
      agentId: 1,
      spool,
      conn: backend,
      logger,
      longWaitMs: 400,
      idleWaitMs: 10,
      clock,
    });
    await spool.append([
      { probe: 'p', serverId: 0, object: '', collectedAt: new Date().toISOString(), value: {} },
    ]);
    shipper.start();
    // the first attempt fails (insufficient_privilege: not failover-class); the shipper waits on the clock
    await waitFor('the shipper to wait the long wait after the failed attempt', () =>
      backend.transactions === 1 && clock.nextDueInMs() === 400 ? true : undefined,
    );
    await clock.advance(399);
    assert.equal(backend.transactions, 1, 'no retry before the long wait is over');
    assert.equal(backend.stored.size, 0, 'still waiting');
    await clock.advance(1);
    await waitFor('the retry after 400 ms to store the batch', () => backend.stored.size === 1);
    assert.equal(backend.transactions, 2);
    assert.equal(shipper.stats.shipErrors, 1);
    await shipper.stop();
    await spool.close();
  });

  it('retries at once after a failover-class error, then backs off 200 ms, 400 ms ... up to the maximum', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-ship-'));
    dirs.push(dir);
    const clock = new FakeClock(Date.now());
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, firstSampleId: 1, clock });
    const backend = new FakeBackend();
    backend.failNext = 5; // ECONNRESET: failover-class
    const shipper = new Shipper({
      agentId: 1,
      spool,
      conn: backend,
      logger,
      maxFailoverBackoffMs: 1000,
      awaitPrimaryMs: 7000,
      clock,
    });
    await spool.append([
      { probe: 'p', serverId: 0, object: '', collectedAt: new Date().toISOString(), value: {} },
    ]);
    shipper.start();
    // the second attempt follows the first without any wait on the clock
    await waitFor('the second attempt, at once', () => backend.transactions === 2);
    const waits: number[] = [];
    for (let attempt = 2; attempt <= 5; attempt++) {
      const wait = await waitFor(`the wait after failed attempt ${attempt}`, () =>
        backend.transactions === attempt ? clock.nextDueInMs() : undefined,
      );
      waits.push(wait);
      await clock.advance(wait);
    }
    await waitFor('the sixth attempt to store the batch', () => backend.stored.size === 1);
    assert.deepEqual(waits, [200, 400, 800, 1000]);
    assert.deepEqual(backend.options.at(-1), { deadlineMs: 20000, awaitTargetMs: 7000 });
    await shipper.stop();
    await spool.close();
  });

  it('failoverWaitMs: none after the first failure, then doubling from 200 ms up to the maximum', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 50].map((n) => failoverWaitMs(n, 2000)),
      [0, 200, 400, 800, 1600, 2000, 2000, 2000],
    );
  });
});
