-- What agent p_agent_id does: evaluate alerts, send notifications. Errors: 42501 when the caller is
-- not the agent's registered database user or the agent is not active.
CREATE OR REPLACE FUNCTION pem.alert_worker_settings(p_agent_id integer, OUT evaluate boolean, OUT notify boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_backend boolean;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not work for agent % (not its registered user, or the agent is inactive)',
      session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  v_backend := EXISTS (SELECT 1 FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
                        WHERE b.agent_id = p_agent_id AND s.is_pem_backend);
  SELECT coalesce(st.evaluate, v_backend), coalesce(st.notify, v_backend) INTO evaluate, notify
    FROM (SELECT 1) one LEFT JOIN pem.agent_alert_settings st ON st.agent_id = p_agent_id;
END $$;
