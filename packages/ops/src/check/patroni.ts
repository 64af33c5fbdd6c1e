/**
 * Asks every planned backend's Patroni REST API, concurrently, for
 * `GET /patroni` and `GET /cluster`, then `GET /config` from the leader (or
 * any member that answers), each with the check's timeout (Patroni 4 docs,
 * "REST API"), and judges the answers.
 */
import { type PatroniAccess, patroniUrl } from '../lab/access.js';
import { requestJson } from '../lab/http.js';
import type { PatroniMember } from '../lab/patroni-api.js';
import type { TopologyHost } from '../topology/types.js';
import type { CheckContext } from './context.js';
import { evaluateDynamicConfig } from './dynamic-config-evaluate.js';
import {
  evaluatePatroni,
  type PatroniMemberObservation,
  type PatroniNodeStatus,
} from './patroni-evaluate.js';
import { type CheckResult, reasonOf } from './result.js';

async function getJson<T>(url: string, timeoutMs: number, ca?: string): Promise<T> {
  const r = await requestJson<T>(url, { timeoutMs, ca });
  // GET /patroni answers 503 on a node that is not running normally, with the same body.
  if (r.status !== 200 && !(r.status === 503 && typeof r.body === 'object')) {
    throw new Error(`GET ${url} answered ${r.status}`);
  }
  return r.body;
}

/** GET /patroni and GET /cluster of one backend; `error` when the REST API does not answer. */
export async function observePatroniMember(
  backend: TopologyHost,
  access: PatroniAccess,
  timeoutMs: number,
): Promise<PatroniMemberObservation> {
  const base = patroniUrl(backend.address, access);
  const o: PatroniMemberObservation = { name: backend.name, address: backend.address };
  try {
    o.status = await getJson<PatroniNodeStatus>(`${base}/patroni`, timeoutMs, access.ca);
    o.cluster = await getJson<{ members: PatroniMember[]; pause?: boolean }>(
      `${base}/cluster`,
      timeoutMs,
      access.ca,
    );
    if (!Array.isArray(o.cluster?.members)) o.cluster = undefined;
  } catch (err) {
    o.error = reasonOf(err);
  }
  return o;
}

/** GET /config from the first of `addresses` that answers. */
export async function fetchDynamicConfig(
  addresses: string[],
  access: PatroniAccess,
  timeoutMs: number,
): Promise<{ config?: Record<string, unknown>; error?: string }> {
  const errors: string[] = [];
  for (const a of addresses) {
    try {
      return {
        config: await getJson<Record<string, unknown>>(
          patroniUrl(a, access, '/config'),
          timeoutMs,
          access.ca,
        ),
      };
    } catch (err) {
      errors.push(reasonOf(err));
    }
  }
  return { error: errors.join('; ') || "no member's REST API answered" };
}

/** The Patroni results: members, leader, replicas, pause, dynamic configuration. */
export async function checkPatroni(ctx: CheckContext): Promise<CheckResult[]> {
  const observations = await Promise.all(
    ctx.topo.backends.map((b) => observePatroniMember(b, ctx.patroni, ctx.timeoutMs)),
  );
  const leaderFirst = [...observations].sort(
    (a, b) => Number(b.status?.role === 'primary') - Number(a.status?.role === 'primary'),
  );
  const answering = leaderFirst.filter((o) => o.status !== undefined).map((o) => o.address);
  const { config, error } = await fetchDynamicConfig(answering, ctx.patroni, ctx.timeoutMs);
  return [...evaluatePatroni(ctx.topo, observations), ...evaluateDynamicConfig(ctx.topo, config, error)];
}
