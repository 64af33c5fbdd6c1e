/**
 * The built-in templates (sql/catalogue/alert-templates.sql) against probe data of the shapes
 * docs/alerts.md documents, inserted as agents would ship it, on a real
 * PostgreSQL (127.0.12.52): each template reaches the expected level,
 * Patroni ones included; stale data means no data (state none).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HaConnection } from '@pharos/core/ha/connection';
import { type AlertBackend, startAlertBackend } from '../testing/backend.js';
import { alertOf, type LatestValue, makeDue, setLatest } from '../testing/probe-data.js';
import { evaluateDueAlerts } from './evaluate.js';

/** otherAgent: stored by another agent (the server's agent before a rebinding), history only. */
type Row = Omit<LatestValue, 'agentId' | 'serverId'> & { ageS?: number; otherAgent?: boolean };
interface Case {
  template: string;
  level: 'agent' | 'server';
  rows: Row[];
  state: string;
  detail?: RegExp;
  params?: Record<string, unknown>;
  /** The alert's object (database-level templates: a database name). */
  object?: string;
}

const patroniCluster = (v: Record<string, unknown>, ageS?: number): Row => ({
  probe: 'patroni_cluster',
  value: {
    scope: 'pem',
    leader: 'pem-backend-1',
    has_leader: true,
    timeline: 2,
    members: 3,
    members_running: 3,
    paused: false,
    dcs_last_seen_age_s: 1,
    dcs_healthy: true,
    ...v,
  },
  ...(ageS ? { ageS } : {}),
});
/** The failover template's cases: a history sample of patroni_cluster on `timeline`, `ageS` old. */
const timelineAt = (timeline: number, ageS?: number, extra: { otherAgent?: boolean } = {}): Row => ({
  ...patroniCluster({ timeline }, ageS),
  history: true,
  ...extra,
});
const FAILOVER = { template: 'Patroni: failover detected', level: 'server' } as const;
const node = (member: string, role: string, state: string, timeline: number): Row => ({
  probe: 'patroni_node',
  value: { member, role, state, timeline, replication_state: 'streaming', lag_bytes: 0, paused: false },
});

const CASES: Case[] = [
  {
    template: 'Server Down',
    level: 'server',
    rows: [{ probe: 'server_up', value: { up: 0, error: 'connection refused' } }],
    state: 'high',
    detail: /refused/,
  },
  {
    template: 'Server Down',
    level: 'server',
    rows: [{ probe: 'server_up', value: { up: 1, error: null } }],
    state: 'none',
  },
  {
    template: 'CPU utilisation',
    level: 'agent',
    rows: [{ probe: 'cpu', value: { busy_pct: 91 } }],
    state: 'medium',
  },
  {
    template: 'Load per core',
    level: 'agent',
    rows: [{ probe: 'load_avg', value: { load5: 6, cpus: 2 } }],
    state: 'medium',
    detail: /6 over 2 CPUs/,
  },
  {
    template: 'Disk consumption',
    level: 'agent',
    rows: [
      { probe: 'disk_space', object: '/', value: { mount_point: '/', used_pct: 50 } },
      {
        probe: 'disk_space',
        object: '/var/lib/postgresql',
        value: { mount_point: '/var/lib/postgresql', used_pct: 96 },
      },
    ],
    state: 'high',
    detail: /^\/var\/lib\/postgresql$/,
  },
  {
    template: 'Total connections',
    level: 'server',
    rows: [
      { probe: 'connections_by_state', object: 'active', value: { state: 'active', connections: 40 } },
      { probe: 'connections_by_state', object: 'idle', value: { state: 'idle', connections: 50 } },
      { probe: 'server_info', value: { max_connections: 100 } },
    ],
    state: 'medium',
  },
  {
    template: 'Idle in transaction sessions',
    level: 'server',
    rows: [
      { probe: 'connections_by_state', object: 'idle in transaction', value: { connections: 8 } },
      { probe: 'connections_by_state', object: 'idle in transaction (aborted)', value: { connections: 4 } },
      { probe: 'connections_by_state', object: 'active', value: { connections: 40 } },
    ],
    state: 'medium',
  },
  {
    template: 'Long-running queries',
    level: 'server',
    rows: [{ probe: 'session_activity', value: { longest_query_s: 1000, oldest_xact_age_s: 10 } }],
    state: 'medium',
  },
  {
    template: 'Long-running transactions',
    level: 'server',
    rows: [{ probe: 'session_activity', value: { longest_query_s: 1, oldest_xact_age_s: 4000 } }],
    state: 'high',
  },
  {
    template: 'Dead tuples',
    level: 'server',
    rows: [
      {
        probe: 'table_stats',
        object: 'app/public.t1',
        value: { relation: 'public.t1', n_live_tup: 1000, n_dead_tup: 600 },
      },
      {
        probe: 'table_stats',
        object: 'app/public.small',
        value: { relation: 'public.small', n_live_tup: 1, n_dead_tup: 50 },
      },
      {
        probe: 'table_stats',
        object: 'other/public.t9',
        value: { relation: 'public.t9', n_live_tup: 1000, n_dead_tup: 900 },
      },
    ],
    object: 'app',
    state: 'medium',
    detail: /^app\/public\.t1$/,
  },
  {
    template: 'Transaction ID wraparound',
    level: 'server',
    rows: [{ probe: 'xid_wraparound', object: 'app', value: { xid_age: 1.2e9, mxid_age: 10 } }],
    state: 'medium',
    detail: /^app$/,
  },
  {
    template: 'Multixact wraparound',
    level: 'server',
    rows: [{ probe: 'xid_wraparound', object: 'app', value: { xid_age: 1.2e9, mxid_age: 10 } }],
    state: 'none',
  },
  {
    template: 'Replica lag (bytes)',
    level: 'server',
    rows: [
      { probe: 'replication_lag', object: 'upstream', value: { lag_bytes: 100_000_000, replay_lag_s: 5 } },
    ],
    state: 'medium',
  },
  {
    template: 'Replica lag (seconds)',
    level: 'server',
    rows: [
      { probe: 'replication_lag', object: 'upstream', value: { lag_bytes: 100_000_000, replay_lag_s: 5 } },
    ],
    state: 'none',
  },
  {
    template: 'Inactive replication slots',
    level: 'server',
    rows: [
      { probe: 'replication_slots', object: 's1', value: { slot_name: 's1', active: false } },
      { probe: 'replication_slots', object: 's2', value: { slot_name: 's2', active: true } },
    ],
    state: 'low',
    detail: /^s1$/,
  },
  {
    // review: fired on every healthy Patroni replica, whose members' physical slots are inactive by design
    template: 'Inactive replication slots',
    level: 'server',
    rows: [
      { probe: 'server_info', value: { in_recovery: true, role: 'standby' } },
      {
        probe: 'replication_slots',
        object: 'pem_backend_1',
        value: { slot_name: 'pem_backend_1', slot_type: 'physical', active: false },
      },
      {
        probe: 'replication_slots',
        object: 'pem_backend_3',
        value: { slot_name: 'pem_backend_3', slot_type: 'physical', active: false },
      },
    ],
    state: 'none',
  },
  {
    template: 'Inactive replication slots',
    level: 'server',
    rows: [
      { probe: 'server_info', value: { in_recovery: false, role: 'primary' } },
      {
        probe: 'replication_slots',
        object: 'pem_backend_2',
        value: { slot_name: 'pem_backend_2', slot_type: 'physical', active: false },
      },
    ],
    state: 'low',
    detail: /^pem_backend_2$/,
  },
  {
    // a standby's logical slot (PostgreSQL 16+) that nobody reads still retains WAL
    template: 'Inactive replication slots',
    level: 'server',
    rows: [
      { probe: 'server_info', value: { in_recovery: true, role: 'standby' } },
      {
        probe: 'replication_slots',
        object: 'cdc',
        value: { slot_name: 'cdc', slot_type: 'logical', active: false },
      },
    ],
    state: 'low',
    detail: /^cdc$/,
  },
  {
    template: 'WAL files pending archive',
    level: 'server',
    rows: [{ probe: 'wal_archive', value: { pending_files: 60, last_failed_wal: null } }],
    state: 'medium',
  },
  {
    template: 'Patroni: no leader',
    level: 'server',
    rows: [patroniCluster({ leader: null, has_leader: false, timeline: null })],
    state: 'high',
  },
  { template: 'Patroni: no leader', level: 'server', rows: [patroniCluster({})], state: 'none' },
  {
    template: 'Patroni: no leader',
    level: 'server',
    rows: [patroniCluster({ leader: null, has_leader: false }, 600)],
    state: 'none',
  },
  {
    template: 'Patroni: DCS not healthy',
    level: 'server',
    rows: [patroniCluster({ dcs_healthy: false, dcs_last_seen_age_s: 45 })],
    state: 'high',
    detail: /45 s ago/,
  },
  {
    template: 'Patroni: cluster paused',
    level: 'server',
    rows: [patroniCluster({ paused: true })],
    state: 'medium',
  },
  {
    template: 'Patroni: cluster paused',
    level: 'server',
    rows: [patroniCluster({ paused: false })],
    state: 'none',
  },
  {
    ...FAILOVER,
    rows: [timelineAt(1, 7200), timelineAt(2)],
    state: 'medium',
    detail: /timeline 1 -> 2/,
  },
  {
    // history younger than the window: the first timeline in it counts
    ...FAILOVER,
    rows: [timelineAt(3, 1800), timelineAt(4)],
    state: 'medium',
    detail: /timeline 3 -> 4/,
  },
  {
    // the newest sample before the window is another agent's (the server was rebound): this agent's counts
    ...FAILOVER,
    rows: [timelineAt(1, 9000), timelineAt(7, 5400, { otherAgent: true }), timelineAt(2)],
    state: 'medium',
    detail: /timeline 1 -> 2/,
  },
  {
    // only another agent's history before the window: this agent's first timeline in the window counts
    ...FAILOVER,
    rows: [timelineAt(5, 5400, { otherAgent: true }), timelineAt(3, 1800), timelineAt(3, 600), timelineAt(4)],
    state: 'medium',
    detail: /timeline 3 -> 4/,
  },
  {
    ...FAILOVER,
    rows: [timelineAt(2, 7200), timelineAt(2)],
    state: 'none',
  },
  {
    template: 'Patroni: timeline mismatch',
    level: 'server',
    rows: [node('n3', 'replica', 'running', 2), patroniCluster({ timeline: 3 })],
    state: 'medium',
    detail: /n3 on timeline 2, leader on 3/,
  },
  {
    template: 'Patroni: timeline mismatch',
    level: 'server',
    rows: [node('n2', 'replica', 'streaming', 3), patroniCluster({ timeline: 3 })],
    state: 'none',
  },
  {
    template: 'Patroni: member down',
    level: 'server',
    rows: [patroniCluster({ members_running: 2 })],
    state: 'medium',
    detail: /2 of 3 members running/,
  },
  {
    template: 'Patroni: member down',
    level: 'server',
    rows: [patroniCluster({ members: 2, members_running: 2 })],
    params: { expected_members: 3 },
    state: 'medium',
  },
  {
    template: 'Patroni: member down',
    level: 'server',
    rows: [patroniCluster({ members: 3, members_running: 1 })],
    state: 'high',
  },
  { template: 'Patroni: member down', level: 'server', rows: [], state: 'none' },
];

describe('built-in templates over the documented probe shapes (real PostgreSQL)', {
  timeout: 120_000,
}, () => {
  let b: AlertBackend;
  let a1: HaConnection;

  before(async () => {
    b = await startAlertBackend({ address: '127.0.12.52' });
    await b.addAgent(1, { backend: true });
    await b.sql('UPDATE pem.alert SET enabled = false');
    a1 = b.agentConn(1);
  });
  after(async () => {
    await b?.stop();
  });

  CASES.forEach((c, i) => {
    it(`${c.template}: ${c.state}${c.rows.length === 0 ? ' (no data)' : ''} (case ${i + 1})`, async () => {
      const agentId = await b.addAgent(100 + i);
      const serverId = c.level === 'server' ? await b.addServer(`srv-${i}`, agentId) : undefined;
      for (const r of c.rows) {
        const { ageS, otherAgent, ...row } = r;
        await setLatest(b.admin, {
          ...row,
          agentId: otherAgent ? await b.addAgent(200 + i) : agentId,
          serverId: serverId ?? 0,
          ...(ageS ? { collectedAt: new Date(Date.now() - ageS * 1000) } : {}),
        });
      }
      const al = await alertOf(b.admin, c.template, c.level === 'agent' ? { agentId } : { serverId });
      await b.sql('UPDATE pem.alert SET enabled = true, params = $2, object = $3 WHERE id = $1', [
        al.id,
        JSON.stringify(c.params ?? {}),
        c.object ?? '',
      ]);
      await makeDue(b.admin, { ids: [al.id] });
      await evaluateDueAlerts(a1, 1);
      const after1 = await alertOf(
        b.admin,
        c.template,
        c.level === 'agent' ? { agentId } : { serverId, object: c.object ?? '' },
      );
      assert.equal(after1.last_error, null);
      assert.equal(after1.state, c.state, `value ${after1.last_value}, detail ${after1.last_detail}`);
      if (c.detail) assert.match(String(after1.last_detail), c.detail);
    });
  });

  it('every built-in template runs without error on an empty database', async () => {
    const rows = await b.sql<{ name: string; e: string | null }>(
      "SELECT name, pem.check_alert_template(sql, 1, 1, '', params) AS e FROM pem.alert_template WHERE builtin",
    );
    assert.ok(rows.length >= 25);
    assert.deepEqual(
      rows.filter((r) => r.e !== null),
      [],
    );
  });
});
