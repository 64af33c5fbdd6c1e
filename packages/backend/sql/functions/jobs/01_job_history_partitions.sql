-- Job 'history_partitions' (sql/catalogue/jobs.sql): the daily partitions of
-- pemhistory.sample for today and 7 days ahead, and of the days of late rows
-- (pem.ensure_history_partitions). Returns the detail pem.run_due_jobs reports.
CREATE OR REPLACE FUNCTION pem.job_history_partitions()
RETURNS text LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.ensure_history_partitions(7)::text || ' partitions created'
$$;
