/**
 * Reads one monitored server for the server analysis page: its row and
 * binding, which probes have data for it (so the page can say "no data yet
 * for this probe" instead of drawing an empty chart), and the latest values
 * of one probe (e.g. the per-table rows behind the top-tables lists).
 *
 * Source of facts: pem.server, pem.server_binding, pem.agent,
 * pem.server_maintenance (the maintenance window covering it now) and
 * pemdata.server_latest (packages/backend/sql/views/: per object the value
 * the agent bound to the server stored through pem.ingest_batch, else the
 * newest another agent stored before a rebinding).
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import type { LatestValue } from './shapes/fleet.js';
import type { MaintenanceNow } from './shapes/maintenance.js';
import type { ProbeSummary, ServerDetail } from './shapes/server.js';

export type { ProbeSummary, ServerDetail };

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
       (SELECT row_to_json(m) FROM pem.server_maintenance m WHERE m.server_id = s.id) AS maintenance
  FROM pem.server s LEFT JOIN pem.server_binding b ON b.server_id = s.id
  LEFT JOIN pem.agent a ON a.id = b.agent_id
 WHERE s.id = $1`;

const LATEST_SQL = `
SELECT object, collected_at, extract(epoch FROM now() - collected_at)::float8 AS age_s, value
  FROM pemdata.server_latest WHERE server_id = $1 AND probe = $2
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

/** The latest value of every object of `probe` on server `id` (at most {@link MAX_LATEST_OBJECTS}). */
export async function readLatest(
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
    { logger, what: 'read latest values' },
  );
  return rows.map((r) => ({
    object: r.object,
    collectedAt: r.collected_at.toISOString(),
    ageS: round1(r.age_s),
    value: r.value,
  }));
}
