/**
 * Unit test of the browser UI's value readers (packages/web/ui/lib/probe-values.js, a
 * plain ES module without DOM use) against the shapes the agent's probes write
 * (packages/agent/src/probes): server_up {up, error}, server_info {role,
 * uptime_s, server_version}, connections_by_state one object per state
 * {state, connections}, database_stats {xact_commit, blks_hit, blks_read,
 * hit_ratio_pct}, replication_lag per object {lag_bytes, replay_lag_s, broken},
 * cpu {busy_pct}, load_avg {load1, load5, load15}, memory {total_bytes, used_bytes}.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// biome-ignore lint/suspicious/noExplicitAny: a plain JavaScript module without types
const v: any = await import(new URL('../../ui/lib/probe-values.js', import.meta.url).href);

const at = (value: unknown, object = '') => ({ object, collectedAt: '2025-01-01T00:00:00Z', ageS: 1, value });

describe('UI value readers', () => {
  it('reads server_up and server_info', () => {
    assert.equal(v.isUp(at({ up: 1, error: null })), true);
    assert.equal(v.isUp(at({ up: 0, error: 'connection refused' })), false);
    assert.equal(v.isUp(undefined), undefined);
    assert.equal(v.downReason(at({ up: 0, error: 'connection refused' })), 'connection refused');
    assert.equal(v.role(at({ role: 'standby', in_recovery: true })), 'standby');
    assert.equal(v.role(at({ in_recovery: false })), 'primary');
    assert.equal(v.uptime(at({ uptime_s: 3 * 3600 + 20 * 60 })), '3 h 20 min');
    assert.equal(v.version(at({ server_version: '15.8 (Debian 15.8-0+deb12u1)' })), '15.8');
  });

  it('reads connections by state, skipping empty states', () => {
    const latest = {
      connections_by_state: [
        at({ state: 'active', connections: 2 }, 'active'),
        at({ state: 'disabled', connections: 0 }, 'disabled'),
        at({ state: 'idle', connections: 5 }, 'idle'),
      ],
    };
    assert.equal(v.connections(latest), 'active 2 · idle 5');
    assert.equal(v.connections({ connections_by_state: [at({ connections: 0 }, 'idle')] }), '0');
    assert.equal(v.connections({}), '');
  });

  it('reads database totals and the cache hit ratio', () => {
    const latest = { database_stats: [at({ xact_commit: '1234', blks_hit: 990, blks_read: 10 })] };
    const t = v.databaseTotals(latest);
    assert.deepEqual(t, { commits: 1234, hit: 990, read: 10 });
    assert.equal(v.cacheHit(t, latest), '99.0 %');
    const withRatio = {
      database_stats: [at({ xact_commit: 1, blks_hit: 1, blks_read: 1, hit_ratio_pct: 97.25 })],
    };
    assert.equal(v.cacheHit(v.databaseTotals(withRatio), withRatio), '97.3 %');
  });

  it('reads replication lag per standby, marking a broken receiver', () => {
    assert.equal(
      v.replicationLag({
        replication_lag: [at({ lag_bytes: 16384, replay_lag_s: 0.5, broken: false }, 'upstream')],
      }),
      'upstream: 16.0 KiB / 0.5 s',
    );
    assert.equal(
      v.replicationLag({
        replication_lag: [at({ lag_bytes: null, replay_lag_s: null, broken: true }, 'upstream')],
      }),
      'upstream: broken',
    );
    assert.equal(v.replicationLag({}), '');
  });

  it('reads host cpu, load and memory', () => {
    assert.equal(v.cpu(at({ busy_pct: 12.4, idle_pct: 87.6 })), '12 %');
    assert.equal(v.cpu(at({ busy_pct: null, idle_pct: 60 })), '40 %');
    assert.equal(v.load(at({ load1: 0.5, load5: 0.4, load15: 0.3 })), '0.50 0.40 0.30');
    assert.equal(v.memory(at({ total_bytes: 8 * 2 ** 30, used_bytes: 2 ** 31 })), '2.0 GiB of 8.0 GiB');
    assert.equal(v.memory(at({ total_bytes: 1024, available_bytes: 512 })), '512 B of 1.0 KiB');
  });

  it('shows values of an unknown shape as compact JSON', () => {
    assert.equal(v.cpu(at({ mystery: 1 })), '{"mystery":1}');
    assert.equal(v.compact({ a: 'x'.repeat(100) }).length, 58);
  });
});
