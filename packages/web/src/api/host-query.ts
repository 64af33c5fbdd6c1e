/**
 * Reads one agent's host for the host page: the agent (heartbeat, version,
 * address), the servers bound to it, which host probes have data (cpu,
 * load_avg, memory, swap, disk_space, disk_io, network, os_info...), and
 * the latest values of one host probe (the objects of its newest run: a
 * mount point that went away is not listed).
 *
 * Source of facts: pem.agent, pem.server_binding, pem.server and
 * pemdata.latest rows with server_id 0 (an agent's own host, written by
 * pem.ingest_batch from the OS probes, packages/agent/src/probes/os).
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import { ALIVE_INTERVALS, DEFAULT_HEARTBEAT_INTERVAL_S } from './fleet-query.js';
import type { LatestValue } from './shapes/fleet.js';
import type { HostDetail } from './shapes/host.js';

export type { HostDetail };

interface Row {
  id: number;
  display_name: string;
  host_address: string | null;
  active: boolean;
  agent_version: string | null;
  heartbeat_age_s: number | null;
  hb: number;
  servers: { id: number; name: string }[] | null;
  probes: { probe: string; objects: number; last: string; age_s: number }[] | null;
}

const DETAIL_SQL = `
SELECT a.id, a.display_name, host(a.host_address) AS host_address, a.active, a.agent_version,
       extract(epoch FROM now() - a.last_heartbeat)::float8 AS heartbeat_age_s,
       coalesce((SELECT interval_s FROM pem.probe WHERE name = 'agent_status'), $2::int) AS hb,
       (SELECT json_agg(json_build_object('id', s.id, 'name', s.display_name) ORDER BY s.id)
          FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id WHERE b.agent_id = a.id) AS servers,
       (SELECT json_agg(p ORDER BY p.probe) FROM (
          SELECT probe, count(*)::int AS objects, max(collected_at) AS last,
                 extract(epoch FROM now() - max(collected_at))::float8 AS age_s
            FROM pemdata.latest WHERE agent_id = a.id AND server_id = 0 GROUP BY probe) p) AS probes
  FROM pem.agent a
 WHERE a.id = $1`;

/** $1 agent, $2 probe: the objects of the probe's newest run on the agent's host. */
const LATEST_SQL = `
SELECT object, collected_at, extract(epoch FROM now() - collected_at)::float8 AS age_s, value FROM (
  SELECT l.*, max(l.collected_at) OVER () AS run_at
    FROM pemdata.latest l WHERE l.agent_id = $1 AND l.server_id = 0 AND l.probe = $2) r
 WHERE r.collected_at = r.run_at
 ORDER BY object
 LIMIT 2000`;

const round1 = (x: number) => Math.round(Math.max(0, x) * 10) / 10;

/** Reads agent `id`'s host; undefined when there is no such agent. Throws BackendFailingOverError. */
export async function readHostDetail(
  db: Queryable,
  id: number,
  logger?: LogSink,
): Promise<HostDetail | undefined> {
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<Row>(DETAIL_SQL, [id, DEFAULT_HEARTBEAT_INTERVAL_S], {
          deadlineMs: STATEMENT_DEADLINE_MS,
        })
      ).rows,
    { logger, what: 'read host' },
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: r.id,
    name: r.display_name,
    hostAddress: r.host_address,
    active: r.active,
    version: r.agent_version,
    heartbeatAgeS: r.heartbeat_age_s === null ? null : round1(r.heartbeat_age_s),
    alive: r.active && r.heartbeat_age_s !== null && r.heartbeat_age_s < ALIVE_INTERVALS * r.hb,
    heartbeatIntervalS: r.hb,
    servers: r.servers ?? [],
    probes: (r.probes ?? []).map((p) => ({
      probe: p.probe,
      objects: p.objects,
      lastCollectedAt: new Date(p.last).toISOString(),
      ageS: round1(p.age_s),
    })),
  };
}

/** The latest value of every object of host probe `probe` of agent `id` (its newest run). */
export async function readHostLatest(
  db: Queryable,
  id: number,
  probe: string,
  logger?: LogSink,
): Promise<LatestValue[]> {
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<{ object: string; collected_at: Date; age_s: number; value: unknown }>(
          LATEST_SQL,
          [id, probe],
          { deadlineMs: STATEMENT_DEADLINE_MS },
        )
      ).rows,
    { logger, what: 'read host values' },
  );
  return rows.map((r) => ({
    object: r.object,
    collectedAt: r.collected_at.toISOString(),
    ageS: round1(r.age_s),
    value: r.value,
  }));
}
