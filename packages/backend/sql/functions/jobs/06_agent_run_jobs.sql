-- The history jobs, called by agents (every minute; cheap when nothing is
-- due). Only active agents whose database user is the caller may.
CREATE OR REPLACE FUNCTION pem.agent_run_jobs(p_agent_id integer)
RETURNS TABLE (job text, status text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not run jobs as agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  RETURN QUERY SELECT * FROM pem.run_due_jobs(false);
END $$;
