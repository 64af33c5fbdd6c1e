-- The backend's background jobs (pem.job). A job is one row here and one
-- function pem.job_<name>() RETURNS text in sql/functions/jobs/: the
-- dispatcher pem.run_due_jobs (which agents call every minute through
-- pem.agent_run_jobs) runs it every interval_s seconds on the primary and
-- reports what it returns. fn NULL: the job is claimed and run by a function
-- of its own (alert_housekeeping: pem.alert_housekeeping, by the evaluating
-- agents). Applied by the migration runner whenever sql/ changed: a new job
-- is added; an existing job keeps its interval (an administrator may have
-- changed it) and gets the function named here.
INSERT INTO pem.job AS j (name, interval_s, fn) VALUES
  ('history_partitions', 3600, 'pem.job_history_partitions()'),
  ('history_retention', 86400, 'pem.job_history_retention()'),
  ('history_rollup', 30, 'pem.job_history_rollup()'),
  ('history_compact', 60, 'pem.job_history_compact()'),
  ('ship_batch_retention', 3600, 'pem.job_ship_batch_retention()'),
  ('agent_task_retention', 3600, 'pem.job_agent_task_retention()'),
  ('alert_housekeeping', 3600, NULL)
ON CONFLICT (name) DO UPDATE SET fn = excluded.fn WHERE j.fn IS DISTINCT FROM excluded.fn;
