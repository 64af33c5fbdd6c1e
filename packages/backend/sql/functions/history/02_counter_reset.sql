-- True when counters cannot be compared between two samples of an object:
-- a reset marker of the row (stats_reset, started_at, stats_since) changed.
CREATE OR REPLACE FUNCTION pem.counter_reset(p_prev jsonb, p_cur jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT (p_prev -> 'stats_reset') IS DISTINCT FROM (p_cur -> 'stats_reset')
      OR (p_prev -> 'started_at') IS DISTINCT FROM (p_cur -> 'started_at')
      OR (p_prev -> 'stats_since') IS DISTINCT FROM (p_cur -> 'stats_since')
$$;
