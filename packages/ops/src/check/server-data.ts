/**
 * Every monitored server (`pem.server`: the PEM backends and the fleet's
 * servers, docs/monitoring-a-server.md), read on the primary (one session on
 * the multi-host list of every backend, `target_session_attrs=read-write`):
 * `agent.server-data` (fresh samples of PostgreSQL probes; "not yet" is a
 * warning, "broken" a failure; `lab up` waits for the same judgement,
 * lab/wait-data.ts), `agent.server-reachable` (its agent reaches it: the
 * newest `server_up`) and `agent.server-role` (the role its agent
 * observed). Values are its bound agent's (what that agent saw: security
 * review M1). Judged by server-data-evaluate.ts.
 */
import type { CheckContext } from './context.js';
import { type CheckResult, reasonOf, result } from './result.js';
import { evaluateServerData, type ServerDataRow } from './server-data-evaluate.js';
import { withSession } from './sql.js';

/**
 * Per server, from its bound agent's values: age of the newest PostgreSQL
 * probe sample, the newest probe failure within $1 seconds, the bound agent
 * and how long ago it started (its newest `agent_status` sample's
 * collection time minus `uptime_s`, or, before any has arrived, its
 * registration, `pem.agent.registered_at`), the newest `server_up` (up,
 * error, age; the probe's interval) and `server_info` role.
 */
export const SERVER_DATA_SQL = `
SELECT s.display_name, b.agent_id, a.display_name AS agent_name, s.is_pem_backend,
       (SELECT extract(epoch FROM clock_timestamp() - max(l.collected_at))::float8
          FROM pemdata.latest l
         WHERE l.agent_id = b.agent_id AND l.server_id = s.id
           AND l.probe <> 'server_up' AND l.probe NOT LIKE 'patroni%') AS sql_age_s,
       f.error AS last_error, f.probe AS last_error_probe,
       extract(epoch FROM clock_timestamp() - coalesce(st.started_at, a.registered_at))::float8 AS agent_age_s,
       st.started_at IS NOT NULL AS agent_reported,
       u.up, u.up_error, u.up_age_s, i.role,
       (SELECT p.interval_s FROM pem.probe p WHERE p.name = 'server_up') AS up_interval_s
  FROM pem.server s
  LEFT JOIN pem.server_binding b ON b.server_id = s.id
  LEFT JOIN pem.agent a ON a.id = b.agent_id
  LEFT JOIN LATERAL (SELECT l.collected_at - make_interval(secs => (l.value->>'uptime_s')::float8) AS started_at
                       FROM pemdata.latest l
                      WHERE l.agent_id = a.id AND l.server_id = 0 AND l.probe = 'agent_status'
                      ORDER BY l.collected_at DESC LIMIT 1) st ON true
  LEFT JOIN LATERAL (SELECT p.error, p.probe FROM pem.probe_log p
                      WHERE p.server_id = s.id AND p.failed_at > clock_timestamp() - make_interval(secs => $1)
                      ORDER BY p.failed_at DESC LIMIT 1) f ON true
  LEFT JOIN LATERAL (SELECT (l.value->>'up')::int AS up, l.value->>'error' AS up_error,
                            extract(epoch FROM clock_timestamp() - l.collected_at)::float8 AS up_age_s
                       FROM pemdata.latest l
                      WHERE l.agent_id = b.agent_id AND l.server_id = s.id AND l.probe = 'server_up'
                      ORDER BY l.collected_at DESC LIMIT 1) u ON true
  LEFT JOIN LATERAL (SELECT l.value->>'role' AS role FROM pemdata.latest l
                      WHERE l.agent_id = b.agent_id AND l.server_id = s.id AND l.probe = 'server_info'
                      ORDER BY l.collected_at DESC LIMIT 1) i ON true
 ORDER BY s.id`;

/** `agent.server-data`, `agent.server-reachable` and `agent.server-role` for every registered server. */
export async function checkServerData(ctx: CheckContext): Promise<CheckResult[]> {
  const maxAgeS = ctx.heartbeatMaxAgeS;
  try {
    const rows = await withSession(
      ctx,
      ctx.topo.backends.map((b) => b.address),
      'pem',
      'read-write',
      (q) => q<ServerDataRow>(SERVER_DATA_SQL, [maxAgeS]),
    );
    return evaluateServerData(rows, maxAgeS);
  } catch (err) {
    return [
      result(
        'agent',
        'agent.server-data',
        'cluster',
        'failed',
        `cannot run: pemdata.latest on the primary: ${reasonOf(err)} (as ${ctx.sql.origin})`,
        'see the patroni and postgresql checks',
      ),
    ];
  }
}
