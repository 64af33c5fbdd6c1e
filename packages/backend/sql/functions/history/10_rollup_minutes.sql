-- Replaces the 60-s rows of [p_from, p_to) (whole minutes) with the samples' figures, for one
-- (server, probe) or, with NULLs, for all; from the hot rows and the compacted days alike
-- (pem.history_samples). The values' sum is numeric (pem.jsonb_number, 021_rollup_exact_sums.sql:
-- exact, so any grouping gives the samples' total); inc and inc_s are float8 sums that are exact too
-- (see 021). The series SQL (web/src/api/series-sql.ts) computes the same figures from the samples
-- with the same expressions. Returns the rows written.
CREATE OR REPLACE FUNCTION pem.rollup_minutes(p_from timestamptz, p_to timestamptz, p_server_id integer, p_probe text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  v_gap integer := (SELECT max_gap_s FROM pemhistory.rollup_state);
  n bigint;
BEGIN
  DELETE FROM pemhistory.rollup r
   WHERE r.width_s = 60 AND r.bucket >= p_from AND r.bucket < p_to
     AND (p_server_id IS NULL OR r.server_id = p_server_id) AND (p_probe IS NULL OR r.probe = p_probe);
  INSERT INTO pemhistory.rollup (server_id, probe, width_s, field, bucket, object, n, sum, min, max, inc, inc_s, resets)
  SELECT s.server_id, s.probe, 60, f.field, date_trunc('minute', s.collected_at), s.object,
         count(v.x), sum(pem.jsonb_number(s.value -> f.field)), min(v.x), max(v.x),
         coalesce(sum(v.x - v.px) FILTER (WHERE v.x >= v.px AND s.dt > 0 AND s.dt <= v_gap), 0),
         coalesce(sum(s.dt) FILTER (WHERE v.x >= v.px AND s.dt > 0 AND s.dt <= v_gap), 0),
         count(*) FILTER (WHERE v.x < v.px AND s.dt > 0 AND s.dt <= v_gap)
    FROM (SELECT h.server_id, h.probe, h.object, h.collected_at, h.value, lag(h.value) OVER w AS prev_value,
                 date_part('epoch', h.collected_at) - lag(date_part('epoch', h.collected_at)) OVER w AS dt
            FROM pem.history_samples(p_server_id, p_probe, p_from - make_interval(secs => v_gap), p_to) h
           WHERE h.probe IN (SELECT probe FROM pem.rollup_field)
          WINDOW w AS (PARTITION BY h.server_id, h.probe, h.object ORDER BY h.collected_at)) s
    JOIN pem.rollup_field f ON f.probe = s.probe
    CROSS JOIN LATERAL (SELECT pem.jsonb_float8(s.value -> f.field) AS x,
                               pem.jsonb_float8(s.prev_value -> f.field) AS px) v
   WHERE s.collected_at >= p_from AND v.x IS NOT NULL
   GROUP BY s.server_id, s.probe, f.field, date_trunc('minute', s.collected_at), s.object;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
