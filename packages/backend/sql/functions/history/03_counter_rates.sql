-- Per-second rates of p_columns between two samples p_seconds apart, as a
-- jsonb object column -> rate. A rate is NULL (a gap, never negative) when a
-- value is missing or not a number, when it went down (reset, restart,
-- failover to another node), when a reset marker changed, or when the
-- samples are not in time order. NULL when there is no previous sample.
CREATE OR REPLACE FUNCTION pem.counter_rates(p_prev jsonb, p_cur jsonb, p_columns text[], p_seconds double precision)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN p_prev IS NULL OR p_cur IS NULL THEN NULL
    ELSE coalesce((
      SELECT jsonb_object_agg(c.col,
               CASE WHEN p_seconds IS NULL OR p_seconds <= 0 OR pem.counter_reset(p_prev, p_cur) THEN NULL
                    WHEN pem.jsonb_numeric(p_cur -> c.col) < pem.jsonb_numeric(p_prev -> c.col) THEN NULL
                    ELSE ((pem.jsonb_numeric(p_cur -> c.col) - pem.jsonb_numeric(p_prev -> c.col)) / p_seconds::numeric)::float8
               END)
        FROM unnest(p_columns) AS c(col)), '{}'::jsonb)
  END
$$;
