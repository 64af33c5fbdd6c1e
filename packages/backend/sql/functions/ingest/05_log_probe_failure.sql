-- Records one probe failure for agent p_agent_id (the single-row form of
-- pem.log_probe_failures). The error text is cut to 2000 characters.
-- Errors: 42501 when the caller is not the agent's registered database user,
-- or p_server_id is neither 0 (the agent's host) nor bound to the agent;
-- 22008 when p_failed_at is after pem.ingest_future_limit().
CREATE OR REPLACE FUNCTION pem.log_probe_failure(p_agent_id integer, p_server_id integer, p_probe text,
                                                 p_object text, p_failed_at timestamptz, p_error text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not log probe failures for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  IF coalesce(p_server_id, 0) NOT IN (SELECT pem.agent_writable_servers(p_agent_id)) THEN
    RAISE EXCEPTION 'server % is not bound to agent %: it may not log probe failures for it', p_server_id, p_agent_id
      USING ERRCODE = '42501';
  END IF;
  IF p_failed_at > pem.ingest_future_limit() THEN
    RAISE EXCEPTION 'failure time % is ahead of the backend''s clock by more than % s', p_failed_at,
      round(extract(epoch FROM pem.ingest_future_limit() - now())) USING ERRCODE = '22008';
  END IF;
  INSERT INTO pem.probe_log (agent_id, server_id, probe, object, failed_at, error)
  VALUES (p_agent_id, coalesce(p_server_id, 0), p_probe, coalesce(p_object, ''), p_failed_at, left(p_error, 2000));
END $$;
