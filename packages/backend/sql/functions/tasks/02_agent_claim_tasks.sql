-- The calling agent's pending tasks (at most p_limit), claimed: each moves
-- to 'running' in this statement, so no other session of the agent runs it
-- too (FOR UPDATE SKIP LOCKED). Tasks past their deadline are not started.
-- Errors: 42501 when the caller is not agent p_agent_id's registered
-- database user (the certificate's CN).
CREATE OR REPLACE FUNCTION pem.agent_claim_tasks(p_agent_id integer, p_limit integer DEFAULT 8)
RETURNS TABLE (id bigint, kind text, params jsonb, deadline_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  IF NOT EXISTS (SELECT 1 FROM pem.agent a WHERE a.id = p_agent_id AND a.active AND a.user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not take tasks of agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  RETURN QUERY
  UPDATE pem.agent_task t SET state = 'running', started_at = clock_timestamp()
   WHERE t.id IN (SELECT q.id FROM pem.agent_task q
                   WHERE q.agent_id = p_agent_id AND q.state = 'pending' AND q.deadline_at > clock_timestamp()
                   ORDER BY q.id LIMIT greatest(1, least(p_limit, 100)) FOR UPDATE SKIP LOCKED)
  RETURNING t.id, t.kind, t.params, t.deadline_at;
END $$;
