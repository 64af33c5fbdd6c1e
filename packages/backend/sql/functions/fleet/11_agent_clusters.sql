-- The monitored Patroni clusters agent p_agent_id follows (read by the
-- agent with its bindings, on every short wait): id, name, the scope they
-- answered with when added, the REST API base URLs to ask (in turn) and the
-- CA file on the agent's host for https ones. Only the calling agent's own.
CREATE OR REPLACE FUNCTION pem.agent_clusters(p_agent_id integer)
RETURNS TABLE (cluster_id integer, name text, scope text, rest_endpoints text[], rest_cafile text)
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  SELECT c.id, c.name, c.scope, c.rest_endpoints, c.rest_cafile
    FROM pem.monitored_cluster c JOIN pem.agent a ON a.id = c.agent_id
   WHERE c.agent_id = p_agent_id AND a.active AND a.user_name = session_user
   ORDER BY c.id
$$;
