-- Ids of up to p_limit due alerts, oldest first, without locking (for evaluating one at a time after a
-- batch timed out). Errors: 42501 as pem.evaluate_due_alerts.
CREATE OR REPLACE FUNCTION pem.due_alert_ids(p_agent_id integer, p_limit integer DEFAULT 100)
RETURNS integer[] LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  RETURN ARRAY(SELECT id FROM pem.alert WHERE enabled AND next_due <= now() ORDER BY next_due, id LIMIT p_limit);
END $$;
