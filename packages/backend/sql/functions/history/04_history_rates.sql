-- Rates of a probe's counters over history: each sample of each object with
-- the rates since the previous one (history_mode 'all' probes: every sample
-- is there; hot rows and compacted days alike, pem.history_samples). For dashboards and alert templates that need more than latest.
CREATE OR REPLACE FUNCTION pem.history_rates(p_server_id integer, p_probe text, p_from timestamptz, p_to timestamptz,
                                             p_object text DEFAULT NULL)
RETURNS TABLE (object text, collected_at timestamptz, seconds double precision, reset boolean, rates jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH s AS (
    SELECT h.object, h.collected_at, h.value,
           lag(h.value) OVER w AS prev_value, lag(h.collected_at) OVER w AS prev_at
      FROM pem.history_samples(p_server_id, p_probe, p_from, p_to) h
     WHERE p_object IS NULL OR h.object = p_object
    WINDOW w AS (PARTITION BY h.object ORDER BY h.collected_at, h.sample_id)
  )
  SELECT s.object, s.collected_at, extract(epoch FROM s.collected_at - s.prev_at)::float8,
         s.prev_value IS NOT NULL AND pem.counter_reset(s.prev_value, s.value),
         pem.counter_rates(s.prev_value, s.value, (SELECT p.counter_columns FROM pem.probe p WHERE p.name = p_probe),
                           extract(epoch FROM s.collected_at - s.prev_at)::float8)
    FROM s
   ORDER BY s.object, s.collected_at
$$;
