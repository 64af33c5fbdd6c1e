-- The calling agent's registration, for `pharos agent verify`: whether agent
-- p_agent_id exists, whether it is registered with the caller's database user
-- (the certificate's CN), and only then its state. Another agent's details
-- are never returned.
CREATE OR REPLACE FUNCTION pem.agent_registration(p_agent_id integer)
RETURNS TABLE (registered boolean, user_matches boolean, active boolean,
               last_heartbeat timestamptz, heartbeat_age_s double precision, server_bindings integer)
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  SELECT a.id IS NOT NULL,
         coalesce(a.user_name = session_user, false),
         CASE WHEN a.user_name = session_user THEN a.active END,
         CASE WHEN a.user_name = session_user THEN a.last_heartbeat END,
         CASE WHEN a.user_name = session_user
              THEN extract(epoch FROM clock_timestamp() - a.last_heartbeat)::double precision END,
         CASE WHEN a.user_name = session_user
              THEN (SELECT count(*)::integer FROM pem.server_binding b WHERE b.agent_id = a.id) END
    FROM (SELECT 1) one LEFT JOIN pem.agent a ON a.id = p_agent_id
$$;
