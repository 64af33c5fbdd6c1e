-- Stops unless the session may act for agent p_agent_id: its client certificate is in force
-- (pem.agent_certificate_in_force: a revoked certificate stops here, security review L6), the
-- agent is registered and active, and the session's user is the agent's registered database user
-- (the certificate's CN), so one agent cannot ship for, or read about, another (security review
-- M1). p_action completes the refusal's message: 'ship for', 'read the batches of'. Called first
-- by the SECURITY DEFINER functions an agent calls with its own id (pem.ingest_samples,
-- pem.agent_stored_batches). Errors: 42501 when the agent is not registered or not active, or the
-- session's user is not its user.
CREATE OR REPLACE FUNCTION pem.check_agent_caller(p_agent_id integer, p_action text)
RETURNS void LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user name;
BEGIN
  PERFORM pem.agent_certificate_in_force();
  SELECT user_name INTO v_user FROM pem.agent WHERE id = p_agent_id AND active;
  IF v_user IS NULL THEN
    RAISE EXCEPTION 'agent % is not registered or not active', p_agent_id USING ERRCODE = '42501';
  END IF;
  IF v_user <> session_user THEN
    RAISE EXCEPTION 'user % may not % agent % (registered user %)', session_user, p_action, p_agent_id, v_user
      USING ERRCODE = '42501';
  END IF;
END $$;
