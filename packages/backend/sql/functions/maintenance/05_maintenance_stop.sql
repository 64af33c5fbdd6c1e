-- Stops maintenance window p_id on behalf of p_actor, now: it covers nothing
-- from now on (a weekly one has no further occurrence) and is kept for the
-- record (stopped_at, stopped_by). Alerts it withheld notify at their next
-- evaluation when still raised. Returns {"id", "stoppedAt", "wasActive"}.
-- Errors: P0002 (column id) no such window; 55000 (column id) already
-- stopped, or a one-off window already over.
CREATE OR REPLACE FUNCTION pem.maintenance_stop(p_actor name, p_id integer)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  w pem.maintenance_window;
  v_active boolean;
BEGIN
  SELECT * INTO w FROM pem.maintenance_window WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no maintenance window %', p_id USING ERRCODE = 'P0002', COLUMN = 'id';
  END IF;
  IF w.stopped_at IS NOT NULL THEN
    RAISE EXCEPTION 'maintenance window % was already stopped at % by %', p_id, w.stopped_at, w.stopped_by
      USING ERRCODE = '55000', COLUMN = 'id';
  END IF;
  IF w.schedule = 'once' AND w.ends_at <= now() THEN
    RAISE EXCEPTION 'maintenance window % is already over (it ended at %)', p_id, w.ends_at
      USING ERRCODE = '55000', COLUMN = 'id';
  END IF;
  v_active := EXISTS (SELECT 1 FROM pem.maintenance_occurrence(w, now()) o WHERE o.starts_at <= now());
  UPDATE pem.maintenance_window SET stopped_at = now(), stopped_by = p_actor WHERE id = p_id;
  RETURN jsonb_build_object('id', p_id, 'stoppedAt', now(), 'wasActive', v_active);
END $$;
