/**
 * Reading a monitored Patroni cluster through the agent that will follow it
 * (issue 14, docs/monitoring-a-server.md "Patroni clusters"): the contract
 * of the `patroni-cluster` agent task (packages/agent/src/follow/
 * read-cluster.ts runs it) and asking for it from the web tier. The agent,
 * not the web tier, reaches the cluster's REST API: it is the one that will
 * follow the cluster, from its own network position.
 */
import type { Queryable } from '@pharos/core/query';
import { runAgentTask } from './agent-tasks.js';

/**
 * One member of a GET /cluster answer, with the fields Pharos keeps
 * (Patroni documentation, "REST API": name, role, state, host and port of
 * its PostgreSQL `connect_address`, `api_url` of its REST API, timeline,
 * lag in bytes).
 */
export interface ClusterMember {
  name: string;
  role: string | null;
  state: string | null;
  host: string | null;
  port: number | null;
  api_url: string | null;
  timeline: number | null;
  /** Replication lag in bytes; null for the leader or when Patroni says "unknown". */
  lag: number | null;
}

/** What the cluster's REST API answered. */
export interface ClusterReading {
  /** Patroni scope (GET /cluster `scope`, else GET /patroni `patroni.scope`), null when neither says. */
  scope: string | null;
  /** The REST endpoint that answered. */
  endpoint: string;
  members: ClusterMember[];
}

/** How long the web tier waits for the reading, ms (each GET has a 3 s deadline; two endpoints may be tried). */
export const READ_CLUSTER_WAIT_MS = 8000;

/** The outcome: the reading, or why there is none, in a sentence. */
export type ClusterReadOutcome =
  | { ok: true; reading: ClusterReading }
  | { ok: false; agentUnavailable: boolean; message: string };

/**
 * Has agent `agentId` read the cluster at `endpoints` (REST API base URLs,
 * in order; `cafile` on its host verifies https ones), on behalf of
 * `actor`. Never fails for what it finds: no answer is an outcome with a
 * sentence. @throws PHAROS_AGENT_NOT_FOUND / PHAROS_TASK_INVALID (agentId)
 * for an unknown or inactive agent; the backend's errors otherwise.
 */
export async function readPatroniCluster(
  db: Queryable,
  actor: string,
  agentId: number,
  endpoints: readonly string[],
  cafile: string | null,
  waitMs: number = READ_CLUSTER_WAIT_MS,
): Promise<ClusterReadOutcome> {
  const outcome = await runAgentTask(
    db,
    actor,
    agentId,
    'patroni-cluster',
    { endpoints, ...(cafile ? { cafile } : {}) },
    waitMs,
  );
  if (outcome.state === 'done') return { ok: true, reading: outcome.result as ClusterReading };
  if (outcome.state === 'failed')
    return {
      ok: false,
      agentUnavailable: false,
      message: `Agent ${agentId} could not read the cluster: ${outcome.error}`,
    };
  return { ok: false, agentUnavailable: true, message: `The cluster was not read: ${outcome.message}` };
}
