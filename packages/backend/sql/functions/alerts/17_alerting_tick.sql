-- Marks the evaluation clock; after a gap longer than backend_gap_s (the backend was unreachable, or
-- no evaluating agent ran) resumed_at moves to now(), so heartbeat ages restart there. Skips when
-- another worker holds the row (it is ticking).
CREATE OR REPLACE FUNCTION pem.alerting_tick(p_gap_s integer)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s record;
BEGIN
  SELECT * INTO s FROM pem.alerting_state WHERE id FOR UPDATE SKIP LOCKED;
  IF NOT FOUND OR s.last_tick_at >= now() - interval '1 second' THEN
    RETURN;
  END IF;
  UPDATE pem.alerting_state
     SET resumed_at = CASE WHEN s.last_tick_at IS NULL OR s.last_tick_at < now() - make_interval(secs => p_gap_s)
                           THEN now() ELSE resumed_at END,
         last_tick_at = now()
   WHERE id;
END $$;
