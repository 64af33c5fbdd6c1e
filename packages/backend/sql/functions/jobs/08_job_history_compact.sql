-- Job 'history_compact' (sql/catalogue/jobs.sql): compacts closed UTC days whose
-- pemhistory.sample partition holds rows (a day not compacted yet, or the late samples of one
-- that was), oldest first, with pem.compact_history_day, once the day ended 6 hours ago (the
-- late-sample grace: an agent cut off for less than that ships into the hot rows as before).
-- Works in parts of about 10,000 samples (whole (server, probe) pairs of a day) and starts
-- another part while less than 6 s have passed since the run began, so that a run stays within
-- the agents' 15-s deadline for pem.agent_run_jobs (a part takes well under a second to a few
-- seconds: docs/benchmarks.md "History compaction"); pem.run_due_jobs runs in the caller's
-- transaction: a failover mid-run rolls that run back whole and the next run does it again.
-- Concurrent runs: pem.run_due_jobs lets one caller at a time through, and
-- compact_history_day locks the day's partition. Returns the detail pem.run_due_jobs reports:
-- per day '<day>: <n> samples compacted', joined by '; ', or 'nothing to compact'.
CREATE OR REPLACE FUNCTION pem.job_history_compact()
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  v_start timestamptz := clock_timestamp();
  v_budget interval := interval '6 seconds';
  part text;
  v_any boolean;
  v_day date;
  n bigint;
  v_total bigint;
  v_out text[] := ARRAY[]::text[];
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'pemhistory.sample'::regclass AND c.relname ~ '^sample_[0-9]{8}$'
       AND to_date(substr(c.relname, 8), 'YYYYMMDD') + 1 <= now() - interval '6 hours'
     ORDER BY c.relname
  LOOP
    EXIT WHEN clock_timestamp() - v_start >= v_budget;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM pemhistory.%I)', part) INTO v_any;
    CONTINUE WHEN NOT v_any;
    v_day := to_date(substr(part, 8), 'YYYYMMDD');
    v_total := 0;
    LOOP
      n := pem.compact_history_day(v_day, interval '6 hours', 10000);
      v_total := v_total + n;
      EXIT WHEN n = 0 OR clock_timestamp() - v_start >= v_budget;
    END LOOP;
    v_out := v_out || format('%s: %s samples compacted', v_day, v_total);
  END LOOP;
  IF cardinality(v_out) = 0 THEN
    RETURN 'nothing to compact';
  END IF;
  RETURN array_to_string(v_out, '; ');
END $$;
