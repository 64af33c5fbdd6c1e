/**
 * Turns answers of Patroni's REST API into probe rows.
 *
 * Source: Patroni documentation, "REST API" (rest_api.html): `GET /cluster`
 * answers `scope`, `pause` (present and true when the cluster is paused) and
 * `members`, each with `name`, `role` (leader, standby_leader, replica,
 * sync_standby, quorum_standby), `state` (running, streaming,
 * in archive recovery, stopped, starting...), `host`, `port`, `api_url`,
 * `timeline` and, for replicas, `lag` in bytes or "unknown"; `GET /patroni`
 * answers this node's `state`, `role`, `server_version`, `timeline`,
 * `xlog` (`location` on a primary; `received_location`,
 * `replayed_location`, `replayed_timestamp`, `paused` on a replica),
 * `replication_state` (3.0+), `dcs_last_seen` (Unix time of the last
 * successful DCS contact), `pending_restart`, `pause`,
 * `database_system_identifier`, `cluster_unlocked` and
 * `patroni: {version, scope, name}`; `GET /config` answers the dynamic
 * configuration with `ttl` (default 30 s).
 */
import type { ProbeRow } from '../types.js';

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Obj) : {});
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Roles that hold the leader key. */
const LEADER_ROLES = new Set(['leader', 'standby_leader', 'master', 'primary']);
/** States of a member that works. */
const HEALTHY_STATES = new Set(['running', 'streaming']);

/** One row per member of GET /cluster (the `patroni_node` rows come from here plus GET /patroni). */
export function clusterMembers(cluster: unknown): Obj[] {
  const m = obj(cluster).members;
  return Array.isArray(m) ? m.map(obj) : [];
}

/**
 * The `patroni_cluster` row from GET /cluster, GET /patroni and the `ttl` of
 * GET /config: scope, leader (NULL when no member holds the leader key),
 * timeline of the leader, member counts, paused, the largest replica lag
 * (NULL when no replica reports one) and whether this node's DCS contact is
 * recent (`dcs_last_seen` within `ttl` of `nowS`; NULL when Patroni does not
 * report it). Throws Error when GET /cluster has no members list.
 */
export function clusterRow(cluster: unknown, node: unknown, ttlS: number | null, nowS: number): ProbeRow {
  const c = obj(cluster);
  if (!Array.isArray(c.members)) throw new Error('GET /cluster answer has no members list');
  const members = clusterMembers(cluster);
  const leader = members.find((m) => LEADER_ROLES.has(String(m.role)));
  const lags = members.map((m) => num(m.lag)).filter((x): x is number => x !== null);
  const n = obj(node);
  const seen = num(n.dcs_last_seen);
  const age = seen === null ? null : Math.max(0, nowS - seen);
  return {
    scope: str(c.scope) ?? str(obj(n.patroni).scope),
    leader: leader ? str(leader.name) : null,
    has_leader: leader !== undefined,
    timeline: leader ? num(leader.timeline) : null,
    members: members.length,
    members_running: members.filter((m) => HEALTHY_STATES.has(String(m.state))).length,
    replicas_unknown_lag: members.filter((m) => !LEADER_ROLES.has(String(m.role)) && num(m.lag) === null)
      .length,
    max_lag_bytes: lags.length === 0 ? null : Math.max(...lags),
    paused: c.pause === true || n.pause === true,
    dcs_last_seen_age_s: age,
    dcs_healthy: age === null ? null : age <= (ttlS ?? 30),
  };
}

/**
 * The `patroni_node` row of this node from GET /patroni, with its `lag` from
 * the matching GET /cluster member (by name; NULL for the leader or when
 * unknown). WAL positions are byte offsets. Throws Error when GET /patroni
 * has no `state`.
 */
export function nodeRow(node: unknown, cluster: unknown, nowS: number): ProbeRow {
  const n = obj(node);
  if (typeof n.state !== 'string') throw new Error('GET /patroni answer has no state');
  const p = obj(n.patroni);
  const x = obj(n.xlog);
  const name = str(p.name);
  const member = name === null ? undefined : clusterMembers(cluster).find((m) => m.name === name);
  const seen = num(n.dcs_last_seen);
  return {
    member: name,
    role: str(n.role),
    state: n.state,
    timeline: num(n.timeline),
    server_version: num(n.server_version),
    replication_state: str(n.replication_state),
    wal_position_bytes: num(x.location),
    received_position_bytes: num(x.received_location),
    replayed_position_bytes: num(x.replayed_location),
    replay_paused: typeof x.paused === 'boolean' ? x.paused : null,
    lag_bytes: member ? num(member.lag) : null,
    pending_restart: n.pending_restart === true,
    paused: n.pause === true,
    cluster_unlocked: n.cluster_unlocked === true,
    dcs_last_seen_age_s: seen === null ? null : Math.max(0, nowS - seen),
    patroni_version: str(p.version),
  };
}

/** The `ttl` of GET /config, or null. */
export function ttlOf(config: unknown): number | null {
  return num(obj(config).ttl);
}
