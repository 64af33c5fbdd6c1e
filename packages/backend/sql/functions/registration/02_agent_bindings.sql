-- An agent's configuration: its server bindings (read by the agent at start and on a short wait),
-- with the CA file that verifies each server on the agent's host (NULL: the agent's default), and,
-- for a member of a monitored Patroni cluster, its REST API's base URL (the Patroni probes ask it;
-- NULL: http://<host>:8008) and the CA file that verifies that API when it is https.
CREATE OR REPLACE FUNCTION pem.agent_bindings(p_agent_id integer)
RETURNS TABLE (server_id integer, display_name text, host text, port integer, user_name name, sslmode text,
               maintenance_db name, sslrootcert text, patroni_url text, patroni_cafile text)
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  SELECT s.id, s.display_name, b.host, b.port, b.user_name, b.sslmode, s.maintenance_db, s.sslrootcert,
         s.patroni_api_url, c.rest_cafile
    FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
    JOIN pem.agent a ON a.id = b.agent_id
    LEFT JOIN pem.monitored_cluster c ON c.id = s.cluster_id
   WHERE b.agent_id = p_agent_id AND s.active AND a.user_name = session_user
   ORDER BY s.id
$$;
