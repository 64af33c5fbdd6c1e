-- What agent p_agent_id's probe catalog (p_catalog: [{name, ...}], as agents have sent it since
-- version 4) has that the backend's does not: the number of its probes pem.probe lacks (an agent
-- newer than the backend; such probes run on the agent's own defaults, and their samples are
-- stored). Writes nothing: the catalogue ships with the release (sql/catalogue/probes.sql, merged
-- by the migration runner), and agents of any version only read it. Errors: 42501 when the caller
-- is not the agent's registered database user.
CREATE OR REPLACE FUNCTION pem.agent_sync_probes(p_agent_id integer, p_catalog jsonb)
RETURNS integer LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not define probes for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  RETURN (SELECT count(DISTINCT c.name)::integer
            FROM jsonb_to_recordset(p_catalog) AS c(name text)
           WHERE c.name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pem.probe p WHERE p.name = c.name));
END $$;
