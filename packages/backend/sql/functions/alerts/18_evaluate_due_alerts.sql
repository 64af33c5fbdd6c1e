-- Claims up to p_limit due alerts (enabled, next_due <= now(); p_alert_id: only that one) that no
-- other transaction holds, evaluates each and records the outcome, all in the caller's transaction.
-- Call it from an agent allowed to evaluate (pem.alert_worker_settings); errors: 42501 otherwise.
-- Returns the number evaluated, how many had a problem, the outbox rows written, and whether the
-- batch was full (more may be due).
CREATE OR REPLACE FUNCTION pem.evaluate_due_alerts(p_agent_id integer, p_limit integer DEFAULT 100,
                                                   p_alert_id integer DEFAULT NULL)
RETURNS TABLE (evaluated integer, problems integer, notifications integer, more boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  st pem.alert_settings;
  a pem.alert;
  r integer;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO st FROM pem.alert_settings WHERE id;
  PERFORM pem.alerting_tick(st.backend_gap_s);
  evaluated := 0;
  problems := 0;
  notifications := 0;
  FOR a IN
    SELECT * FROM pem.alert al
     WHERE al.enabled AND al.next_due <= now() AND (p_alert_id IS NULL OR al.id = p_alert_id)
     ORDER BY al.next_due, al.id
     LIMIT p_limit
     FOR UPDATE SKIP LOCKED
  LOOP
    r := pem.evaluate_alert_locked(a, p_agent_id, st);
    evaluated := evaluated + 1;
    IF r < 0 THEN
      problems := problems + 1;
    ELSE
      notifications := notifications + r;
    END IF;
  END LOOP;
  more := evaluated >= p_limit;
  RETURN NEXT;
END $$;
