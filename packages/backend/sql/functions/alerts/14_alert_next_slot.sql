-- Next due time after the slot due at p_due, evaluated now (the slots are p_due + k * interval).
-- On time (now before the next slot): the next slot. Late: the slot now falls in is still
-- evaluated (at once, as a catch-up), so a gap shorter than one interval (a switchover, a
-- failover, an agent restart) misses nothing; slots before it are skipped and counted as missed.
CREATE OR REPLACE FUNCTION pem.alert_next_slot(p_due timestamptz, p_interval_s integer, OUT next_due timestamptz,
                                               OUT missed bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT p_due + greatest(k, 1) * make_interval(secs => p_interval_s), greatest(k - 1, 0)
    FROM (SELECT greatest(0, floor(extract(epoch FROM now() - p_due) / p_interval_s))::bigint AS k) x
$$;
