/**
 * Asks every planned etcd member, concurrently, for its health, status and
 * member list through etcd's v3 HTTP gateway on its client URL (etcd v3.5
 * docs, "gRPC gateway"; `GET /health`), each request with the check's
 * timeout (https with the check's etcd client certificate when the
 * topology is secured: these three need no etcd user), and judges the
 * answers ({@link evaluateEtcd}).
 */
import { type EtcdAccess, etcdUrl, tlsOptions } from '../lab/access.js';
import { requestJson } from '../lab/http.js';
import type { TopologyHost } from '../topology/types.js';
import type { CheckContext } from './context.js';
import { type EtcdMemberObservation, evaluateEtcd } from './etcd-evaluate.js';
import { type CheckResult, reasonOf } from './result.js';

interface StatusBody {
  header?: { cluster_id?: string; member_id?: string };
  leader?: string;
  version?: string;
  errors?: string[];
}

interface MemberListBody {
  members?: { ID?: string; name?: string; clientURLs?: string[]; isLearner?: boolean }[];
}

/**
 * What one member answers: GET /health, POST /v3/maintenance/status, POST
 * /v3/cluster/member/list (bodies `{}`). A member that does not answer
 * /health gets `error` and is not asked further.
 */
export async function observeEtcdMember(
  member: TopologyHost,
  timeoutMs: number,
  access: EtcdAccess = {},
): Promise<EtcdMemberObservation> {
  const base = etcdUrl(member.address, access);
  const tls = tlsOptions(access);
  const o: EtcdMemberObservation = { name: member.name, address: member.address };
  try {
    const h = await requestJson<{ health?: string; reason?: string }>(`${base}/health`, {
      timeoutMs,
      ...tls,
    });
    o.health = {
      healthy: h.status === 200 && h.body?.health === 'true',
      reason: h.body?.reason || undefined,
    };
    if (!o.health.reason && !o.health.healthy) o.health.reason = `GET /health answered ${h.status}`;
  } catch (err) {
    o.error = reasonOf(err);
    return o;
  }
  try {
    const s = await requestJson<StatusBody>(`${base}/v3/maintenance/status`, {
      method: 'POST',
      body: {},
      timeoutMs,
      ...tls,
    });
    if (s.status === 200 && s.body?.header?.cluster_id) {
      o.status = {
        clusterId: s.body.header.cluster_id,
        memberId: s.body.header.member_id ?? '0',
        leader: s.body.leader ?? '0',
        version: s.body.version ?? '?',
        errors: s.body.errors ?? [],
      };
    }
    const l = await requestJson<MemberListBody>(`${base}/v3/cluster/member/list`, {
      method: 'POST',
      body: {},
      timeoutMs,
      ...tls,
    });
    if (l.status === 200 && l.body?.members) {
      o.members = l.body.members.map((m) => ({
        id: m.ID ?? '0',
        name: m.name ?? '',
        clientUrls: m.clientURLs ?? [],
        isLearner: m.isLearner === true,
      }));
    }
  } catch (err) {
    if (!o.health.healthy) return o;
    o.health = { healthy: false, reason: `status: ${reasonOf(err)}` };
  }
  return o;
}

/** The etcd results of the deployment (see {@link evaluateEtcd}). */
export async function checkEtcd(ctx: CheckContext): Promise<CheckResult[]> {
  const observations = await Promise.all(
    ctx.topo.etcd.map((m) => observeEtcdMember(m, ctx.timeoutMs, ctx.etcd)),
  );
  return evaluateEtcd(ctx.topo, observations);
}
