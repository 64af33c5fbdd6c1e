-- Whether window w's target holds the object of an alert bound to agent
-- p_agent_id (an agent-level alert) or server p_server_id: 'fleet' holds
-- everything; 'server' its server; 'agent' the agent's own alerts and those
-- of the servers bound to it (pem.server_binding); 'group' the servers
-- whose tags hold group_tag. Says nothing about time
-- (pem.maintenance_occurrence does).
CREATE OR REPLACE FUNCTION pem.maintenance_covers(w pem.maintenance_window, p_agent_id integer, p_server_id integer)
RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE w.scope
    WHEN 'fleet' THEN true
    WHEN 'server' THEN w.server_id = p_server_id
    WHEN 'agent' THEN w.agent_id = p_agent_id
                      OR EXISTS (SELECT 1 FROM pem.server_binding b
                                  WHERE b.server_id = p_server_id AND b.agent_id = w.agent_id)
    WHEN 'group' THEN EXISTS (SELECT 1 FROM pem.server s WHERE s.id = p_server_id AND w.group_tag = ANY (s.tags))
    ELSE false
  END IS TRUE
$$;
