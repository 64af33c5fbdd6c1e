import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '@pharos/testkit/clock/fake-clock';
import { type Binding, diffBindings } from '../monitor/bindings.js';
import { serverConninfo } from '../monitor/server-conninfo.js';
import { startTicker } from './ticker.js';

// The ticker runs in virtual time (a FakeClock): every count below is exact.
describe('ticker', () => {
  it('runs at a fixed rate, aligned to the start, and stops', async () => {
    const clock = new FakeClock(1_000);
    const runs: number[] = [];
    const t = startTicker(40, async () => void runs.push(clock.now() - 1_000), { clock });
    await clock.advance(199);
    assert.deepEqual(runs, [0, 40, 80, 120, 160], 'after 199 ms: 5 runs');
    await clock.advance(1);
    assert.deepEqual(runs, [0, 40, 80, 120, 160, 200], 'the 6th run is due at 200 ms');
    await t.stop();
    assert.equal(clock.pending, 0, 'no timer left after stop');
    await clock.advance(1_000);
    assert.equal(runs.length, 6, 'no run after stop');
  });

  it('starts after the initial delay', async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const t = startTicker(100, async () => void runs.push(clock.now()), { clock, initialDelayMs: 30 });
    await clock.advance(29);
    assert.deepEqual(runs, []);
    await clock.advance(201);
    assert.deepEqual(runs, [30, 130, 230]);
    await t.stop();
  });

  it('never overlaps runs and skips the ticks a slow run outlasted', async () => {
    const clock = new FakeClock();
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    const overruns: number[] = [];
    const t = startTicker(
      20,
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        starts.push(clock.now());
        await clock.wait(50); // each run takes 50 ms: it outlasts the tick at +20 and +40
        active--;
      },
      { clock, onOverrun: (k) => overruns.push(k) },
    );
    await clock.advance(230);
    await t.stop();
    assert.equal(maxActive, 1);
    // run at 0 ends at 50: ticks 20 and 40 skipped, next at 60; and so on
    assert.deepEqual(starts, [0, 60, 120, 180]);
    assert.deepEqual(overruns, [2, 2, 2, 2]);
  });

  it('survives a failing task', async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let runs = 0;
    const t = startTicker(
      10,
      async () => {
        runs++;
        throw new Error('boom');
      },
      { clock, onError: (e) => errors.push(e) },
    );
    await clock.advance(55);
    await t.stop();
    assert.equal(runs, 6, 'runs at 0, 10, ..., 50');
    assert.equal(errors.length, 6);
    assert.ok(errors.every((e) => (e as Error).message === 'boom'));
  });

  it('stop waits for the run in progress', async () => {
    const clock = new FakeClock();
    let finished = false;
    const t = startTicker(
      1000,
      async () => {
        await clock.wait(60);
        finished = true;
      },
      { clock },
    );
    await clock.advance(10);
    let stopped = false;
    const stopping = t.stop().then(() => (stopped = true));
    await clock.settle();
    assert.equal(stopped, false, 'stop waits while the run is in progress');
    await clock.advance(50);
    await stopping;
    assert.ok(finished);
  });
});

describe('bindings', () => {
  const b = (id: number, host = 'h'): Binding => ({
    serverId: id,
    displayName: `s${id}`,
    host,
    port: 5432,
    userName: 'mon',
    sslmode: 'prefer',
    maintenanceDb: 'postgres',
  });
  it('finds added, removed and changed servers', () => {
    const cur = new Map([
      [1, b(1)],
      [2, b(2)],
      [3, b(3)],
    ]);
    const d = diffBindings(cur, [b(1), b(3, 'other'), b(4)]);
    assert.deepEqual(
      d.added.map((x) => x.serverId),
      [4],
    );
    assert.deepEqual(d.removed, [2]);
    assert.deepEqual(
      d.changed.map((x) => x.serverId),
      [3],
    );
  });
  it('builds a single-host connection string with quoting', () => {
    const s = serverConninfo(
      { ...b(1), host: '127.0.3.5', maintenanceDb: "my db's" },
      { agentId: 7, passfile: '/etc/pharos/pgpass', connectTimeoutS: 5 },
    );
    assert.equal(
      s,
      "host=127.0.3.5 port=5432 dbname='my db\\'s' user=mon sslmode=prefer connect_timeout=5 application_name=pharos-agent-7-probe target_session_attrs=any passfile=/etc/pharos/pgpass",
    );
  });
});
