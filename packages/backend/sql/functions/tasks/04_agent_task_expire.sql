-- The requester gives up on task p_id: a task still pending or running
-- becomes 'expired' (an answer arriving later is dropped). Returns the
-- task's state after the call, with the agent's heartbeat age in seconds
-- (NULL: never) so the requester can say whether the agent is down.
CREATE OR REPLACE FUNCTION pem.agent_task_expire(p_id bigint, OUT state text, OUT heartbeat_age_s double precision)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE pem.agent_task t SET state = 'expired', finished_at = clock_timestamp()
   WHERE t.id = p_id AND t.state IN ('pending', 'running');
  SELECT t.state, extract(epoch FROM clock_timestamp() - a.last_heartbeat)::double precision
    INTO state, heartbeat_age_s
    FROM pem.agent_task t JOIN pem.agent a ON a.id = t.agent_id WHERE t.id = p_id;
END $$;
