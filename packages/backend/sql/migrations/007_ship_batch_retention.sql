-- pem.ship_batch retention. A row records one stored batch so that a retried
-- batch is recognised (pem.ingest_batch). An agent retries only its one
-- pending batch (packages/agent/src/spool/spool.ts: the next batch is cut
-- only after the pending one is acknowledged), so the newest row of each
-- agent is the only one a retry can ever match; older rows are kept for
-- p_keep (an audit trail: which samples came in which batch, when) and then
-- deleted. Returns the number of rows deleted.
CREATE FUNCTION pem.expire_ship_batches(p_keep interval DEFAULT interval '7 days')
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n bigint;
BEGIN
  DELETE FROM pem.ship_batch b
   USING (SELECT agent_id, max(last_sample_id) AS newest FROM pem.ship_batch GROUP BY agent_id) a
   WHERE b.agent_id = a.agent_id AND b.last_sample_id < a.newest AND b.received_at < now() - p_keep;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

REVOKE ALL ON FUNCTION pem.expire_ship_batches(interval) FROM PUBLIC;

INSERT INTO pem.job (name, interval_s) VALUES ('ship_batch_retention', 3600) ON CONFLICT (name) DO NOTHING;

-- pem.run_due_jobs of 006_rollup.sql, with the ship_batch_retention job.
CREATE OR REPLACE FUNCTION pem.run_due_jobs(p_force boolean DEFAULT false)
RETURNS TABLE (job text, status text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
  r record;
  v_detail text;
BEGIN
  IF pg_is_in_recovery() THEN
    RETURN QUERY SELECT 'all'::text, 'skipped'::text, 'standby: jobs run on the primary only'::text;
    RETURN;
  END IF;
  IF NOT pg_try_advisory_xact_lock(7301004) THEN
    RETURN QUERY SELECT 'all'::text, 'skipped'::text, 'another caller is running the jobs'::text;
    RETURN;
  END IF;
  FOR r IN
    SELECT j.name FROM pem.job j
     WHERE j.name IN ('history_partitions', 'history_retention', 'history_rollup', 'ship_batch_retention')
       AND (p_force OR j.last_run_at IS NULL OR j.last_run_at + make_interval(secs => j.interval_s) <= now())
     ORDER BY j.name
  LOOP
    BEGIN
      IF r.name = 'history_partitions' THEN
        v_detail := pem.ensure_history_partitions(7)::text || ' partitions created';
      ELSIF r.name = 'history_retention' THEN
        v_detail := (pem.expire_history() || jsonb_build_object('rollup_rows_deleted', pem.expire_rollup()))::text;
      ELSIF r.name = 'ship_batch_retention' THEN
        v_detail := pem.expire_ship_batches()::text || ' ship_batch rows deleted';
      ELSE
        v_detail := pem.rollup_history()::text;
      END IF;
      UPDATE pem.job SET last_run_at = now(), last_status = 'ok', last_error = NULL WHERE name = r.name;
      job := r.name; status := 'ok'; detail := v_detail;
      RETURN NEXT;
    EXCEPTION WHEN OTHERS THEN
      UPDATE pem.job SET last_run_at = now(), last_status = 'failed', last_error = SQLERRM WHERE name = r.name;
      job := r.name; status := 'failed'; detail := SQLERRM;
      RETURN NEXT;
    END;
  END LOOP;
END $$;
