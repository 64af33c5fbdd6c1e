-- Appends probe failures of agent p_agent_id: p_failures = [{server_id,
-- probe, object, failed_at, error, code}]. Returns the rows added. Errors:
-- 42501 when the caller is not the agent's registered database user.
CREATE OR REPLACE FUNCTION pem.log_probe_failures(p_agent_id integer, p_failures jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not log probe failures for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  INSERT INTO pem.probe_log (agent_id, server_id, probe, object, failed_at, error, code)
  SELECT p_agent_id, coalesce(f.server_id, 0), left(f.probe, 200), left(coalesce(f.object, ''), 1000), f.failed_at,
         left(coalesce(f.error, ''), 2000), left(f.code, 20)
    FROM jsonb_to_recordset(p_failures) AS f(server_id integer, probe text, object text, failed_at timestamptz,
                                            error text, code text)
   WHERE f.probe IS NOT NULL AND f.failed_at IS NOT NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
