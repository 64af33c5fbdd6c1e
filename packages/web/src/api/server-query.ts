/**
 * Reads one monitored server for the server analysis page: its row and
 * binding, which probes have data for it (so the page can say "no data yet
 * for this probe" instead of drawing an empty chart), and the latest values
 * of one probe (e.g. the per-table rows behind the top-tables lists).
 *
 * Also how the server is doing (server_up, server_info, its agent's
 * heartbeat: the page's banner) and its probes' settings (interval,
 * enablement), so the page can say why a chart has no data.
 *
 * Source of facts: pem.server, pem.server_binding, pem.agent, pem.probe,
 * pem.probe_override, pem.server_maintenance (the maintenance window
 * covering it now) and
 * pemdata.server_latest (packages/backend/sql/views/: per object the value
 * the agent bound to the server stored through pem.ingest_batch, else the
 * newest another agent stored before a rebinding).
 */
import type { Queryable } from '@pharos/core/query';
import { PROBE_META } from '../../ui/contract/probe-columns.js';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import { ALIVE_INTERVALS, DEFAULT_HEARTBEAT_INTERVAL_S } from './fleet-query.js';
import type { LatestValue } from './shapes/fleet.js';
import type { MaintenanceNow } from './shapes/maintenance.js';
import type { ProbeSetting, ProbeSummary, ServerDetail, ServerStatus } from './shapes/server.js';

export type { ProbeSetting, ProbeSummary, ServerDetail, ServerStatus };

/** Most objects of one probe returned by {@link readLatest} (probes cap large schemas to a top N anyway). */
export const MAX_LATEST_OBJECTS = 2000;

interface DetailRow {
  id: number;
  display_name: string;
  host: string;
  port: number;
  active: boolean;
  is_pem_backend: boolean;
  agent_id: number | null;
  agent_name: string | null;
  probes: { probe: string; objects: number; last: string; age_s: number }[] | null;
  up: { object: string; collected_at: string; age_s: number; value: { up?: number; error?: string } } | null;
  info: { role?: string; server_version?: string; server_version_num?: number } | null;
  heartbeat_age_s: number | null;
  heartbeat_interval_s: number;
  agent_uptime_s: number | null;
  settings: { probe: string; interval_s: number; enabled: boolean }[] | null;
  maintenance: {
    window_id: number;
    scope: MaintenanceNow['scope'];
    reason: string;
    created_by: string;
    created_at: string;
    until: string | null;
  } | null;
}

const DETAIL_SQL = `
SELECT s.id, s.display_name, s.host, s.port, s.active, s.is_pem_backend, b.agent_id, a.display_name AS agent_name,
       (SELECT json_agg(p ORDER BY p.probe) FROM (
          SELECT probe, count(DISTINCT object)::int AS objects, max(collected_at) AS last,
                 extract(epoch FROM now() - max(collected_at))::float8 AS age_s
            FROM pemdata.server_latest WHERE server_id = s.id GROUP BY probe) p) AS probes,
       (SELECT json_build_object('object', l.object, 'collected_at', l.collected_at,
                                 'age_s', extract(epoch FROM now() - l.collected_at)::float8, 'value', l.value)
          FROM pemdata.server_latest l WHERE l.server_id = s.id AND l.probe = 'server_up'
         ORDER BY l.collected_at DESC LIMIT 1) AS up,
       (SELECT l.value FROM pemdata.server_latest l WHERE l.server_id = s.id AND l.probe = 'server_info'
         ORDER BY l.collected_at DESC LIMIT 1) AS info,
       extract(epoch FROM now() - a.last_heartbeat)::float8 AS heartbeat_age_s,
       coalesce((SELECT interval_s FROM pem.probe WHERE name = 'agent_status'), ${DEFAULT_HEARTBEAT_INTERVAL_S}) AS heartbeat_interval_s,
       (SELECT pem.jsonb_numeric(l.value -> 'uptime_s')::float8 FROM pemdata.latest l
         WHERE l.agent_id = b.agent_id AND l.server_id = 0 AND l.probe = 'agent_status' AND l.object = '') AS agent_uptime_s,
       (SELECT json_agg(json_build_object('probe', p.name,
                 'interval_s', coalesce(so.interval_s, ao.interval_s, p.interval_s),
                 'enabled', coalesce(so.enabled, ao.enabled,
                                     p.enabled AND (p.enabled_on = 'all' OR s.is_pem_backend))) ORDER BY p.name)
          FROM pem.probe p
          LEFT JOIN pem.probe_override so ON so.probe = p.name AND so.server_id = s.id AND so.database IS NULL
          LEFT JOIN pem.probe_override ao ON ao.probe = p.name AND ao.agent_id = b.agent_id
         WHERE p.level <> 'agent') AS settings,
       (SELECT row_to_json(m) FROM pem.server_maintenance m WHERE m.server_id = s.id) AS maintenance
  FROM pem.server s LEFT JOIN pem.server_binding b ON b.server_id = s.id
  LEFT JOIN pem.agent a ON a.id = b.agent_id
 WHERE s.id = $1`;

/**
 * $1 server, $2 probe, $3 per database (a database probe: one run per database, its objects
 * `<database>/<name>`), $4 only objects that start with it (NULL: all). Only the objects of the newest run count (of each database's newest
 * run for a database probe): docs/probes.md "Storage".
 */
const LATEST_SQL = `
SELECT object, collected_at, extract(epoch FROM now() - collected_at)::float8 AS age_s, value FROM (
  SELECT d.*, max(d.collected_at) OVER (PARTITION BY CASE WHEN $3::boolean THEN split_part(d.object, '/', 1) END) AS run_at
    FROM (SELECT object, collected_at, value
            FROM pemdata.server_latest WHERE server_id = $1 AND probe = $2
             AND ($4::text IS NULL OR left(object, length($4::text)) = $4::text)) d) r
 WHERE r.collected_at = r.run_at
 ORDER BY object
 LIMIT ${MAX_LATEST_OBJECTS}`;

const round1 = (x: number) => Math.round(Math.max(0, x) * 10) / 10;

/** Reads server `id`; undefined when there is none. Throws BackendFailingOverError. */
export async function readServerDetail(
  db: Queryable,
  id: number,
  logger?: LogSink,
): Promise<ServerDetail | undefined> {
  const rows = await withFailoverRetry(
    async () => (await db.query<DetailRow>(DETAIL_SQL, [id], { deadlineMs: STATEMENT_DEADLINE_MS })).rows,
    { logger, what: 'read server' },
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: r.id,
    name: r.display_name,
    host: r.host,
    port: r.port,
    active: r.active,
    isPemBackend: r.is_pem_backend,
    agentId: r.agent_id,
    agentName: r.agent_name,
    probes: (r.probes ?? []).map((p) => ({
      probe: p.probe,
      objects: p.objects,
      lastCollectedAt: new Date(p.last).toISOString(),
      ageS: round1(p.age_s),
    })),
    status: {
      up: r.up
        ? {
            object: r.up.object,
            collectedAt: new Date(r.up.collected_at).toISOString(),
            ageS: round1(r.up.age_s),
            value: r.up.value,
          }
        : null,
      role: r.info?.role ?? null,
      serverVersion: r.info?.server_version ?? null,
      versionNum: r.info?.server_version_num ?? null,
      agentAlive:
        r.agent_id === null
          ? null
          : r.heartbeat_age_s !== null && r.heartbeat_age_s < ALIVE_INTERVALS * r.heartbeat_interval_s,
      heartbeatAgeS: r.heartbeat_age_s === null ? null : round1(r.heartbeat_age_s),
      heartbeatIntervalS: r.heartbeat_interval_s,
      agentUptimeS: r.agent_uptime_s,
    },
    settings: (r.settings ?? []).map((x) => ({
      probe: x.probe,
      intervalS: x.interval_s,
      enabled: x.enabled,
    })),
    maintenance: r.maintenance
      ? {
          windowId: r.maintenance.window_id,
          scope: r.maintenance.scope,
          reason: r.maintenance.reason,
          setBy: r.maintenance.created_by,
          setAt: new Date(r.maintenance.created_at).toISOString(),
          until: r.maintenance.until === null ? null : new Date(r.maintenance.until).toISOString(),
        }
      : null,
  };
}

/** A probe run once per database (contract/probe-columns.ts PROBE_META). */
export function isDatabaseProbe(probe: string): boolean {
  const meta: Record<string, { level: string }> = PROBE_META;
  return Object.hasOwn(meta, probe) && meta[probe]!.level === 'database';
}

/**
 * The latest value of every object of `probe` on server `id` (at most {@link MAX_LATEST_OBJECTS}),
 * only the objects of the probe's newest run (of each database's, for a database probe), and
 * only those whose name starts with `prefix` when given (`app/`: the tables of database app).
 */
export async function readLatest(
  db: Queryable,
  id: number,
  probe: string,
  logger?: LogSink,
  prefix?: string,
): Promise<LatestValue[]> {
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<{ object: string; collected_at: Date; age_s: number; value: unknown }>(
          LATEST_SQL,
          [id, probe, isDatabaseProbe(probe), prefix ?? null],
          { deadlineMs: STATEMENT_DEADLINE_MS },
        )
      ).rows,
    { logger, what: 'read latest values' },
  );
  return rows.map((r) => ({
    object: r.object,
    collectedAt: r.collected_at.toISOString(),
    ageS: round1(r.age_s),
    value: r.value,
  }));
}
