-- Records that alert p_alert_id could not be evaluated (e.g. its template query ran past the
-- statement timeout), if it is still due and no one else holds it: a problem of kind timeout, state
-- kept, schedule advanced. Returns true when recorded.
CREATE OR REPLACE FUNCTION pem.record_alert_failure(p_agent_id integer, p_alert_id integer, p_message text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a pem.alert;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  PERFORM pem.require_alert_worker(p_agent_id, 'evaluate');
  SELECT * INTO a FROM pem.alert WHERE id = p_alert_id AND enabled AND next_due <= now() FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM pem.alert_record_problem(a, p_agent_id, 'timeout', left(p_message, 2000));
  RETURN true;
END $$;
