import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExposition } from '@pharos/testkit/prometheus/exposition-check';
import { type FleetSnapshot, formatFleetMetrics, metricName } from './exposition.js';

// Probe definitions as pem.probe holds them (columns and units from packages/agent/src/probes, catalogue.sql).
const snapshot: FleetSnapshot = {
  probes: [
    {
      name: 'server_up',
      level: 'server',
      description: 'Server reachable and answering (1) or not (0, with the error)',
      columns: [
        { name: 'up', unit: 'boolean' },
        { name: 'error', unit: 'text' },
      ],
      counterColumns: [],
    },
    {
      name: 'database_activity',
      level: 'server',
      description: 'Per-database transactions',
      columns: [
        { name: 'database', unit: 'text' },
        { name: 'xact_commit', unit: 'transactions' },
        { name: 'blk_read_time_ms', unit: 'ms' },
        { name: 'hit_ratio_pct', unit: 'percent' },
        { name: 'stats_reset', unit: 'timestamp' },
      ],
      counterColumns: ['xact_commit', 'blk_read_time_ms'],
    },
    {
      name: 'table_stats',
      level: 'database',
      description: 'Per-table "stats"\nwith a newline',
      columns: [
        { name: 'relation', unit: 'text' },
        { name: 'total_bytes', unit: 'bytes' },
      ],
      counterColumns: [],
    },
    {
      name: 'cpu',
      level: 'agent',
      description: 'CPU',
      columns: [{ name: 'busy_pct', unit: 'percent' }],
      counterColumns: [],
    },
  ],
  rows: [
    { kind: 'server', name: 'pg-1', probe: 'server_up', object: '', value: { up: 1, error: null } },
    { kind: 'server', name: 'pg "two"', probe: 'server_up', object: '', value: { up: 0, error: 'refused' } },
    {
      kind: 'server',
      name: 'pg-1',
      probe: 'database_activity',
      object: 'appdb',
      value: {
        database: 'appdb',
        xact_commit: 1234,
        blk_read_time_ms: 2500,
        hit_ratio_pct: 99.5,
        stats_reset: '2026-12-07T10:00:00.000Z',
      },
    },
    {
      kind: 'server',
      name: 'pg-1',
      probe: 'table_stats',
      object: 'appdb/public.orders\\x',
      value: { relation: 'public.orders\\x', total_bytes: 8192 },
    },
    { kind: 'agent', name: 'host-1', probe: 'cpu', object: '', value: { busy_pct: 12.5 } },
    { kind: 'server', name: 'pg-1', probe: 'unknown_probe', object: '', value: { x: 1 } },
  ],
  servers: [
    { name: 'pg-1', active: true, sampleAgeS: 3.5 },
    { name: 'pg "two"', active: false, sampleAgeS: null },
  ],
  agents: [{ name: 'host-1', heartbeatAgeS: 2 }],
};

describe('Prometheus exposition of the fleet', () => {
  it('names metrics pharos_<probe>_<column>_<base unit>, counters with _total', () => {
    assert.equal(
      metricName('database_size', { name: 'size_bytes', unit: 'bytes' }, false),
      'pharos_database_size_size_bytes',
    );
    assert.equal(
      metricName('database_activity', { name: 'blk_read_time_ms', unit: 'ms' }, true),
      'pharos_database_activity_blk_read_time_seconds_total',
    );
    assert.equal(
      metricName('session_activity', { name: 'longest_query_s', unit: 's' }, false),
      'pharos_session_activity_longest_query_seconds',
    );
    assert.equal(metricName('cpu', { name: 'busy_pct', unit: 'percent' }, false), 'pharos_cpu_busy_ratio');
    assert.equal(
      metricName('server_info', { name: 'started_at', unit: 'timestamp' }, false),
      'pharos_server_info_started_at_timestamp_seconds',
    );
    assert.equal(metricName('server_up', { name: 'error', unit: 'text' }, false), undefined);
  });

  it('writes well-formed text with base units, labels and staleness', async () => {
    const text = await formatFleetMetrics(snapshot);
    const families = checkExposition(text);
    const value = (name: string, labels: Record<string, string>) => {
      const f = families.get(name);
      assert.ok(f, `${name} in the output`);
      const m = f.metrics.find((x) => JSON.stringify(x.labels ?? {}) === JSON.stringify(labels));
      assert.ok(m, `${name}${JSON.stringify(labels)} in ${JSON.stringify(f.metrics)}`);
      return Number(m.value);
    };
    assert.equal(value('pharos_server_up_up', { server: 'pg-1' }), 1);
    assert.equal(value('pharos_server_up_up', { server: 'pg "two"' }), 0);
    assert.equal(families.get('pharos_server_up_up')!.type, 'GAUGE');
    assert.equal(
      value('pharos_database_activity_xact_commit_total', { server: 'pg-1', database: 'appdb' }),
      1234,
    );
    assert.equal(families.get('pharos_database_activity_xact_commit_total')!.type, 'COUNTER');
    assert.equal(
      value('pharos_database_activity_blk_read_time_seconds_total', { server: 'pg-1', database: 'appdb' }),
      2.5,
    );
    assert.equal(value('pharos_database_activity_hit_ratio', { server: 'pg-1', database: 'appdb' }), 0.995);
    assert.equal(
      value('pharos_database_activity_stats_reset_timestamp_seconds', { server: 'pg-1', database: 'appdb' }),
      Date.parse('2026-12-07T10:00:00.000Z') / 1000,
    );
    assert.equal(
      value('pharos_table_stats_total_bytes', {
        server: 'pg-1',
        database: 'appdb',
        object: 'public.orders\\x',
      }),
      8192,
    );
    assert.equal(value('pharos_cpu_busy_ratio', { agent: 'host-1' }), 0.125);
    assert.equal(value('pharos_server_monitored', { server: 'pg "two"' }), 0);
    assert.equal(value('pharos_server_sample_age_seconds', { server: 'pg-1' }), 3.5);
    assert.equal(value('pharos_agent_heartbeat_age_seconds', { agent: 'host-1' }), 2);
    assert.ok(!text.includes('refused'), 'text columns are not exported');
    assert.ok(!text.includes('unknown_probe'), 'rows of a probe not in the catalogue are left out');
  });

  it('refuses what is not the exposition format (the check can fail)', () => {
    assert.throws(() => checkExposition('pharos_x 1\n'), /no TYPE/);
    assert.throws(() => checkExposition('# TYPE pharos_x counter\npharos_x 1\n'), /_total/);
    assert.throws(() => checkExposition('# TYPE pharos_x gauge\npharos_x{a="b\\q"} 1\n'), /not a sample/);
    assert.throws(() => checkExposition('# TYPE pharos_x gauge\npharos_x 1\npharos_x 2\n'), /twice/);
  });
});
