-- Agent p_agent_id answers its task p_task_id: p_ok false means the task
-- could not run (an unknown kind, an error in the agent); a task that ran
-- and found a problem (a failing test connection) is ok with the finding in
-- p_result. Returns false when the task was no longer running (the
-- requester gave up: expired). Errors: 42501 when the caller is not the
-- agent's registered database user or the task is another agent's.
CREATE OR REPLACE FUNCTION pem.agent_finish_task(p_agent_id integer, p_task_id bigint, p_ok boolean, p_result jsonb)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_agent integer;
BEGIN
  PERFORM pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  IF NOT EXISTS (SELECT 1 FROM pem.agent a WHERE a.id = p_agent_id AND a.user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not answer tasks of agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  SELECT agent_id INTO v_agent FROM pem.agent_task WHERE id = p_task_id;
  IF v_agent IS DISTINCT FROM p_agent_id THEN
    RAISE EXCEPTION 'task % is not agent %''s', p_task_id, p_agent_id USING ERRCODE = '42501';
  END IF;
  UPDATE pem.agent_task SET state = CASE WHEN p_ok THEN 'done' ELSE 'failed' END, finished_at = clock_timestamp(),
         result = p_result
   WHERE id = p_task_id AND state = 'running';
  RETURN FOUND;
END $$;
