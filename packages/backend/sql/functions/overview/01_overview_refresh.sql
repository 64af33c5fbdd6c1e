-- Rewrites the overview rows (pemdata.agent_overview, pemdata.server_overview;
-- migration 020) of agent p_agent_id (when p_server_ids holds 0: its host
-- values, server 0) and of the servers p_server_ids (other than 0; ids that
-- are not servers are skipped) from pemdata.latest, as GET /api/fleet shows
-- them (web/src/api/fleet-query.ts):
-- - latest: per overview probe, the objects of its newest run (every row of a
--   run shares its time, docs/probes.md "Storage"), by object, each
--   {object, at, value}; a server's rows are those pemdata.server_latest
--   chooses (the bound agent's, else the newest another agent stored);
-- - newest_at: the newest collection time among them;
-- - up, up_at: server_up's value and time (object '' else the first); up_state: 'up', 'down'
--   or 'unknown' from that value's `up` (1, 0, null or absent), NULL without one (migration 023);
-- - agent_id: the server's bound agent (pem.server_binding), NULL when unbound (migration 023);
-- - win: {seconds, commitsPerS, cacheHitPct} between the two newest
--   database_stats samples (object '') of the bound agent, else of the newest
--   row with a previous sample (pem.counter_rates: NULL across a reset).
-- The probe lists below are the overview's (web/contract/overview-fields.ts,
-- also in migration 018's index predicate, which they let the planner use;
-- web/src/api/fleet-index.test.ts checks all of them). Before reading, it locks the servers'
-- rows (created empty if missing; in id order), so two transactions rewriting one server (an
-- ingest and a binding change, two agents storing values of one server) do it one after the
-- other, the second reading what the first committed (the statement that reads starts after the
-- lock is held); without it the second could write a row made from a snapshot older than the
-- first's (READ COMMITTED: an upsert waits for the row, then writes what its snapshot read).
-- Row locks, not advisory locks: a rebuild of 5,000 servers would fill the lock table. Called by
-- the triggers of this folder (on pemdata.latest and pem.server_binding) and
-- pem.overview_rebuild. plpgsql: it reads a view created after the functions.
CREATE OR REPLACE FUNCTION pem.overview_refresh(p_agent_id integer, p_server_ids integer[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
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
        SELECT jsonb_object_agg(p.probe, p.items) AS latest, max(p.run_at) AS newest_at
          FROM (SELECT r.probe, max(r.run_at) AS run_at,
                       jsonb_agg(jsonb_build_object('object', r.object, 'at', r.collected_at, 'value', r.value)
                                 ORDER BY r.object) AS items
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
      SELECT jsonb_object_agg(p.probe, p.items) AS latest, max(p.run_at) AS newest_at,
             (array_agg(p.up ORDER BY p.probe) FILTER (WHERE p.probe = 'server_up'))[1] AS up,
             max(p.run_at) FILTER (WHERE p.probe = 'server_up') AS up_at
        FROM (SELECT r.probe, max(r.run_at) AS run_at,
                     jsonb_agg(jsonb_build_object('object', r.object, 'at', r.collected_at, 'value', r.value)
                               ORDER BY r.object) AS items,
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
      SELECT jsonb_build_object('seconds', round(r.seconds::numeric, 1)::float8,
               'commitsPerS', round(pem.jsonb_numeric(r.rates -> 'xact_commit'), 2)::float8,
               'cacheHitPct', round(100 * pem.jsonb_numeric(r.rates -> 'blks_hit')
                 / nullif(pem.jsonb_numeric(r.rates -> 'blks_hit') + pem.jsonb_numeric(r.rates -> 'blks_read'), 0), 2)::float8)
               AS win
        FROM (SELECT extract(epoch FROM l.collected_at - l.prev_collected_at)::float8 AS seconds,
                     pem.counter_rates(l.prev_value, l.value, ARRAY['xact_commit', 'blks_hit', 'blks_read'],
                                       extract(epoch FROM l.collected_at - l.prev_collected_at)::float8) AS rates
                FROM pemdata.latest l LEFT JOIN pem.server_binding b ON b.server_id = l.server_id
               WHERE l.server_id = s.id AND l.probe = 'database_stats' AND l.object = '' AND l.prev_value IS NOT NULL
               ORDER BY (l.agent_id = b.agent_id) IS TRUE DESC, l.collected_at DESC
               LIMIT 1) r) w ON true
   WHERE s.id = ANY (p_server_ids) AND s.id <> 0
   ORDER BY s.id
  ON CONFLICT (server_id) DO UPDATE
    SET latest = excluded.latest, newest_at = excluded.newest_at, up = excluded.up, up_at = excluded.up_at,
        up_state = excluded.up_state, agent_id = excluded.agent_id, win = excluded.win,
        refreshed_at = excluded.refreshed_at;
END $$;
