/**
 * Patroni REST API calls the lab and `check` use (Patroni docs, "REST API":
 * GET /cluster, GET /patroni, PATCH /config, POST /switchover), over http
 * or, for a secured topology, https with the REST API's password for the
 * unsafe methods (PatroniAccess, access.ts).
 */
import { type PatroniAccess, patroniUrl } from './access.js';
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

/** GET /cluster of the member at `apiAddress`. */
export async function getCluster(
  apiAddress: string,
  access: PatroniAccess,
): Promise<{ members: PatroniMember[]; pause?: boolean }> {
  const r = await requestJson<{ members: PatroniMember[]; pause?: boolean }>(
    patroniUrl(apiAddress, access, '/cluster'),
    { timeoutMs: 3000, ca: access.ca },
  );
  if (r.status !== 200) throw new Error(`GET /cluster on ${apiAddress}:${access.port} answered ${r.status}`);
  return r.body;
}

/** Healthy = exactly one running leader and every other member a streaming replica. */
export function isHealthy(members: PatroniMember[], expected: number): boolean {
  const leaders = members.filter((m) => m.role === 'leader' && m.state === 'running');
  const replicas = members.filter((m) => m.role !== 'leader' && m.state === 'streaming');
  return members.length === expected && leaders.length === 1 && replicas.length === expected - 1;
}

/** PATCH /config: merges `change` into the cluster's dynamic configuration (what `patronictl edit-config` does). */
export async function patchConfig(apiAddress: string, change: unknown, access: PatroniAccess): Promise<void> {
  const r = await requestJson(patroniUrl(apiAddress, access, '/config'), {
    method: 'PATCH',
    body: change,
    timeoutMs: 10_000,
    ca: access.ca,
    auth: access.auth,
  });
  if (r.status !== 200)
    throw new Error(
      `PATCH /config on ${apiAddress}:${access.port} answered ${r.status}: ${JSON.stringify(r.body)}`,
    );
}

/** POST /switchover from `leader` to `candidate` (Patroni 4 requires the leader's name). */
export async function switchover(
  apiAddress: string,
  leader: string,
  candidate: string,
  access: PatroniAccess,
): Promise<void> {
  const r = await requestJson(patroniUrl(apiAddress, access, '/switchover'), {
    method: 'POST',
    body: { leader, candidate },
    timeoutMs: 60_000,
    ca: access.ca,
    auth: access.auth,
  });
  if (r.status !== 200)
    throw new Error(`switchover ${leader} -> ${candidate} answered ${r.status}: ${JSON.stringify(r.body)}`);
}
