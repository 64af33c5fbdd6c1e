-- Rewrites the overview rows (pemdata.agent_overview, pemdata.server_overview;
-- migration 020) of agent p_agent_id (when p_server_ids holds 0: its host
-- values, server 0) and of the servers p_server_ids (other than 0; ids that
-- are not servers are skipped) from pemdata.latest, as GET /api/fleet shows
-- them (web/src/api/fleet-query.ts):
-- - latest: {probe: [{object, at, collectedAt, value}]}: per overview probe, the objects of its
--   newest run by object (every row of a run shares its time `at`, full precision; docs/probes.md
--   "Storage") as the answer shows them: `collectedAt` the time as JavaScript's toISOString()
--   writes it, `value` cut to the probe's overview fields (web/contract/overview-fields.ts; a
--   value that is not an object as it is), connection states with 0 connections left out, a
--   probe left with none left out; so a read only adds the ages (issue 19). The shape is the one
--   the release before read ({object, at, value}, which it cut and filtered itself: cutting a cut
--   value again changes nothing), so its web instances still answer during a rolling upgrade.
--   A server's rows are those pemdata.server_latest chooses (the bound agent's, else the newest
--   another agent stored);
-- - newest_at: the newest collection time among them (every object, shown or not);
-- - up, up_at: server_up's value and time (object '' else the first); up_state: 'up', 'down'
--   or 'unknown' from that value's `up` (1, 0, null or absent), NULL without one (migration 023);
-- - agent_id: the server's bound agent (pem.server_binding), NULL when unbound (migration 023);
-- - win: {seconds, commitsPerS, cacheHitPct} between the two newest
--   database_stats samples (object '') of the bound agent, else of the newest
--   row with a previous sample (pem.counter_rates: NULL across a reset).
-- The probe lists and the fields below are the overview's (web/contract/overview-fields.ts,
-- the probes also in migration 018's index predicate, which they let the planner use;
-- web/src/api/fleet-index.test.ts checks all of them). Before reading, it locks the servers'
-- rows (created empty if missing; in id order), so two transactions rewriting one server (an
-- ingest and a binding change, two agents storing values of one server) do it one after the
-- other, the second reading what the first committed (the statement that reads starts after the
-- lock is held); without it the second could write a row made from a snapshot older than the
-- first's (READ COMMITTED: an upsert waits for the row, then writes what its snapshot read).
-- Row locks, not advisory locks: a rebuild of 5,000 servers would fill the lock table. Called by
-- the triggers of this folder (on pemdata.latest and pem.server_binding) and
-- pem.overview_rebuild. plpgsql: it reads a view created after the functions.
-- plan_cache_mode = force_generic_plan: plpgsql keeps each statement's plan per session, but with
-- the default setting PostgreSQL planned these statements again on every call (a custom plan for
-- each p_server_ids), which was most of the refresh's time: 2.3 ms of a server's refresh and
-- 0.9 ms of an agent's became 0.9 and 0.2 ms (5,000 servers, load 3; docs/benchmarks.md). Their
-- generic plans read by key whatever the arrays hold.
CREATE OR REPLACE FUNCTION pem.overview_refresh(p_agent_id integer, p_server_ids integer[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  -- any server other than 0 (a simple expression: no statement to plan). An agent's host values
  -- alone (server 0) rewrite only its agent row: the server statements would find no row, yet
  -- PostgreSQL planned the last one afresh at every call (a custom plan, ~4 ms: 5 % of an ingest
  -- batch's server time in the ingest benchmark, docs/benchmarks.md "Ingest").
  v_servers boolean := coalesce(cardinality(array_remove(p_server_ids, 0)) > 0, false);
BEGIN
  IF v_servers THEN
    INSERT INTO pemdata.server_overview (server_id)
    SELECT s.id FROM pem.server s WHERE s.id = ANY (p_server_ids) AND s.id <> 0 ORDER BY s.id
    ON CONFLICT (server_id) DO NOTHING;
    PERFORM 1 FROM pemdata.server_overview o WHERE o.server_id = ANY (p_server_ids) ORDER BY o.server_id FOR UPDATE;
  END IF;
  IF p_agent_id IS NOT NULL AND 0 = ANY (p_server_ids) THEN
    INSERT INTO pemdata.agent_overview AS o (agent_id, latest, newest_at, refreshed_at)
    SELECT a.id, coalesce(x.latest, '{}'), x.newest_at, now()
      FROM pem.agent a
      LEFT JOIN LATERAL (
        SELECT jsonb_object_agg(p.probe, p.items) FILTER (WHERE p.items IS NOT NULL) AS latest, max(p.run_at) AS newest_at
          FROM (SELECT r.probe, max(r.run_at) AS run_at,
                       jsonb_agg(jsonb_build_object('object', r.object, 'at', r.collected_at,
                         'collectedAt', to_char(r.collected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                         'value', pem.overview_value(r.probe, r.value))
                       ORDER BY r.object) FILTER (WHERE NOT (r.probe = 'connections_by_state' AND r.value ->> 'connections' = '0'))
                         AS items
                  FROM (SELECT l.probe, l.object, l.collected_at, l.value,
                               max(l.collected_at) OVER (PARTITION BY l.probe) AS run_at
                          FROM pemdata.latest l
                         WHERE l.agent_id = a.id AND l.server_id = 0
                           AND l.probe IN ('cpu', 'load_avg', 'memory', 'server_up', 'server_info',
                                           'connections_by_state', 'database_stats', 'replication_lag')) r
                 WHERE r.collected_at = r.run_at
                 GROUP BY r.probe) p) x ON true
     WHERE a.id = p_agent_id
    ON CONFLICT (agent_id) DO UPDATE
      SET latest = excluded.latest, newest_at = excluded.newest_at, refreshed_at = excluded.refreshed_at;
  END IF;
  IF NOT v_servers THEN
    RETURN;
  END IF;
  INSERT INTO pemdata.server_overview AS o (server_id, latest, newest_at, up, up_at, up_state, agent_id, win,
                                           refreshed_at)
  SELECT s.id, coalesce(x.latest, '{}'), x.newest_at, x.up, x.up_at,
         CASE WHEN x.up_at IS NULL THEN NULL
              WHEN coalesce(jsonb_typeof(x.up -> 'up'), 'null') = 'null' THEN 'unknown'
              WHEN x.up -> 'up' = '0'::jsonb THEN 'down'
              ELSE 'up' END,
         (SELECT b.agent_id FROM pem.server_binding b WHERE b.server_id = s.id), w.win, now()
    FROM pem.server s
    LEFT JOIN LATERAL (
      SELECT jsonb_object_agg(p.probe, p.items) FILTER (WHERE p.items IS NOT NULL) AS latest, max(p.run_at) AS newest_at,
             (array_agg(p.up ORDER BY p.probe) FILTER (WHERE p.probe = 'server_up'))[1] AS up,
             max(p.run_at) FILTER (WHERE p.probe = 'server_up') AS up_at
        FROM (SELECT r.probe, max(r.run_at) AS run_at,
                     jsonb_agg(jsonb_build_object('object', r.object, 'at', r.collected_at,
                       'collectedAt', to_char(r.collected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                       'value', pem.overview_value(r.probe, r.value))
                     ORDER BY r.object) FILTER (WHERE NOT (r.probe = 'connections_by_state' AND r.value ->> 'connections' = '0'))
                       AS items,
                     (array_agg(r.value ORDER BY r.object <> '', r.object))[1] AS up
                FROM (SELECT l.probe, l.object, l.collected_at, l.value,
                             max(l.collected_at) OVER (PARTITION BY l.probe) AS run_at
                        FROM pemdata.server_latest l
                       WHERE l.server_id = s.id
                         AND l.probe IN ('cpu', 'load_avg', 'memory', 'server_up', 'server_info',
                                         'connections_by_state', 'database_stats', 'replication_lag')) r
               WHERE r.collected_at = r.run_at
               GROUP BY r.probe) p) x ON true
    LEFT JOIN LATERAL (
      -- What pem.counter_rates(prev, value, ARRAY['xact_commit', 'blks_hit', 'blks_read'], seconds)
      -- and pem.jsonb_numeric compute, written out: called here they cost more than the rest of the
      -- row (a SQL function with SET search_path is not inlined, so each call plans its body
      -- again). A rate passes through float8's text, as counter_rates' jsonb does (to_jsonb(float8)
      -- writes float8out's digits), before it is rounded.
      SELECT jsonb_build_object('seconds', round(r.seconds::numeric, 1)::float8,
               'commitsPerS', round(r.commits::text::numeric, 2)::float8,
               'cacheHitPct', round(100 * r.hits::text::numeric
                 / nullif(r.hits::text::numeric + r.reads::text::numeric, 0), 2)::float8) AS win
        FROM (SELECT n.seconds,
                     CASE WHEN n.reset OR n.commits1 < n.commits0 THEN NULL
                          ELSE ((n.commits1 - n.commits0) / n.seconds::numeric)::float8 END AS commits,
                     CASE WHEN n.reset OR n.hits1 < n.hits0 THEN NULL
                          ELSE ((n.hits1 - n.hits0) / n.seconds::numeric)::float8 END AS hits,
                     CASE WHEN n.reset OR n.reads1 < n.reads0 THEN NULL
                          ELSE ((n.reads1 - n.reads0) / n.seconds::numeric)::float8 END AS reads
                FROM (SELECT m.seconds,
                             m.seconds IS NULL OR m.seconds <= 0
                               OR (m.p -> 'stats_reset') IS DISTINCT FROM (m.c -> 'stats_reset')
                               OR (m.p -> 'started_at') IS DISTINCT FROM (m.c -> 'started_at')
                               OR (m.p -> 'stats_since') IS DISTINCT FROM (m.c -> 'stats_since') AS reset,
                             CASE jsonb_typeof(m.pc) WHEN 'number' THEN (m.pc #>> '{}')::numeric WHEN 'string' THEN
                               CASE WHEN (m.pc #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (m.pc #>> '{}')::numeric END END AS commits0,
                             CASE jsonb_typeof(m.cc) WHEN 'number' THEN (m.cc #>> '{}')::numeric WHEN 'string' THEN
                               CASE WHEN (m.cc #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (m.cc #>> '{}')::numeric END END AS commits1,
                             CASE jsonb_typeof(m.ph) WHEN 'number' THEN (m.ph #>> '{}')::numeric WHEN 'string' THEN
                               CASE WHEN (m.ph #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (m.ph #>> '{}')::numeric END END AS hits0,
                             CASE jsonb_typeof(m.ch) WHEN 'number' THEN (m.ch #>> '{}')::numeric WHEN 'string' THEN
                               CASE WHEN (m.ch #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (m.ch #>> '{}')::numeric END END AS hits1,
                             CASE jsonb_typeof(m.pr) WHEN 'number' THEN (m.pr #>> '{}')::numeric WHEN 'string' THEN
                               CASE WHEN (m.pr #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (m.pr #>> '{}')::numeric END END AS reads0,
                             CASE jsonb_typeof(m.cr) WHEN 'number' THEN (m.cr #>> '{}')::numeric WHEN 'string' THEN
                               CASE WHEN (m.cr #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (m.cr #>> '{}')::numeric END END AS reads1
                        FROM (SELECT extract(epoch FROM l.collected_at - l.prev_collected_at)::float8 AS seconds,
                                     l.prev_value AS p, l.value AS c,
                                     l.prev_value -> 'xact_commit' AS pc, l.value -> 'xact_commit' AS cc,
                                     l.prev_value -> 'blks_hit' AS ph, l.value -> 'blks_hit' AS ch,
                                     l.prev_value -> 'blks_read' AS pr, l.value -> 'blks_read' AS cr
                                FROM pemdata.latest l LEFT JOIN pem.server_binding b ON b.server_id = l.server_id
                               WHERE l.server_id = s.id AND l.probe = 'database_stats' AND l.object = ''
                                 AND l.prev_value IS NOT NULL
                               ORDER BY (l.agent_id = b.agent_id) IS TRUE DESC, l.collected_at DESC
                               LIMIT 1) m) n) r) w ON true
   WHERE s.id = ANY (p_server_ids) AND s.id <> 0
   ORDER BY s.id
  ON CONFLICT (server_id) DO UPDATE
    SET latest = excluded.latest, newest_at = excluded.newest_at, up = excluded.up, up_at = excluded.up_at,
        up_state = excluded.up_state, agent_id = excluded.agent_id, win = excluded.win,
        refreshed_at = excluded.refreshed_at;
END $$;
