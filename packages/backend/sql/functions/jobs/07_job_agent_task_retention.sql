-- Job 'agent_task_retention' (sql/catalogue/jobs.sql): agent tasks older
-- than one day are deleted (their answers were read when they came; a task
-- still pending then has long expired). Returns the detail
-- pem.run_due_jobs reports.
CREATE OR REPLACE FUNCTION pem.job_agent_task_retention()
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM pem.agent_task WHERE created_at < now() - interval '1 day';
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n || ' agent tasks deleted';
END $$;
