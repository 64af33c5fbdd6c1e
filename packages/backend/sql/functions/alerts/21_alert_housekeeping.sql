-- Housekeeping (retention) of the alerting tables: alert history, problems and evaluation logs
-- older than history_retention_days, delivered or failed notifications older than
-- outbox_retention_days. Run by whichever evaluating agent finds the job 'alert_housekeeping' due
-- (pem.job; its fn is NULL: pem.run_due_jobs does not run it); the job row is claimed with SKIP
-- LOCKED, so it runs once per interval. Returns rows deleted (NULL when not due). Errors: 42501
-- unless agent p_agent_id may evaluate alerts.
CREATE OR REPLACE FUNCTION pem.alert_housekeeping(p_agent_id integer)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  j pem.job;
  st pem.alert_settings;
  n bigint := 0;
  m bigint;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO j FROM pem.job WHERE name = 'alert_housekeeping'
     AND (last_run_at IS NULL OR last_run_at + make_interval(secs => interval_s) <= now())
     FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO st FROM pem.alert_settings WHERE id;
  DELETE FROM pem.alert_history WHERE at < now() - make_interval(days => st.history_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM pem.alert_problem WHERE at < now() - make_interval(days => st.history_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM pem.alert_evaluation_log WHERE evaluated_at < now() - make_interval(days => st.history_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM pem.notification_outbox WHERE status <> 'pending'
     AND created_at < now() - make_interval(days => st.outbox_retention_days);
  GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  UPDATE pem.job SET last_run_at = now(), last_status = 'ok', last_error = NULL WHERE name = j.name;
  RETURN n;
END $$;
