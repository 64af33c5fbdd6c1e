-- Job 'history_retention' (sql/catalogue/jobs.sql): retention of the history
-- (pem.expire_history), then of the rollup (pem.expire_rollup). Returns the
-- detail pem.run_due_jobs reports: what expire_history did, plus
-- rollup_rows_deleted.
CREATE OR REPLACE FUNCTION pem.job_history_retention()
RETURNS text LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  SELECT (pem.expire_history() || jsonb_build_object('rollup_rows_deleted', pem.expire_rollup()))::text
$$;
