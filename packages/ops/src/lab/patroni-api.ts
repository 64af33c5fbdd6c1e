/**
 * Patroni REST API calls the lab and `check` use (Patroni docs, "REST API":
 * GET /cluster, GET /patroni, PATCH /config, POST /switchover).
 */
import { requestJson } from './http.js';

/** A member as GET /cluster returns it (Patroni 3+/4 field names). */
export interface PatroniMember {
  name: string;
  role: 'leader' | 'replica' | 'sync_standby' | 'standby_leader' | string;
  state: 'running' | 'streaming' | 'stopped' | 'starting' | string;
  host: string;
  port: number;
  timeline?: number;
  lag?: number | string;
  api_url?: string;
}

/** GET /cluster of the member at `apiAddress:port`. */
export async function getCluster(
  apiAddress: string,
  port = 8008,
): Promise<{ members: PatroniMember[]; pause?: boolean }> {
  const r = await requestJson<{ members: PatroniMember[]; pause?: boolean }>(
    `http://${apiAddress}:${port}/cluster`,
    { timeoutMs: 3000 },
  );
  if (r.status !== 200) throw new Error(`GET /cluster on ${apiAddress}:${port} answered ${r.status}`);
  return r.body;
}

/** Healthy = exactly one running leader and every other member a streaming replica. */
export function isHealthy(members: PatroniMember[], expected: number): boolean {
  const leaders = members.filter((m) => m.role === 'leader' && m.state === 'running');
  const replicas = members.filter((m) => m.role !== 'leader' && m.state === 'streaming');
  return members.length === expected && leaders.length === 1 && replicas.length === expected - 1;
}

/** PATCH /config: merges `change` into the cluster's dynamic configuration (what `patronictl edit-config` does). */
export async function patchConfig(apiAddress: string, change: unknown, port = 8008): Promise<void> {
  const r = await requestJson(`http://${apiAddress}:${port}/config`, {
    method: 'PATCH',
    body: change,
    timeoutMs: 10_000,
  });
  if (r.status !== 200)
    throw new Error(`PATCH /config on ${apiAddress}:${port} answered ${r.status}: ${JSON.stringify(r.body)}`);
}

/** POST /switchover from `leader` to `candidate` (Patroni 4 requires the leader's name). */
export async function switchover(
  apiAddress: string,
  leader: string,
  candidate: string,
  port = 8008,
): Promise<void> {
  const r = await requestJson(`http://${apiAddress}:${port}/switchover`, {
    method: 'POST',
    body: { leader, candidate },
    timeoutMs: 60_000,
  });
  if (r.status !== 200)
    throw new Error(`switchover ${leader} -> ${candidate} answered ${r.status}: ${JSON.stringify(r.body)}`);
}
