import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROBE_LOG_QUEUE_MAX, ProbeLogQueue } from '../backend-link/backend-sync.js';
import { PROBES_BY_NAME } from '../probes/catalog.js';
import { DueTracker } from '../schedule/due.js';
import { ProbeRunStats } from './probe-run-stats.js';
import { definitionDefaults, type ProbeConfigRow, ProbeSettings } from './probe-settings.js';

const locks = PROBES_BY_NAME.get('locks')!;
const tables = PROBES_BY_NAME.get('table_stats')!;
const patroni = PROBES_BY_NAME.get('patroni_node')!;
const hba = PROBES_BY_NAME.get('hba_rules')!;

const row = (r: Partial<ProbeConfigRow> & Pick<ProbeConfigRow, 'probe' | 'scope'>): ProbeConfigRow => ({
  server_id: null,
  database: null,
  interval_s: null,
  enabled: null,
  ...r,
});

describe('probe settings', () => {
  it('fall back to the definitions when the backend said nothing', () => {
    const s = new ProbeSettings();
    assert.equal(s.fromBackend, false);
    assert.deepEqual(s.get(locks, 1), { enabled: true, intervalS: locks.intervalS });
    assert.equal(s.get(hba, 1).enabled, false, 'disabled by default');
    assert.equal(s.get(patroni, 1).enabled, false, 'only on PEM backends, which the backend names');
  });

  it('apply database > server > agent > default, field by field', () => {
    const s = new ProbeSettings();
    s.update([
      row({ probe: 'table_stats', scope: 'default', interval_s: 600, enabled: true }),
      row({ probe: 'table_stats', scope: 'agent', interval_s: 120 }),
      row({ probe: 'table_stats', scope: 'server', server_id: 2, enabled: false }),
      row({ probe: 'table_stats', scope: 'server', server_id: 3, interval_s: 30 }),
      row({
        probe: 'table_stats',
        scope: 'database',
        server_id: 2,
        database: 'app',
        enabled: true,
        interval_s: 60,
      }),
    ]);
    assert.deepEqual(s.get(tables, 1), { enabled: true, intervalS: 120 });
    assert.deepEqual(s.get(tables, 2), { enabled: false, intervalS: 120 });
    assert.deepEqual(s.get(tables, 2, 'app'), { enabled: true, intervalS: 60 });
    assert.deepEqual(s.get(tables, 2, 'other'), { enabled: false, intervalS: 120 });
    assert.deepEqual(s.get(tables, 3, 'app'), { enabled: true, intervalS: 30 });
    assert.equal(s.fromBackend, true);
  });

  it('enable Patroni probes where the backend sends an enabling server row', () => {
    const s = new ProbeSettings();
    s.update([
      row({ probe: 'patroni_node', scope: 'default', interval_s: 10, enabled: false }),
      row({ probe: 'patroni_node', scope: 'server', server_id: 5, enabled: true }),
    ]);
    assert.equal(s.lookup(patroni, 5).enabled, true);
    assert.equal(s.lookup(patroni, 6).enabled, false);
  });

  it('can be given per-probe overrides without a backend', () => {
    const l = definitionDefaults({ hba_rules: { enabled: true }, locks: { intervalS: 1 } });
    assert.equal(l(hba, 1).enabled, true);
    assert.equal(l(locks, 1).intervalS, 1);
  });
});

describe('due tracker', () => {
  it('runs a probe on the first tick at least its interval after the previous run', () => {
    const d = new DueTracker(10_000);
    assert.ok(d.isDue('p', 15_000, 0), 'never run: due');
    d.ran('p', 0);
    assert.ok(!d.isDue('p', 15_000, 10_000));
    assert.ok(d.isDue('p', 15_000, 20_000));
    d.ran('q', 0);
    assert.ok(d.isDue('q', 10_000, 9_500), 'half a second early is on time');
    assert.ok(!d.isDue('q', 10_000, 8_000));
    d.reset('q');
    assert.ok(d.isDue('q', 10_000, 1));
  });
  it('applies a changed interval at once', () => {
    const d = new DueTracker(1000);
    d.ran('p', 0);
    assert.ok(!d.isDue('p', 60_000, 10_000));
    assert.ok(d.isDue('p', 5_000, 10_000));
  });
});

describe('probe log queue', () => {
  it('keeps the newest failures when the backend is away, and counts the dropped', async () => {
    const q = new ProbeLogQueue();
    for (let i = 0; i < PROBE_LOG_QUEUE_MAX + 5; i++) {
      q.push({ serverId: 1, probe: 'p', object: '', error: `e${i}`, failedAt: new Date(0).toISOString() });
    }
    assert.equal(q.length, PROBE_LOG_QUEUE_MAX);
    assert.equal(q.dropped, 5);
    const sent: unknown[][] = [];
    const written = await q.flush(
      {
        async query(_sql: string, params?: unknown[]) {
          sent.push(JSON.parse(String(params![1])) as unknown[]);
          return { rows: [], rowCount: 0 };
        },
      },
      7,
    );
    assert.equal(written, PROBE_LOG_QUEUE_MAX);
    assert.equal(sent.length, Math.ceil(PROBE_LOG_QUEUE_MAX / 500));
    assert.equal((sent[0]![0] as { error: string }).error, 'e5');
    assert.equal(q.length, 0);
  });
  it('keeps what it could not write', async () => {
    const q = new ProbeLogQueue();
    q.push({ serverId: 0, probe: 'cpu', object: '', error: 'x', failedAt: new Date(0).toISOString() });
    await assert.rejects(
      q.flush({ query: async () => Promise.reject(new Error('backend down')) }, 1),
      /backend down/,
    );
    assert.equal(q.length, 1);
  });
});

describe('probe run statistics', () => {
  it('sums runs per probe and resets the longest run after each read', () => {
    const s = new ProbeRunStats();
    s.record('locks', 3, 9);
    s.record('locks', 5, 9, 'permission denied');
    s.record('cpu', 1, 1);
    const [cpu, l] = s.rows();
    assert.equal(cpu!.probe, 'cpu');
    assert.deepEqual(
      {
        runs: l!.runs,
        failures: l!.failures,
        rows: l!.rows,
        run_time_ms: l!.run_time_ms,
        max: l!.max_run_time_ms,
      },
      { runs: 2, failures: 1, rows: 18, run_time_ms: 8, max: 5 },
    );
    assert.equal(l!.last_error, 'permission denied');
    assert.equal(s.rows()[1]!.max_run_time_ms, 0);
  });
});
