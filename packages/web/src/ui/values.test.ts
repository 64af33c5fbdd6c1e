/**
 * Unit test of the browser UI's value readers (packages/web/ui/lib/probe-values.js,
 * a plain ES module without DOM use). Every fixture value is typed by the
 * contract (OverviewValue: the columns the probe declares, as far as the
 * overview keeps them), so a fixture cannot hold a field the agent's probe
 * never writes: the test that feeds `uptime_s` to the Uptime reader no longer
 * compiles, and the reader is tested on `started_at`, which the probe writes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OverviewProbe, OverviewValue } from '../../ui/contract/overview-fields.js';

// biome-ignore lint/suspicious/noExplicitAny: a plain JavaScript module (type-checked with JSDoc by tsc -p packages/web/ui)
const v: any = await import(new URL('../../ui/lib/probe-values.js', import.meta.url).href);

/** A latest value of `probe` as GET /api/fleet carries it. */
const at = <P extends OverviewProbe>(_probe: P, value: OverviewValue<P>, object = '') => ({
  object,
  collectedAt: '2025-01-01T00:00:00Z',
  ageS: 1,
  value,
});

describe('UI value readers', () => {
  it('reads server_up: up 1 or 0, and the error when down', () => {
    assert.equal(v.isUp(at('server_up', { up: 1 })), true);
    assert.equal(v.isUp(at('server_up', { up: 0, error: 'connection refused' })), false);
    assert.equal(v.isUp(undefined), undefined);
    assert.equal(v.downReason(at('server_up', { up: 0, error: 'connection refused' })), 'connection refused');
    assert.equal(v.downReason(at('server_up', { up: 1 })), '');
  });

  it('reads server_info: role, version, and the uptime from started_at on the backend clock', () => {
    const info = at('server_info', {
      role: 'standby',
      in_recovery: true,
      server_version: '15.8 (Debian 15.8-0+deb12u1)',
      started_at: '2025-01-01T00:00:00.000Z',
    });
    assert.equal(v.role(info), 'standby');
    assert.equal(v.version(info), '15.8');
    assert.equal(v.uptime(info, '2025-01-01T03:20:00.000Z'), '3 h 20 min');
    assert.equal(v.uptime(info, '2025-01-03T04:00:00.000Z'), '2 d 4 h');
    assert.equal(v.uptime(at('server_info', { role: 'primary' }), '2025-01-01T03:20:00.000Z'), '');
    assert.equal(v.role(undefined), '');
  });

  it('reads connections by state, skipping empty states', () => {
    const latest = {
      connections_by_state: [
        at('connections_by_state', { state: 'active', connections: 2 }, 'active'),
        at('connections_by_state', { state: 'disabled', connections: 0 }, 'disabled'),
        at('connections_by_state', { state: 'idle', connections: 5 }, 'idle'),
      ],
    };
    assert.equal(v.connections(latest), 'active 2 · idle 5');
    assert.equal(
      v.connections({ connections_by_state: [at('connections_by_state', { connections: 0 }, 'idle')] }),
      '0',
    );
    assert.equal(v.connections({}), '');
  });

  it('reads database totals and the cache hit ratio (bigints may arrive as strings)', () => {
    const latest = {
      database_stats: [at('database_stats', { xact_commit: '1234', blks_hit: 990, blks_read: 10 })],
    };
    const t = v.databaseTotals(latest);
    assert.deepEqual(t, { commits: 1234, hit: 990, read: 10 });
    assert.equal(v.cacheHit(t, latest), '99.0 %');
    const withRatio = {
      database_stats: [
        at('database_stats', { xact_commit: 1, blks_hit: 1, blks_read: 1, hit_ratio_pct: 97.25 }),
      ],
    };
    assert.equal(v.cacheHit(v.databaseTotals(withRatio), withRatio), '97.3 %');
    assert.equal(v.databaseTotals({}), undefined);
  });

  it('reads replication lag per standby, marking a broken receiver', () => {
    assert.equal(
      v.replicationLag({
        replication_lag: [
          at('replication_lag', { lag_bytes: 16384, replay_lag_s: 0.5, broken: false }, 'upstream'),
        ],
      }),
      'upstream: 16.0 KiB / 0.5 s',
    );
    // The overview strips NULL columns: a broken receiver has no lag.
    assert.equal(
      v.replicationLag({ replication_lag: [at('replication_lag', { broken: true }, 'upstream')] }),
      'upstream: broken',
    );
    assert.equal(v.replicationLag({}), '');
  });

  it('reads host cpu, load and memory', () => {
    assert.equal(v.cpu(at('cpu', { busy_pct: 12.4, idle_pct: 87.6 })), '12 %');
    assert.equal(v.cpu(at('cpu', {})), '');
    assert.equal(v.load(at('load_avg', { load1: 0.5, load5: 0.4, load15: 0.3 })), '0.50 0.40 0.30');
    assert.equal(
      v.memory(at('memory', { total_bytes: 8 * 2 ** 30, used_bytes: 2 ** 31 })),
      '2.0 GiB of 8.0 GiB',
    );
    assert.equal(v.memory(at('memory', { total_bytes: 1024, available_bytes: 512 })), '512 B of 1.0 KiB');
    assert.equal(v.memory(at('memory', {})), '');
  });
});
