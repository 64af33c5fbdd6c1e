/**
 * Judges the etcd cluster from what each member said (pure). Facts, etcd
 * v3.5 documentation: the gRPC gateway's `POST /v3/maintenance/status`
 * (header.cluster_id, header.member_id, leader, version, errors = active
 * alarms), `POST /v3/cluster/member/list`, and `GET /health`
 * ("Monitoring etcd": `{"health":"true"}` when the member is part of a
 * cluster with a leader); quorum = floor(n / 2) + 1 of n voting members
 * ("FAQ: What is failure tolerance?").
 */
import { etcdClientUrl } from '../render/etcd.js';
import { hostPort } from '../render/url.js';
import type { Topology } from '../topology/types.js';
import { type CheckResult, result } from './result.js';

/** What one etcd member answered (ids are the gateway's decimal uint64 strings). */
export interface EtcdMemberObservation {
  name: string;
  address: string;
  /** GET /health: health 'true' or not, with etcd's reason. */
  health?: { healthy: boolean; reason?: string };
  /** POST /v3/maintenance/status. */
  status?: { clusterId: string; memberId: string; leader: string; version: string; errors: string[] };
  /** POST /v3/cluster/member/list. */
  members?: { id: string; name: string; clientUrls: string[]; isLearner: boolean }[];
  /** Why the member could not be asked (connection refused, timeout...). */
  error?: string;
}

/** A decimal uint64 id as etcd's tools print it (hex). */
export function hexId(id: string): string {
  try {
    return BigInt(id).toString(16);
  } catch {
    return id;
  }
}

/** Votes needed for quorum among `n` voting members. */
export function quorumOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

function memberLine(o: EtcdMemberObservation): CheckResult {
  const log = `check that etcd runs on ${o.name} and listens on ${hostPort(o.address, 2379)} (journalctl -u etcd)`;
  if (o.error !== undefined)
    return result('etcd', 'etcd.member', o.name, 'failed', `unreachable: ${o.error}`, log);
  if (!o.health?.healthy) {
    return result(
      'etcd',
      'etcd.member',
      o.name,
      'failed',
      `unhealthy${o.health?.reason ? `: ${o.health.reason}` : ''}`,
      `${log}; an unhealthy member often has no leader or lost its peers`,
    );
  }
  if (o.status && o.status.errors.length > 0) {
    return result(
      'etcd',
      'etcd.member',
      o.name,
      'failed',
      `alarms: ${o.status.errors.join('; ')}`,
      'resolve the alarm (e.g. NOSPACE: compact, defragment, then etcdctl alarm disarm)',
    );
  }
  const id = o.status ? `, member id ${hexId(o.status.memberId)}` : '';
  const leader = o.status && o.status.leader === o.status.memberId ? ', leader' : '';
  return result(
    'etcd',
    'etcd.member',
    o.name,
    'ok',
    `healthy, version ${o.status?.version ?? '?'}${id}${leader}`,
  );
}

/**
 * The etcd results: one `etcd.member` line per planned member (reachable,
 * healthy, no alarms), then for the cluster `etcd.membership` (the member
 * list names exactly the planned members with their client URLs),
 * `etcd.cluster-id` (one cluster id), `etcd.leader` (every member names
 * the same leader, a planned member), `etcd.quorum` (healthy members >=
 * quorum; a warning when one more loss would break it) and
 * `etcd.version` (one version; a warning when mixed).
 */
export function evaluateEtcd(topo: Topology, observations: EtcdMemberObservation[]): CheckResult[] {
  const out = observations.map(memberLine);
  const answered = observations.filter((o) => o.status !== undefined);
  const n = topo.etcd.length;
  const q = quorumOf(n);
  const none = (check: string) =>
    result(
      'etcd',
      check,
      'cluster',
      'failed',
      'no member answered',
      'start etcd on the members (see etcd.member)',
    );
  if (answered.length === 0) {
    out.push(none('etcd.membership'), none('etcd.cluster-id'), none('etcd.leader'), none('etcd.version'));
  } else {
    const list = answered.find((o) => o.members !== undefined)?.members;
    if (!list) {
      out.push(result('etcd', 'etcd.membership', 'cluster', 'failed', 'no member answered the member list'));
    } else {
      const problems: string[] = [];
      for (const m of topo.etcd) {
        const url = etcdClientUrl(topo, m.address);
        const found = list.find((x) => x.name === m.name);
        if (!found) problems.push(`${m.name} is not a member`);
        else if (!found.clientUrls.includes(url))
          problems.push(`${m.name} advertises ${found.clientUrls.join(', ') || 'no client URL'}, not ${url}`);
        else if (found.isLearner) problems.push(`${m.name} is a learner (no vote)`);
      }
      for (const x of list)
        if (!topo.etcd.some((m) => m.name === x.name))
          problems.push(`unplanned member '${x.name || hexId(x.id)}'`);
      out.push(
        problems.length === 0
          ? result('etcd', 'etcd.membership', 'cluster', 'ok', `${list.length} members as planned`)
          : result(
              'etcd',
              'etcd.membership',
              'cluster',
              'failed',
              problems.join('; '),
              'make the membership match the topology (etcdctl member list / member remove / member add)',
            ),
      );
    }
    const ids = new Set(answered.map((o) => o.status!.clusterId));
    out.push(
      ids.size === 1
        ? result(
            'etcd',
            'etcd.cluster-id',
            'cluster',
            'ok',
            `cluster id ${hexId([...ids][0]!)} on ${answered.length} members`,
          )
        : result(
            'etcd',
            'etcd.cluster-id',
            'cluster',
            'failed',
            `members belong to different clusters: ${answered.map((o) => `${o.name} ${hexId(o.status!.clusterId)}`).join(', ')}`,
            'a member was initialised separately (initial-cluster-state new): remove its data and re-add it to the cluster',
          ),
    );
    const leaders = new Set(answered.map((o) => o.status!.leader));
    const leaderId = [...leaders][0]!;
    const leaderName = list?.find((m) => m.id === leaderId)?.name;
    if (leaders.size !== 1 || leaderId === '0') {
      out.push(
        result(
          'etcd',
          'etcd.leader',
          'cluster',
          'failed',
          leaderId === '0' && leaders.size === 1
            ? 'no leader'
            : `members disagree: ${answered.map((o) => `${o.name} -> ${hexId(o.status!.leader)}`).join(', ')}`,
          'an etcd cluster without one leader has lost quorum or is partitioned: bring members back',
        ),
      );
    } else if (!leaderName || !topo.etcd.some((m) => m.name === leaderName)) {
      out.push(
        result(
          'etcd',
          'etcd.leader',
          'cluster',
          'failed',
          `leader ${hexId(leaderId)} is not a planned member`,
        ),
      );
    } else {
      out.push(
        result(
          'etcd',
          'etcd.leader',
          'cluster',
          'ok',
          `${leaderName} (${hexId(leaderId)}), agreed by ${answered.length} members`,
        ),
      );
    }
  }
  const healthy = observations.filter((o) => o.health?.healthy).length;
  const quorumText = `${healthy} of ${n} members healthy (quorum ${q})`;
  if (healthy < q) {
    out.push(
      result(
        'etcd',
        'etcd.quorum',
        'cluster',
        'failed',
        `${quorumText}: no quorum, Patroni cannot renew its leader key`,
        'bring members back until a quorum is healthy',
      ),
    );
  } else if (healthy < n && healthy - 1 < q) {
    out.push(
      result(
        'etcd',
        'etcd.quorum',
        'cluster',
        'warning',
        `${quorumText}: one more failure loses quorum`,
        'bring the failed members back',
      ),
    );
  } else {
    out.push(result('etcd', 'etcd.quorum', 'cluster', 'ok', quorumText));
  }
  const versions = new Map<string, string[]>();
  for (const o of answered)
    versions.set(o.status!.version, [...(versions.get(o.status!.version) ?? []), o.name]);
  if (versions.size > 1) {
    out.push(
      result(
        'etcd',
        'etcd.version',
        'cluster',
        'warning',
        `mixed versions: ${[...versions].map(([v, names]) => `${v} on ${names.join(', ')}`).join('; ')}`,
        'finish the rolling upgrade so every member runs the same version',
      ),
    );
  } else if (versions.size === 1 && answered.length > 0) {
    out.push(
      result(
        'etcd',
        'etcd.version',
        'cluster',
        'ok',
        `${[...versions.keys()][0]} on ${answered.length} members`,
      ),
    );
  }
  return out;
}
