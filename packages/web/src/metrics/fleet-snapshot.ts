/**
 * Reads what one Prometheus scrape shows (exposition.ts) from the backend,
 * with one statement per scrape whatever the fleet's size: every server
 * (pem.server) with its latest values (pemdata.server_latest: per object the
 * value of the agent bound to it, the one the fleet API and the charts show),
 * and every agent (pem.agent) with the latest values of its own host
 * (pemdata.latest, server 0) and its heartbeat. The probe catalogue
 * (pem.probe: columns, units, counters) changes rarely and is read at most
 * once a minute ({@link PROBE_CATALOGUE_TTL_MS}).
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import type { AgentState, FleetSnapshot, LatestRow, MetricProbe, ServerState } from './exposition.js';

/** How long the probe catalogue is reused, ms. */
export const PROBE_CATALOGUE_TTL_MS = 60_000;

/** Deadline of the scrape's statement, ms (a 600-server fleet's latest values are a few hundred thousand rows). */
export const SCRAPE_DEADLINE_MS = 20_000;

interface Row {
  kind: 'server' | 'agent';
  name: string;
  active: boolean;
  age_s: number | null;
  probe: string | null;
  object: string | null;
  value: Record<string, unknown> | null;
}

const SNAPSHOT_SQL = `
SELECT 'server' AS kind, s.display_name AS name, s.active,
       extract(epoch FROM now() - max(l.collected_at) OVER (PARTITION BY s.id))::float8 AS age_s,
       l.probe, l.object, l.value
  FROM pem.server s LEFT JOIN pemdata.server_latest l ON l.server_id = s.id
UNION ALL
SELECT 'agent', a.display_name, true,
       extract(epoch FROM now() - a.last_heartbeat)::float8,
       l.probe, l.object, l.value
  FROM pem.agent a LEFT JOIN pemdata.latest l ON l.agent_id = a.id AND l.server_id = 0`;

const PROBES_SQL = `
SELECT name, level, description, counter_columns,
       coalesce((SELECT json_agg(json_build_object('name', c->>'name', 'unit', c->>'unit'))
                   FROM jsonb_array_elements(p.columns) c), '[]'::json) AS columns
  FROM pem.probe p ORDER BY name`;

/** Reads {@link FleetSnapshot}s, caching the probe catalogue. */
export class FleetSnapshotReader {
  readonly #db: Queryable;
  #probes: { at: number; probes: MetricProbe[] } | undefined;

  constructor(db: Queryable) {
    this.#db = db;
  }

  /** One snapshot. Throws BackendFailingOverError when the backend stays away. */
  async read(logger?: LogSink): Promise<FleetSnapshot> {
    const probes = await this.#catalogue(logger);
    const rows = await withFailoverRetry(
      async () => (await this.#db.query<Row>(SNAPSHOT_SQL, [], { deadlineMs: SCRAPE_DEADLINE_MS })).rows,
      { logger, what: 'read metrics' },
    );
    const latest: LatestRow[] = [];
    const servers = new Map<string, ServerState>();
    const agents = new Map<string, AgentState>();
    for (const r of rows) {
      if (r.kind === 'server' && !servers.has(r.name))
        servers.set(r.name, {
          name: r.name,
          active: r.active,
          sampleAgeS: r.age_s === null ? null : Math.max(0, r.age_s),
        });
      if (r.kind === 'agent' && !agents.has(r.name))
        agents.set(r.name, { name: r.name, heartbeatAgeS: r.age_s === null ? null : Math.max(0, r.age_s) });
      if (r.probe !== null && r.value !== null)
        latest.push({ kind: r.kind, name: r.name, probe: r.probe, object: r.object ?? '', value: r.value });
    }
    return { probes, rows: latest, servers: [...servers.values()], agents: [...agents.values()] };
  }

  async #catalogue(logger?: LogSink): Promise<MetricProbe[]> {
    const now = Date.now();
    if (this.#probes && now - this.#probes.at < PROBE_CATALOGUE_TTL_MS) return this.#probes.probes;
    const rows = await withFailoverRetry(
      async () =>
        (
          await this.#db.query<{
            name: string;
            level: MetricProbe['level'];
            description: string;
            counter_columns: string[];
            columns: { name: string; unit: string }[];
          }>(PROBES_SQL, [], { deadlineMs: STATEMENT_DEADLINE_MS })
        ).rows,
      { logger, what: 'read probe catalogue' },
    );
    const probes = rows.map((p) => ({
      name: p.name,
      level: p.level,
      description: p.description,
      counterColumns: p.counter_columns,
      columns: p.columns,
    }));
    this.#probes = { at: now, probes };
    return probes;
  }
}
