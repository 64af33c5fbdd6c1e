-- The built-in alert templates (docs/reference/pem-facts.md §5), as this release ships them. Probe names and
-- columns they read: docs/alerts.md; templates over probes not collected yet take the probe and
-- column from params, so they can be pointed at the real names without changing SQL. A missing
-- probe means no data: state none. Template SQL contract (sql/functions/alerts/,
-- pem.alert_template_value): $1 agent id, $2 server id (NULL for agent-level alerts), $3 object,
-- $4 params; one row with `value` (and optionally `detail`); $1 is the agent bound to the server
-- for server and database alerts. The helpers pem.latest_rows, pem.latest_row and
-- pem.latest_column read the fresh latest values of the alert's server as its agent reported them
-- (or, with server 0, of the agent's own host).
--
-- Applied by the migration runner whenever sql/ changed (pem.merge_alert_template_catalogue):
-- a template new to the database is added (builtin) and bound to the registered agents and
-- servers; a built-in template nobody edited since it was shipped takes this definition; one an
-- administrator changed is kept as it is.
CREATE TEMP TABLE catalogue_alert_template (LIKE pem.alert_template INCLUDING DEFAULTS) ON COMMIT DROP;

INSERT INTO pg_temp.catalogue_alert_template
  (name, level, sql, operator, low, medium, high, interval_s, description, unit, params, probes) VALUES
('Agent Down', 'agent', $q$
SELECT extract(epoch FROM now() - greatest(coalesce(a.last_heartbeat, a.registered_at), st.resumed_at))::float8 AS value,
       'last heartbeat ' || coalesce(to_char(a.last_heartbeat AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'never') AS detail
  FROM pem.agent a CROSS JOIN pem.alerting_state st
 WHERE a.id = $1 AND a.active
$q$, '>', 30, 60, 120, 30, 'Seconds since the agent''s last heartbeat (time the backend itself was unavailable not counted)', 's', '{}', '{}'),

('Server Down', 'server', $q$
SELECT CASE WHEN (l.value ->> 'up')::int = 0 THEN 1 ELSE 0 END::float8 AS value, l.value ->> 'error' AS detail
  FROM pem.latest_row($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 0, 0, 0, 60, 'The monitoring agent cannot connect to the server (1) or can (0)', 'boolean',
 '{"probe": "server_up", "max_age_s": 300}', '{server_up}'),

('CPU utilisation', 'agent', $q$
SELECT pem.latest_column($1, 0, $4 ->> 'probe', $4 ->> 'column', ($4 ->> 'max_age_s')::float8) AS value, NULL::text AS detail
$q$, '>', 80, 90, 95, 60, 'CPU busy percentage of the agent''s host', 'percent',
 '{"probe": "cpu", "column": "busy_pct", "max_age_s": 300}', '{cpu}'),

('Load per core', 'agent', $q$
SELECT ((l.value ->> ($4 ->> 'column'))::float8 / nullif((l.value ->> 'cpus')::float8, 0)) AS value,
       (l.value ->> ($4 ->> 'column')) || ' over ' || (l.value ->> 'cpus') || ' CPUs' AS detail
  FROM pem.latest_row($1, 0, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 1, 2, 4, 60, '5-minute load average per CPU of the agent''s host', 'tasks per CPU',
 '{"probe": "load_avg", "column": "load5", "max_age_s": 300}', '{load_avg}'),

('Memory used', 'agent', $q$
SELECT pem.latest_column($1, 0, $4 ->> 'probe', $4 ->> 'column', ($4 ->> 'max_age_s')::float8) AS value, NULL::text AS detail
$q$, '>', 85, 90, 95, 60, 'RAM in use (total - available) as a percentage of the total', 'percent',
 '{"probe": "memory", "column": "used_pct", "max_age_s": 300}', '{memory}'),

('Swap used', 'agent', $q$
SELECT pem.latest_column($1, 0, $4 ->> 'probe', $4 ->> 'column', ($4 ->> 'max_age_s')::float8) AS value, NULL::text AS detail
$q$, '>', 30, 50, 80, 60, 'Swap in use as a percentage of the swap space (no swap: no data)', 'percent',
 '{"probe": "swap", "column": "used_pct", "max_age_s": 300}', '{swap}'),

('Disk consumption', 'agent', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.object AS detail
  FROM pem.latest_rows($1, 0, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 80, 90, 95, 300, 'Fullest mount point: used space as a percentage of its size', 'percent',
 '{"probe": "disk_space", "column": "used_pct", "max_age_s": 900}', '{disk_space}'),

('Total connections', 'server', $q$
WITH c AS (
  SELECT sum((l.value ->> 'connections')::float8) AS n
    FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
), m AS (
  SELECT (l.value ->> 'max_connections')::float8 AS mx
    FROM pem.latest_row($1, $2, 'server_info', ($4 ->> 'max_age_s')::float8) l
)
SELECT 100 * c.n / nullif(m.mx, 0) AS value, c.n || ' of max_connections ' || m.mx AS detail FROM c, m
$q$, '>', 75, 85, 95, 60, 'Client connections as a percentage of max_connections', 'percent',
 '{"probe": "connections_by_state", "max_age_s": 300}', '{connections_by_state,server_info}'),

('Idle in transaction sessions', 'server', $q$
SELECT sum((l.value ->> 'connections')::float8) AS value, NULL::text AS detail
  FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
 WHERE l.object IN ('idle in transaction', 'idle in transaction (aborted)')
$q$, '>', 5, 10, 20, 60, 'Sessions idle in a transaction', 'count',
 '{"probe": "connections_by_state", "max_age_s": 300}', '{connections_by_state}'),

('Long-running queries', 'server', $q$
SELECT pem.latest_column($1, $2, $4 ->> 'probe', $4 ->> 'column', ($4 ->> 'max_age_s')::float8) AS value, NULL::text AS detail
$q$, '>', 300, 900, 3600, 60, 'Age of the longest-running active query', 's',
 '{"probe": "session_activity", "column": "longest_query_s", "max_age_s": 300}', '{session_activity}'),

('Long-running transactions', 'server', $q$
SELECT pem.latest_column($1, $2, $4 ->> 'probe', $4 ->> 'column', ($4 ->> 'max_age_s')::float8) AS value, NULL::text AS detail
$q$, '>', 600, 1800, 3600, 60, 'Age of the oldest open transaction', 's',
 '{"probe": "session_activity", "column": "oldest_xact_age_s", "max_age_s": 300}', '{session_activity}'),

('Dead tuples', 'database', $q$
SELECT 100 * (l.value ->> 'n_dead_tup')::float8
         / nullif((l.value ->> 'n_live_tup')::float8 + (l.value ->> 'n_dead_tup')::float8, 0) AS value,
       l.object AS detail
  FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
 WHERE ($3 = '' OR left(l.object, length($3) + 1) = $3 || '/')
   AND (l.value ->> 'n_live_tup')::float8 + (l.value ->> 'n_dead_tup')::float8 >= ($4 ->> 'min_rows')::float8
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 20, 30, 50, 300, 'Dead tuples as a percentage of all tuples, the worst table of at least min_rows rows (object: database, '''' = all)', 'percent',
 '{"probe": "table_stats", "min_rows": 1000, "max_age_s": 1800}', '{table_stats}'),

('Shared buffers hit ratio', 'server', $q$
SELECT pem.latest_column($1, $2, $4 ->> 'probe', $4 ->> 'column', ($4 ->> 'max_age_s')::float8) AS value, NULL::text AS detail
$q$, '<', 90, 80, 70, 300, 'Shared buffer hits as a percentage of block reads and hits (since the statistics reset)', 'percent',
 '{"probe": "database_stats", "column": "hit_ratio_pct", "max_age_s": 300}', '{database_stats}'),

('Transaction ID wraparound', 'database', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.object AS detail
  FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
 WHERE $3 = '' OR l.object = $3
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 500000000, 1000000000, 1500000000, 300, 'age(datfrozenxid) of the oldest database', 'transactions',
 '{"probe": "xid_wraparound", "column": "xid_age", "max_age_s": 3600}', '{xid_wraparound}'),

('Multixact wraparound', 'database', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.object AS detail
  FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
 WHERE $3 = '' OR l.object = $3
 ORDER BY 1 DESC NULLS LAST LIMIT 1
$q$, '>', 500000000, 1000000000, 1500000000, 300, 'mxid_age(datminmxid) of the oldest database', 'multixacts',
 '{"probe": "xid_wraparound", "column": "mxid_age", "max_age_s": 3600}', '{xid_wraparound}'),

('Replica lag (bytes)', 'server', $q$
SELECT max((l.value ->> ($4 ->> 'column'))::float8) AS value,
       string_agg(l.object || ': ' || (l.value ->> ($4 ->> 'column')), ', ') AS detail
  FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 16777216, 67108864, 268435456, 60, 'Largest replication lag in bytes: a standby''s own, or the worst standby of a primary', 'bytes',
 '{"probe": "replication_lag", "column": "lag_bytes", "max_age_s": 300}', '{replication_lag}'),

('Replica lag (seconds)', 'server', $q$
SELECT max((l.value ->> ($4 ->> 'column'))::float8) AS value,
       string_agg(l.object || ': ' || (l.value ->> ($4 ->> 'column')), ', ') AS detail
  FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 30, 60, 300, 60, 'Largest replay lag in seconds (0 on a caught-up streaming standby)', 's',
 '{"probe": "replication_lag", "column": "replay_lag_s", "max_age_s": 300}', '{replication_lag}'),

('Inactive replication slots', 'server', $q$
-- On a standby, physical slots are inactive by design (Patroni keeps its members' slots on every
-- replica, advancing them, so a promoted member has them): only a primary's, and a standby's
-- logical slots, count.
SELECT count(*) FILTER (WHERE s.inactive)::float8 AS value,
       string_agg(s.object, ', ') FILTER (WHERE s.inactive) AS detail
  FROM (SELECT l.object,
               (l.value ->> 'active')::boolean IS FALSE
               AND NOT (l.value ->> 'slot_type' IS DISTINCT FROM 'logical'
                        AND coalesce((SELECT (i.value ->> 'in_recovery')::boolean
                                        FROM pem.latest_row($1, $2, 'server_info', ($4 ->> 'max_age_s')::float8) i),
                                     false)) AS inactive
          FROM pem.latest_rows($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l) s
$q$, '>', 0, 1, 3, 300, 'Replication slots not in use (they retain WAL)', 'count',
 '{"probe": "replication_slots", "max_age_s": 900}', '{replication_slots}'),

('WAL files pending archive', 'server', $q$
SELECT (l.value ->> ($4 ->> 'column'))::float8 AS value, l.value ->> 'last_failed_wal' AS detail
  FROM pem.latest_row($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 10, 50, 100, 300, 'WAL segments waiting for archive_command (.ready files)', 'files',
 '{"probe": "wal_archive", "column": "pending_files", "max_age_s": 900}', '{wal_archive}'),

('Patroni: no leader', 'server', $q$
SELECT CASE WHEN nullif(l.value ->> 'leader', '') IS NULL THEN 1 ELSE 0 END::float8 AS value,
       'cluster ' || coalesce(l.value ->> 'scope', '?') AS detail
  FROM pem.latest_row($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 0, 0, 0, 30, 'The Patroni cluster has no leader (1)', 'boolean',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}'),

('Patroni: DCS not healthy', 'server', $q$
SELECT CASE WHEN (l.value ->> 'dcs_healthy')::boolean IS FALSE THEN 1 ELSE 0 END::float8 AS value,
       'DCS last seen ' || coalesce(l.value ->> 'dcs_last_seen_age_s', '?') || ' s ago' AS detail
  FROM pem.latest_row($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 0, 0, 0, 30, 'Patroni on this node cannot reach its DCS (1)', 'boolean',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}'),

('Patroni: cluster paused', 'server', $q$
SELECT CASE WHEN (l.value ->> 'paused')::boolean THEN 1 ELSE 0 END::float8 AS value,
       'cluster ' || coalesce(l.value ->> 'scope', '?') AS detail
  FROM pem.latest_row($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 0, 0, 1, 30, 'Patroni maintenance mode: automatic failover is off (1)', 'boolean',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}'),

('Patroni: failover detected', 'server', $q$
-- The timeline now minus the timeline at the window's start: the last sample at or before it, else
-- from the compacted blocks; a server whose history is younger than the window falls back to its
-- first timeline in the window (timelines only grow). COALESCE evaluates each subquery only when
-- the ones before it found nothing (issue 19: this template took 62 % of alert evaluation at 1,000
-- simulated servers, decoding an hour of history per server per minute).
-- Written for the generic plan the evaluator keeps (plan_cache_mode force_generic_plan, chosen by
-- measurement: docs/benchmarks.md, "Alert evaluation"): first the newest hot sample of the server's
-- probe at or before the window's start, found as max(collected_at) on the (server_id, probe,
-- collected_at) index (one backward index probe per partition), taken when it is this agent's
-- object-'' sample (the usual case); else the same sample searched among this agent's. The agent
-- is compared with IS NOT DISTINCT FROM (the same for a NOT NULL column), which no index serves:
-- with `=`, the generic plan ANDed a bitmap of the agent's whole day of samples (every probe of
-- every server of the agent) into each probe.
WITH cur AS (
  SELECT (l.value ->> ($4 ->> 'column'))::int AS tl
    FROM pem.latest_row($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
), start AS MATERIALIZED (  -- once: the SELECT below reads its timeline twice
  SELECT coalesce(
    (SELECT (h.value ->> ($4 ->> 'column'))::int FROM pemhistory.sample h
      WHERE h.server_id = $2 AND h.probe = $4 ->> 'probe'
        AND h.collected_at = (SELECT max(m.collected_at) FROM pemhistory.sample m
                               WHERE m.server_id = $2 AND m.probe = $4 ->> 'probe'
                                 AND m.collected_at <= now() - make_interval(secs => ($4 ->> 'window_s')::float8))
        AND h.agent_id IS NOT DISTINCT FROM $1 AND h.object = ''
      LIMIT 1),
    (SELECT (h.value ->> ($4 ->> 'column'))::int FROM pemhistory.sample h
      WHERE h.server_id = $2 AND h.agent_id IS NOT DISTINCT FROM $1 AND h.probe = $4 ->> 'probe' AND h.object = ''
        AND h.collected_at <= now() - make_interval(secs => ($4 ->> 'window_s')::float8)
      ORDER BY h.collected_at DESC LIMIT 1),
    (SELECT (c.value ->> ($4 ->> 'column'))::int
       FROM pem.history_block_samples($2, $4 ->> 'probe',
              (SELECT max(b.block_start) FROM pemhistory.sample_block b JOIN pemhistory.source o ON o.id = b.source_id
                WHERE o.server_id = $2 AND o.agent_id = $1 AND o.probe = $4 ->> 'probe' AND o.object = ''
                  AND b.block_start <= now() - make_interval(secs => ($4 ->> 'window_s')::float8)),
              now() - make_interval(secs => ($4 ->> 'window_s')::float8) + interval '1 microsecond',
              ARRAY[$4 ->> 'column']) c
      WHERE c.agent_id = $1 AND c.object = ''
      ORDER BY c.collected_at DESC LIMIT 1),
    (SELECT min(w.tl) FROM (  -- pem.history_samples($2, probe, window start, 'infinity'), its two halves
       SELECT (h.value ->> ($4 ->> 'column'))::int AS tl FROM pemhistory.sample h
        WHERE h.server_id = $2 AND h.agent_id IS NOT DISTINCT FROM $1 AND h.probe = $4 ->> 'probe' AND h.object = ''
          AND h.collected_at > now() - make_interval(secs => ($4 ->> 'window_s')::float8)
       UNION ALL
       SELECT (c.value ->> ($4 ->> 'column'))::int
         FROM pem.history_block_samples($2, $4 ->> 'probe', now() - make_interval(secs => ($4 ->> 'window_s')::float8),
                                        'infinity', ARRAY[$4 ->> 'column']) c
        WHERE c.agent_id = $1 AND c.object = ''
          AND c.collected_at > now() - make_interval(secs => ($4 ->> 'window_s')::float8)) w)) AS tl
)
SELECT (cur.tl - start.tl)::float8 AS value,
       'timeline ' || start.tl || ' -> ' || cur.tl || ' within ' || ($4 ->> 'window_s') || ' s' AS detail
  FROM cur, start
$q$, '>', 0, 0, 1, 60, 'Timeline changes (failovers or switchovers) within the window', 'count',
 '{"probe": "patroni_cluster", "column": "timeline", "window_s": 3600, "max_age_s": 120}', '{patroni_cluster}'),

('Patroni: timeline mismatch', 'server', $q$
WITH node AS (
  SELECT l.value ->> 'member' AS member, l.value ->> 'role' AS role, (l.value ->> 'timeline')::int AS tl
    FROM pem.latest_row($1, $2, $4 ->> 'node_probe', ($4 ->> 'max_age_s')::float8) l
), cluster AS (
  SELECT (l.value ->> 'timeline')::int AS tl
    FROM pem.latest_row($1, $2, $4 ->> 'cluster_probe', ($4 ->> 'max_age_s')::float8) l
)
SELECT CASE WHEN node.role IN ('leader', 'standby_leader', 'master', 'primary') THEN 0
            WHEN node.tl IS NULL OR cluster.tl IS NULL THEN NULL
            WHEN node.tl <> cluster.tl THEN 1 ELSE 0 END::float8 AS value,
       coalesce(node.member, '?') || ' on timeline ' || coalesce(node.tl::text, '?') || ', leader on '
         || coalesce(cluster.tl::text, '?') AS detail
  FROM node, cluster
$q$, '>', 0, 0, 1, 60, 'This member is on another timeline than the cluster''s leader (1)', 'boolean',
 '{"node_probe": "patroni_node", "cluster_probe": "patroni_cluster", "max_age_s": 120}', '{patroni_node,patroni_cluster}'),

('Patroni: member down', 'server', $q$
SELECT ((l.value ->> 'members')::int - (l.value ->> 'members_running')::int
        + greatest(0, coalesce(($4 ->> 'expected_members')::int, 0) - (l.value ->> 'members')::int))::float8 AS value,
       (l.value ->> 'members_running') || ' of ' || (l.value ->> 'members') || ' members running'
         || coalesce(' (expected ' || ($4 ->> 'expected_members') || ')', '') AS detail
  FROM pem.latest_row($1, $2, $4 ->> 'probe', ($4 ->> 'max_age_s')::float8) l
$q$, '>', 0, 0, 1, 30, 'Members not running or streaming (plus members missing from the cluster when expected_members is set)', 'count',
 '{"probe": "patroni_cluster", "max_age_s": 120}', '{patroni_cluster}');

-- Plan choice (pem.alert_template.plan_cache_mode, migration 024): the generic plan for every
-- built-in template. Measured with the batched evaluator, 600 servers, each template forced to
-- custom and to generic plans (bench alerts --plan-modes custom,generic, with 20 min and 2 h of
-- history): the generic plan was the faster for all 25 (custom plans 1.3-5x slower: planning each
-- alert's statement; the failover template 7 ms vs 1.2 ms), and PostgreSQL's own choice ran the
-- failover template with custom plans in another measurement (docs/benchmarks.md, "Alert evaluation").
UPDATE pg_temp.catalogue_alert_template SET plan_cache_mode = 'force_generic_plan';

SELECT pem.merge_alert_template_catalogue();
