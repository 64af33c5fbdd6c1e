/**
 * Reading a monitored Patroni cluster's members from its REST API (issue
 * 14, docs/monitoring-a-server.md "Patroni clusters"): `GET /cluster` of
 * the first of the cluster's REST endpoints that answers, in the order the
 * DBA gave them. Used by the `patroni-cluster` agent task (when a cluster
 * is added: the follower reads it, from where it will follow it) and by
 * the follower every probe interval (follow/cluster-follower.ts).
 *
 * Source: Patroni documentation, "REST API": `GET /cluster` answers
 * `members` (name, role, state, api_url, host, port, timeline, lag, tags...)
 * and, since Patroni 4, `scope`; `GET /patroni` answers `patroni.scope` (asked
 * only when `/cluster` has no scope).
 */
import type { ClusterMember, ClusterReading } from '@pharos/backend/fleet/cluster-reading';
import { messageOf, pharosError } from '@pharos/core/errors';
import { z } from 'zod';
import { getPatroni, type HttpJsonOptions } from '../probes/patroni/http-json.js';
import { clusterMembers } from '../probes/patroni/parse.js';

export type { ClusterMember, ClusterReading } from '@pharos/backend/fleet/cluster-reading';

const str = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The members of a GET /cluster answer, with the fields the follower keeps (members without a name are left out). */
export function membersOf(cluster: unknown): ClusterMember[] {
  return clusterMembers(cluster)
    .filter((m) => str(m.name) !== null)
    .map((m) => ({
      name: str(m.name)!,
      role: str(m.role),
      state: str(m.state),
      host: str(m.host),
      port: num(m.port),
      api_url: str(m.api_url),
      timeline: num(m.timeline),
      lag: num(m.lag),
    }));
}

/**
 * GET /cluster of the first of `endpoints` (REST API base URLs) that
 * answers with a members list.
 * @throws Error naming every endpoint and why it did not answer.
 */
export async function readCluster(
  endpoints: readonly string[],
  opts: HttpJsonOptions,
): Promise<ClusterReading> {
  const failures: string[] = [];
  for (const endpoint of endpoints) {
    try {
      const cluster = await getPatroni(endpoint, '/cluster', opts);
      const c = cluster as { scope?: unknown; members?: unknown } | null;
      if (!c || !Array.isArray(c.members)) throw new Error('its GET /cluster answer has no members list');
      let scope = str(c.scope);
      if (scope === null) {
        const node = (await getPatroni(endpoint, '/patroni', opts).catch(() => null)) as {
          patroni?: { scope?: unknown };
        } | null;
        scope = str(node?.patroni?.scope);
      }
      return { scope, endpoint, members: membersOf(cluster) };
    } catch (err) {
      failures.push(`${endpoint}: ${messageOf(err)}`);
    }
  }
  throw new Error(`no REST endpoint of the cluster answered GET /cluster (${failures.join('; ')})`);
}

const paramsSchema = z
  .object({
    endpoints: z
      .array(z.string().regex(/^https?:\/\/[^/\s]+\/?$/, 'not the base URL of a REST API'))
      .min(1)
      .max(10),
    cafile: z.string().startsWith('/').nullish(),
  })
  .strict();

/** Parameters of a `patroni-cluster` task. */
export interface ReadClusterParams {
  endpoints: string[];
  cafile?: string;
}

/**
 * The parameters of a `patroni-cluster` task ({endpoints, cafile}).
 * @throws InputError naming each bad field.
 */
export function parseReadClusterParams(params: unknown): ReadClusterParams {
  const r = paramsSchema.safeParse(params);
  if (!r.success) {
    throw pharosError('PHAROS_TASK_PARAMS_INVALID', {
      task: 'patroni-cluster',
      problems: r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; '),
    });
  }
  return { endpoints: r.data.endpoints, ...(r.data.cafile ? { cafile: r.data.cafile } : {}) };
}
