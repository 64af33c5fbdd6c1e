-- Runs the jobs that are due (or all of them with p_force), on the primary
-- only and by one caller at a time: on a standby it returns one 'skipped'
-- row; when another caller holds the job lock, too. A job is a row of
-- pem.job (sql/catalogue/jobs.sql) whose fn names its function: pem.job_<name>(),
-- no arguments, returning the text reported as the detail; rows whose fn is
-- NULL are run elsewhere (alert_housekeeping: pem.alert_housekeeping), rows
-- whose fn is not such a function fail without running anything. Jobs run in
-- name order, each in a subtransaction: a failing job is recorded in pem.job
-- (last_status, last_error) and the others still run. Lock waits are bounded
-- (5 s) so a job never stalls ingest for long. A job that failed is due again
-- after at most 60 s (its interval when shorter), not after its whole
-- interval: history_partitions (hourly) that lost a deadlock with ingest on a
-- new backend would otherwise leave a whole hour's history in the default
-- partition (the simulated fleet saw exactly that, fleet-sim-8).
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
    SELECT j.name, p.oid::regproc AS fn,
           p.pronamespace = 'pem'::regnamespace AND p.proname LIKE 'job\_%' AND p.pronargs = 0
             AND p.prorettype = 'text'::regtype AS runnable
      FROM pem.job j LEFT JOIN pg_proc p ON p.oid = j.fn
     WHERE j.fn IS NOT NULL
       AND (p_force OR j.last_run_at IS NULL
            OR j.last_run_at + make_interval(secs => CASE WHEN j.last_status = 'failed'
                                                          THEN least(j.interval_s, 60) ELSE j.interval_s END) <= now())
     ORDER BY j.name
  LOOP
    BEGIN
      IF NOT coalesce(r.runnable, false) THEN
        RAISE EXCEPTION 'job % names no job function (pem.job_<name>() returning text)', r.name;
      END IF;
      EXECUTE format('SELECT %s()', r.fn) INTO v_detail;
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
