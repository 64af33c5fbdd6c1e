-- Job 'history_rollup' (sql/catalogue/jobs.sql): one maintenance run of the
-- chart rollup (pem.rollup_history). Returns its outcome as the detail.
CREATE OR REPLACE FUNCTION pem.job_history_rollup()
RETURNS text LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.rollup_history()::text
$$;
