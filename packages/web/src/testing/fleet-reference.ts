/**
 * Test and benchmark support: the statement GET /api/fleet ran before
 * migration 018 (fleet-query.ts at commit 929aeb4, its constants expanded),
 * kept as the oracle that the current statement must agree with on the same
 * data (fleet-query.int.test.ts; the overview benchmark checks it on the
 * recorded lab samples). $1 default heartbeat interval (s), $2 the overview's
 * probes (text[]). It reads every row of pemdata.latest (no index serves
 * it): never use it to serve requests.
 */
import type { FleetPageQuery } from '../api/fleet-query.js';

export const REFERENCE_FLEET_SQL = `
WITH c AS (
  SELECT now() AS as_of,
         coalesce((SELECT interval_s FROM pem.probe WHERE name = 'agent_status'), $1::int) AS hb
), chosen AS (
  SELECT agent_id, server_id, probe, object, collected_at, value
    FROM pemdata.latest WHERE server_id = 0 AND probe = ANY($2::text[])
  UNION ALL
  SELECT agent_id, server_id, probe, object, collected_at, value
    FROM pemdata.server_latest WHERE probe = ANY($2::text[])
), lv AS (
  -- Only the objects of each probe's newest run (every row of a run shares its time, docs/probes.md
  -- "Storage"): a standby that went away, or the upstream of a former standby, is not shown.
  SELECT agent_id, server_id, probe, object, collected_at, value FROM (
    SELECT ch.*, max(ch.collected_at) OVER (PARTITION BY CASE WHEN ch.server_id = 0 THEN ch.agent_id END,
                                             ch.server_id, ch.probe) AS run_at
      FROM chosen ch) r
   WHERE r.collected_at = r.run_at
), win AS (
  -- Commits per second and the cache hit ratio between the two newest samples of database_stats
  -- (the bound agent's, as pemdata.server_latest chooses).
  SELECT DISTINCT ON (l.server_id) l.server_id,
         extract(epoch FROM l.collected_at - l.prev_collected_at)::float8 AS seconds,
         pem.counter_rates(l.prev_value, l.value, ARRAY['xact_commit', 'blks_hit', 'blks_read'],
                           extract(epoch FROM l.collected_at - l.prev_collected_at)::float8) AS rates
    FROM pemdata.latest l LEFT JOIN pem.server_binding b ON b.server_id = l.server_id
   WHERE l.server_id <> 0 AND l.probe = 'database_stats' AND l.object = '' AND l.prev_value IS NOT NULL
   ORDER BY l.server_id, (l.agent_id = b.agent_id) IS TRUE DESC, l.collected_at DESC
), per_probe AS (
  SELECT CASE WHEN x.server_id = 0 THEN x.agent_id END AS agent_id, nullif(x.server_id, 0) AS server_id, x.probe,
         json_agg(json_build_object('object', x.object, 'collectedAt', to_char(x.collected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                    'ageS', round(greatest(0, extract(epoch FROM c.as_of - x.collected_at))::numeric, 1)::float8, 'value', CASE WHEN jsonb_typeof(x.value) <> 'object' THEN x.value WHEN x.probe = 'cpu' THEN jsonb_strip_nulls(jsonb_build_object('busy_pct', x.value -> 'busy_pct', 'idle_pct', x.value -> 'idle_pct')) WHEN x.probe = 'load_avg' THEN jsonb_strip_nulls(jsonb_build_object('load1', x.value -> 'load1', 'load5', x.value -> 'load5', 'load15', x.value -> 'load15')) WHEN x.probe = 'memory' THEN jsonb_strip_nulls(jsonb_build_object('total_bytes', x.value -> 'total_bytes', 'available_bytes', x.value -> 'available_bytes', 'used_bytes', x.value -> 'used_bytes')) WHEN x.probe = 'server_up' THEN jsonb_strip_nulls(jsonb_build_object('up', x.value -> 'up', 'error', x.value -> 'error')) WHEN x.probe = 'server_info' THEN jsonb_strip_nulls(jsonb_build_object('role', x.value -> 'role', 'in_recovery', x.value -> 'in_recovery', 'server_version', x.value -> 'server_version', 'started_at', x.value -> 'started_at', 'timeline', x.value -> 'timeline')) WHEN x.probe = 'connections_by_state' THEN jsonb_strip_nulls(jsonb_build_object('state', x.value -> 'state', 'connections', x.value -> 'connections')) WHEN x.probe = 'database_stats' THEN jsonb_strip_nulls(jsonb_build_object('xact_commit', x.value -> 'xact_commit', 'blks_hit', x.value -> 'blks_hit', 'blks_read', x.value -> 'blks_read', 'hit_ratio_pct', x.value -> 'hit_ratio_pct')) WHEN x.probe = 'replication_lag' THEN jsonb_strip_nulls(jsonb_build_object('lag_bytes', x.value -> 'lag_bytes', 'replay_lag_s', x.value -> 'replay_lag_s', 'broken', x.value -> 'broken')) ELSE x.value END) ORDER BY x.object) AS items
    FROM lv x CROSS JOIN c
   WHERE NOT (x.probe = 'connections_by_state' AND x.value ->> 'connections' = '0')
   GROUP BY 1, 2, 3
), latest AS (
  SELECT agent_id, server_id, json_object_agg(probe, items ORDER BY probe) AS latest FROM per_probe GROUP BY 1, 2
), al AS (
  SELECT agent_id, server_id, state FROM pem.alert WHERE enabled AND state <> 'none'
), al_agent AS (
  SELECT a.agent_id, json_build_object('high', count(*) FILTER (WHERE a.state = 'high'),
  'medium', count(*) FILTER (WHERE a.state = 'medium'), 'low', count(*) FILTER (WHERE a.state = 'low')) AS counts FROM al a WHERE a.server_id IS NULL GROUP BY 1
), al_server AS (
  SELECT a.server_id, json_build_object('high', count(*) FILTER (WHERE a.state = 'high'),
  'medium', count(*) FILTER (WHERE a.state = 'medium'), 'low', count(*) FILTER (WHERE a.state = 'low')) AS counts FROM al a WHERE a.server_id IS NOT NULL GROUP BY 1
), mw_server AS (
  SELECT m.server_id AS id, json_build_object('windowId', m.window_id, 'scope', m.scope, 'reason', m.reason,
  'setBy', m.created_by, 'setAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'until', to_char(m.until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS maintenance FROM pem.server_maintenance m
), mw_agent AS (
  SELECT m.agent_id AS id, json_build_object('windowId', m.window_id, 'scope', m.scope, 'reason', m.reason,
  'setBy', m.created_by, 'setAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'until', to_char(m.until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS maintenance FROM pem.agent_maintenance m
)
SELECT json_build_object(
  'asOf', to_char(c.as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'heartbeatIntervalS', c.hb,
  'alertCounts', (SELECT json_build_object('high', count(*) FILTER (WHERE a.state = 'high'),
  'medium', count(*) FILTER (WHERE a.state = 'medium'), 'low', count(*) FILTER (WHERE a.state = 'low')) FROM al a),
  'agents', coalesce((
    SELECT json_agg(json_build_object('id', a.id, 'name', a.display_name, 'userName', a.user_name,
             'hostAddress', host(a.host_address), 'active', a.active, 'version', a.agent_version,
             'lastHeartbeat', to_char(a.last_heartbeat AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'heartbeatAgeS', CASE WHEN a.last_heartbeat IS NOT NULL THEN round(greatest(0, extract(epoch FROM c.as_of - a.last_heartbeat))::numeric, 1)::float8 END,
             'alive', a.active AND a.last_heartbeat IS NOT NULL
                      AND extract(epoch FROM c.as_of - a.last_heartbeat) < 3 * c.hb,
             'droppedSamples', a.dropped_samples, 'alerts', coalesce(aa.counts, json_build_object('high', 0, 'medium', 0, 'low', 0)),
             'latest', coalesce(l.latest, '{}'::json), 'maintenance', ma.maintenance) ORDER BY a.id)
      FROM pem.agent a
      LEFT JOIN latest l ON l.agent_id = a.id AND l.server_id IS NULL
      LEFT JOIN al_agent aa ON aa.agent_id = a.id
      LEFT JOIN mw_agent ma ON ma.id = a.id), '[]'::json),
  'servers', coalesce((
    SELECT json_agg(json_build_object('id', s.id, 'name', s.display_name, 'host', s.host, 'port', s.port,
             'active', s.active, 'isPemBackend', s.is_pem_backend, 'agentId', b.agent_id, 'agentName', a.display_name,
             'alerts', coalesce(sa.counts, json_build_object('high', 0, 'medium', 0, 'low', 0)), 'latest', coalesce(l.latest, '{}'::json),
             'window', CASE WHEN w.server_id IS NOT NULL THEN json_build_object('seconds', round(w.seconds::numeric, 1)::float8,
               'commitsPerS', round(pem.jsonb_numeric(w.rates -> 'xact_commit'), 2)::float8,
               'cacheHitPct', round(100 * pem.jsonb_numeric(w.rates -> 'blks_hit')
                 / nullif(pem.jsonb_numeric(w.rates -> 'blks_hit') + pem.jsonb_numeric(w.rates -> 'blks_read'), 0), 2)::float8) END,
             'maintenance', ms.maintenance)
             ORDER BY s.id)
      FROM pem.server s
      LEFT JOIN win w ON w.server_id = s.id
      LEFT JOIN pem.server_binding b ON b.server_id = s.id
      LEFT JOIN pem.agent a ON a.id = b.agent_id
      LEFT JOIN latest l ON l.server_id = s.id
      LEFT JOIN al_server sa ON sa.server_id = s.id
      LEFT JOIN mw_server ms ON ms.id = s.id), '[]'::json)
)::text AS fleet
  FROM c`;

/**
 * The current statement's page that answers what {@link REFERENCE_FLEET_SQL} answers: the whole
 * fleet in one page, by id (fleet-query.ts fleetParams).
 */
export const WHOLE_FLEET: FleetPageQuery = { limit: 1_000_000, offset: 0, agentOffset: 0, order: 'id' };

/**
 * A current answer (parsed JSON of {@link WHOLE_FLEET}) without what the reference did not have:
 * the totals, the page and a server's clusterId, agentAlive, status and newestSampleAt (those
 * are checked against the answer itself and the UI's rules by fleet-query.int.test.ts).
 */
export function asReference(cur: Record<string, unknown>): Record<string, unknown> {
  const { totals: _t, page: _p, servers, ...rest } = cur;
  return {
    ...rest,
    servers: (servers as Record<string, unknown>[]).map(
      ({ clusterId: _c, agentAlive: _a, status: _s, newestSampleAt: _n, ...s }) => s,
    ),
  };
}
