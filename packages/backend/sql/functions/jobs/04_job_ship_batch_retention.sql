-- Job 'ship_batch_retention' (sql/catalogue/jobs.sql): pem.ship_batch rows
-- older than 7 days except each agent's newest (pem.expire_ship_batches).
-- Returns the detail pem.run_due_jobs reports.
CREATE OR REPLACE FUNCTION pem.job_ship_batch_retention()
RETURNS text LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.expire_ship_batches()::text || ' ship_batch rows deleted'
$$;
