-- Heartbeat: marks the agent alive and records its version and dropped-sample count.
CREATE OR REPLACE FUNCTION pem.agent_heartbeat(p_agent_id integer, p_version text, p_dropped_samples bigint)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  UPDATE pem.agent SET last_heartbeat = now(), agent_version = p_version, dropped_samples = p_dropped_samples
   WHERE id = p_agent_id AND user_name = session_user;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user % may not send heartbeats for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
END $$;
