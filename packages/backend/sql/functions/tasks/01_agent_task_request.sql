-- Asks agent p_agent_id to run a task (p_kind: test-connection, issue 14;
-- later issues add theirs) with p_params, on behalf of p_actor; the agent
-- must start it within p_timeout_ms (100 ms to 10 minutes) or it expires.
-- Wakes the agent at once: NOTIFY pharos_agent_<id> with the task id (the
-- agent LISTENs on its control connection; it also polls every short wait).
-- Returns the task id; the caller reads pem.agent_task for the result (and
-- gives up with pem.agent_task_expire). Errors: P0002 (column agentId) when
-- there is no such agent, 22023 for an inactive agent or a bad kind/timeout.
CREATE OR REPLACE FUNCTION pem.agent_task_request(p_actor name, p_agent_id integer, p_kind text, p_params jsonb,
                                                  p_timeout_ms integer)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_active boolean;
  v_id bigint;
BEGIN
  SELECT active INTO v_active FROM pem.agent WHERE id = p_agent_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'agentId: there is no agent %', p_agent_id USING ERRCODE = 'P0002', COLUMN = 'agentId';
  END IF;
  IF NOT v_active THEN
    RAISE EXCEPTION 'agentId: agent % is inactive', p_agent_id USING ERRCODE = '22023', COLUMN = 'agentId';
  END IF;
  IF p_kind IS NULL OR p_kind !~ '^[a-z][a-z0-9-]{0,39}$' THEN
    RAISE EXCEPTION 'kind: ''%'' is not a task kind', p_kind USING ERRCODE = '22023', COLUMN = 'kind';
  END IF;
  IF p_timeout_ms IS NULL OR p_timeout_ms < 100 OR p_timeout_ms > 600000 THEN
    RAISE EXCEPTION 'timeoutMs: % is not between 100 and 600000', p_timeout_ms USING ERRCODE = '22023', COLUMN = 'timeoutMs';
  END IF;
  INSERT INTO pem.agent_task (agent_id, kind, params, created_by, deadline_at)
  VALUES (p_agent_id, p_kind, coalesce(p_params, '{}'), p_actor, clock_timestamp() + make_interval(secs => p_timeout_ms / 1000.0))
  RETURNING id INTO v_id;
  PERFORM pg_notify('pharos_agent_' || p_agent_id, v_id::text);
  RETURN v_id;
END $$;
