-- Job 'history_compact' (sql/catalogue/jobs.sql): compacts the oldest closed UTC day whose
-- pemhistory.sample partition holds rows (a day not compacted yet, or the late samples of one
-- that was) with pem.compact_history_day, once the day ended 6 hours ago (the late-sample
-- grace: an agent cut off for less than that ships into the hot rows as before). At most
-- 20,000 samples per run (whole (server, probe) pairs of the day), so that a run stays within
-- the agents' 15-s deadline for pem.agent_run_jobs; pem.run_due_jobs runs in the caller's
-- transaction: a failover mid-run rolls that part back whole and the next run does it again. A
-- day takes as many runs as it has 20,000-sample parts. Concurrent
-- runs: pem.run_due_jobs lets one caller at a time through, and compact_history_day locks the
-- day's partition. Returns the detail pem.run_due_jobs reports.
CREATE OR REPLACE FUNCTION pem.job_history_compact()
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  part text;
  v_any boolean;
  v_day date;
  n bigint;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'pemhistory.sample'::regclass AND c.relname ~ '^sample_[0-9]{8}$'
       AND to_date(substr(c.relname, 8), 'YYYYMMDD') + 1 <= now() - interval '6 hours'
     ORDER BY c.relname
  LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM pemhistory.%I)', part) INTO v_any;
    CONTINUE WHEN NOT v_any;
    v_day := to_date(substr(part, 8), 'YYYYMMDD');
    n := pem.compact_history_day(v_day, interval '6 hours', 20000);
    RETURN format('%s: %s samples compacted', v_day, n);
  END LOOP;
  RETURN 'nothing to compact';
END $$;
