/**
 * Judges the Patroni cluster from what each member's REST API said (pure).
 * Facts, Patroni 4 documentation "REST API": `GET /patroni` (this node:
 * state, role primary/replica, timeline, `patroni.version`, `patroni.scope`,
 * `patroni.name`, `pause`), `GET /cluster` (every member from the DCS: name,
 * role leader/replica/sync_standby, state running/streaming/..., timeline,
 * lag in bytes or "unknown"; `pause` when maintenance mode is on).
 * `GET /patroni` also gives this node's WAL position, read from PostgreSQL
 * when asked (Patroni's api.py get_postgresql_status): `xlog.location` on
 * the primary, `xlog.received_location`/`replayed_location` on a replica.
 * /cluster's `lag` is the leader's position last written to the DCS minus
 * the member's position last written there, each refreshed once per
 * loop_wait, so under steady writes it overstates the lag by up to
 * loop_wait seconds of WAL; the check judges the positions read now when
 * both members answered.
 */
import type { PatroniMember } from '../lab/patroni-api.js';
import { isSecured } from '../render/infrastructure.js';
import { hostPort } from '../render/url.js';
import type { Topology } from '../topology/types.js';
import { type CheckResult, result } from './result.js';

/** GET /patroni of one node, the fields the check uses. */
export interface PatroniNodeStatus {
  state?: string;
  role?: string;
  timeline?: number;
  pause?: boolean;
  patroni?: { version?: string; scope?: string; name?: string };
  /** WAL positions in bytes: `location` on a primary, `received_location`/`replayed_location` on a replica. */
  xlog?: { location?: number; received_location?: number; replayed_location?: number };
}

/** What one planned backend's REST API answered. */
export interface PatroniMemberObservation {
  name: string;
  address: string;
  status?: PatroniNodeStatus;
  cluster?: { members: PatroniMember[]; pause?: boolean };
  /** Why the REST API could not be asked. */
  error?: string;
}

/** Lag in bytes from /cluster's `lag` (a number, or "unknown"/absent: undefined). */
export function lagBytes(m: PatroniMember): number | undefined {
  if (typeof m.lag === 'number') return m.lag;
  if (typeof m.lag === 'string' && /^\d+$/.test(m.lag)) return Number(m.lag);
  return undefined;
}

/**
 * A replica's lag in bytes from the positions its and the leader's
 * `GET /patroni` gave during this check: the leader's `xlog.location`
 * minus the replica's received (else replayed) location, at least 0;
 * undefined when either is missing. Patroni judges maximum_lag_on_failover
 * on the received position too (its wal position of a replica).
 */
export function liveLagBytes(
  observations: PatroniMemberObservation[],
  leaderName: string | undefined,
  replicaName: string,
): number | undefined {
  const at = (name: string | undefined) => observations.find((o) => o.name === name)?.status?.xlog;
  const primary = at(leaderName)?.location;
  const x = at(replicaName);
  const replica = x?.received_location ?? x?.replayed_location;
  if (typeof primary !== 'number' || typeof replica !== 'number') return undefined;
  return Math.max(0, primary - replica);
}

function apiLine(topo: Topology, o: PatroniMemberObservation): CheckResult {
  const url = `${isSecured(topo) ? 'https' : 'http'}://${hostPort(o.address, topo.patroni.rest_port)}`;
  if (o.error !== undefined || !o.status) {
    return result(
      'patroni',
      'patroni.api',
      o.name,
      'failed',
      `REST API ${url} unreachable: ${o.error ?? 'no answer'}`,
      `start Patroni on ${o.name} (systemctl start patroni) and read its log; PostgreSQL there is not managed while Patroni is down`,
    );
  }
  const p = o.status.patroni ?? {};
  const problems: string[] = [];
  if (p.scope !== undefined && p.scope !== topo.cluster)
    problems.push(`scope '${p.scope}', planned '${topo.cluster}'`);
  if (p.name !== undefined && p.name !== o.name) problems.push(`answers as member '${p.name}'`);
  const facts = `${o.status.role ?? '?'} ${o.status.state ?? '?'}, Patroni ${p.version ?? '?'}, scope ${p.scope ?? '?'}`;
  return problems.length > 0
    ? result(
        'patroni',
        'patroni.api',
        o.name,
        'failed',
        `${problems.join('; ')} (${facts})`,
        `fix scope/name in ${o.name}'s patroni.yml`,
      )
    : result('patroni', 'patroni.api', o.name, 'ok', `${url} answers: ${facts}`);
}

/** The cluster view to judge: the one from the node that says it is primary, else the first one. */
function chooseView(observations: PatroniMemberObservation[]): PatroniMemberObservation | undefined {
  const withView = observations.filter((o) => o.cluster !== undefined);
  return withView.find((o) => o.status?.role === 'primary' || o.status?.role === 'master') ?? withView[0];
}

/**
 * The Patroni results: `patroni.api` per planned backend (REST API answers,
 * scope and member name as planned); `patroni.leader` for the cluster
 * (exactly one leader, running, and every member's view names the same
 * one); `patroni.replica` per planned backend other than the leader (in
 * the cluster, streaming, on the leader's timeline, lag at most
 * `maximum_lag_on_failover`); `patroni.member` (warning) per unplanned
 * member; `patroni.pause` (maintenance mode off).
 */
export function evaluatePatroni(topo: Topology, observations: PatroniMemberObservation[]): CheckResult[] {
  const out = observations.map((o) => apiLine(topo, o));
  const view = chooseView(observations);
  if (!view?.cluster) {
    const why = "no member's REST API answered GET /cluster";
    out.push(result('patroni', 'patroni.leader', 'cluster', 'failed', why, 'start Patroni on the backends'));
    for (const b of topo.backends)
      out.push(result('patroni', 'patroni.replica', b.name, 'failed', `unknown: ${why}`));
    out.push(result('patroni', 'patroni.pause', 'cluster', 'failed', `unknown: ${why}`));
    return out;
  }
  const members = view.cluster.members;
  const leaders = members.filter((m) => m.role === 'leader' || m.role === 'standby_leader');
  const leader = leaders.length === 1 ? leaders[0] : undefined;
  const disagree = observations
    .filter((o) => o.cluster !== undefined)
    .map((o) => ({
      name: o.name,
      leader: o.cluster!.members.find((m) => m.role === 'leader')?.name ?? 'none',
    }))
    .filter((x) => x.leader !== (leader?.name ?? 'none'));
  if (leaders.length === 0) {
    out.push(
      result(
        'patroni',
        'patroni.leader',
        'cluster',
        'failed',
        `no leader (members: ${members.map((m) => `${m.name} ${m.role} ${m.state}`).join(', ') || 'none'})`,
        'check etcd (a Patroni cluster without DCS quorum has no leader) and the Patroni logs',
      ),
    );
  } else if (leaders.length > 1) {
    out.push(
      result(
        'patroni',
        'patroni.leader',
        'cluster',
        'failed',
        `${leaders.length} leaders: ${leaders.map((m) => m.name).join(', ')}`,
        'stop the writes and find which node holds the leader key in etcd; rebuild the other',
      ),
    );
  } else if (leader!.state !== 'running') {
    out.push(
      result(
        'patroni',
        'patroni.leader',
        'cluster',
        'failed',
        `${leader!.name} is leader but ${leader!.state}`,
        `read the Patroni and PostgreSQL logs on ${leader!.name}`,
      ),
    );
  } else if (disagree.length > 0) {
    out.push(
      result(
        'patroni',
        'patroni.leader',
        'cluster',
        'failed',
        `members disagree: ${view.name} sees ${leader!.name}, ${disagree.map((d) => `${d.name} sees ${d.leader}`).join(', ')}`,
        "check the members' connection to etcd",
      ),
    );
  } else {
    out.push(
      result(
        'patroni',
        'patroni.leader',
        'cluster',
        'ok',
        `${leader!.name}, running on timeline ${leader!.timeline ?? '?'}`,
      ),
    );
  }
  const maxLag = topo.patroni.maximum_lag_on_failover;
  for (const b of topo.backends) {
    if (b.name === leader?.name) continue;
    const m = members.find((x) => x.name === b.name);
    const start = `start Patroni on ${b.name} and read its log (it rejoins as a replica)`;
    if (!m) {
      out.push(
        result(
          'patroni',
          'patroni.replica',
          b.name,
          'failed',
          'not a member of the cluster (Patroni not running there, or not registered in etcd)',
          start,
        ),
      );
      continue;
    }
    const clusterLag = lagBytes(m);
    const live = liveLagBytes(observations, leader?.name, b.name);
    const lag = live ?? clusterLag;
    const facts = [
      `${m.role} ${m.state}`,
      ...(m.timeline === undefined ? [] : [`timeline ${m.timeline}`]),
      lag === undefined ? 'lag unknown' : `lag ${lag} bytes`,
      ...(live === undefined ? [] : [`read now from GET /patroni; /cluster said ${clusterLag ?? 'unknown'}`]),
    ].join(', ');
    if (m.state === 'stopped') {
      out.push(
        result(
          'patroni',
          'patroni.replica',
          b.name,
          'failed',
          `stopped: Patroni or PostgreSQL is not running (${facts})`,
          start,
        ),
      );
      continue;
    }
    if (m.state !== 'streaming') {
      out.push(
        result(
          'patroni',
          'patroni.replica',
          b.name,
          'failed',
          `not streaming: ${facts}`,
          `read the Patroni and PostgreSQL logs on ${b.name}; reinitialise with patronictl reinit if it cannot catch up`,
        ),
      );
    } else if (leader && m.timeline !== leader.timeline) {
      out.push(
        result(
          'patroni',
          'patroni.replica',
          b.name,
          'failed',
          `timeline ${m.timeline ?? '?'} differs from the leader's ${leader.timeline ?? '?'} (${facts})`,
          `patronictl reinit ${topo.cluster} ${b.name}`,
        ),
      );
    } else if (lag === undefined || lag > maxLag) {
      out.push(
        result(
          'patroni',
          'patroni.replica',
          b.name,
          'failed',
          `lag ${lag ?? 'unknown'} over maximum_lag_on_failover ${maxLag} (${facts}): it may not be promoted`,
          'find what slows replay (network, disk, long queries on the standby)',
        ),
      );
    } else {
      out.push(result('patroni', 'patroni.replica', b.name, 'ok', `${facts} (max ${maxLag})`));
    }
  }
  for (const m of members) {
    if (!topo.backends.some((b) => b.name === m.name)) {
      out.push(
        result(
          'patroni',
          'patroni.member',
          m.name,
          'warning',
          `unplanned member ${m.name} (${m.role} ${m.state}, ${m.host})`,
          'remove it from the cluster or add it to the topology',
        ),
      );
    }
  }
  const paused = view.cluster.pause === true || observations.some((o) => o.status?.pause === true);
  out.push(
    paused
      ? result(
          'patroni',
          'patroni.pause',
          'cluster',
          'failed',
          'maintenance mode is on: no automatic failover',
          'patronictl resume when maintenance is over',
        )
      : result('patroni', 'patroni.pause', 'cluster', 'ok', 'not paused'),
  );
  return out;
}
