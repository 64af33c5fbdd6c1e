import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Binding, diffBindings } from '../monitor/bindings.js';
import { serverConninfo } from '../monitor/server-conninfo.js';
import { sleep, startTicker } from './ticker.js';

describe('ticker', () => {
  it('runs at a fixed rate and stops', async () => {
    const runs: number[] = [];
    const t = startTicker(40, async () => {
      runs.push(Date.now());
    });
    await sleep(190);
    await t.stop();
    const n = runs.length;
    assert.ok(n >= 4 && n <= 6, `runs: ${n}`);
    await sleep(100);
    assert.equal(runs.length, n, 'no run after stop');
  });

  it('never overlaps runs and skips ticks a slow run outlasted', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let skipped = 0;
    const t = startTicker(
      20,
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await sleep(50);
        active--;
      },
      { onOverrun: (k) => (skipped += k) },
    );
    await sleep(230);
    await t.stop();
    assert.equal(maxActive, 1);
    assert.ok(runs <= 5, `runs: ${runs}`);
    assert.ok(skipped >= 4, `skipped: ${skipped}`);
  });

  it('survives a failing task', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const t = startTicker(
      10,
      async () => {
        runs++;
        throw new Error('boom');
      },
      { onError: (e) => errors.push(e) },
    );
    await sleep(55);
    await t.stop();
    assert.ok(runs >= 3);
    assert.equal(errors.length, runs);
  });

  it('stop waits for the run in progress', async () => {
    let finished = false;
    const t = startTicker(1000, async () => {
      await sleep(60);
      finished = true;
    });
    await sleep(10);
    await t.stop();
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
