-- An agent's probe settings: one 'default' row per probe, the overrides of
-- the agent and of its bound servers, and, for probes enabled by default on
-- Patroni members only (`enabled_on = 'pem_backends'`: the Patroni probes),
-- an enabling 'server' row for each bound server that is a node of the PEM
-- backend or a member of a monitored Patroni cluster (unless a server
-- override decides). The agent applies the precedence
-- database > server > agent > default per field (NULL = not set here).
CREATE OR REPLACE FUNCTION pem.agent_probe_config(p_agent_id integer)
RETURNS TABLE (probe text, scope text, server_id integer, database name, interval_s integer, enabled boolean)
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  WITH me AS (
    SELECT a.id FROM pem.agent a WHERE a.id = p_agent_id AND a.user_name = session_user
  ), srv AS (
    SELECT b.server_id, (s.is_pem_backend OR s.cluster_id IS NOT NULL) AS patroni_member
      FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
     WHERE b.agent_id IN (SELECT id FROM me)
  ), o AS (
    SELECT o.* FROM pem.probe_override o
     WHERE o.agent_id IN (SELECT id FROM me) OR o.server_id IN (SELECT srv.server_id FROM srv)
  )
  SELECT p.name, 'default', NULL::integer, NULL::name, p.interval_s, p.enabled AND p.enabled_on = 'all'
    FROM pem.probe p
   WHERE EXISTS (SELECT 1 FROM me)
  UNION ALL
  SELECT o.probe,
         CASE WHEN o.agent_id IS NOT NULL THEN 'agent' WHEN o.database IS NOT NULL THEN 'database' ELSE 'server' END,
         o.server_id, o.database, o.interval_s, o.enabled
    FROM o
  UNION ALL
  SELECT p.name, 'server', s.server_id, NULL::name, NULL::integer,
         coalesce((SELECT ao.enabled FROM o ao WHERE ao.probe = p.name AND ao.agent_id IS NOT NULL), p.enabled)
    FROM pem.probe p CROSS JOIN srv s
   WHERE p.enabled_on = 'pem_backends' AND s.patroni_member
     AND NOT EXISTS (SELECT 1 FROM o so WHERE so.probe = p.name AND so.server_id = s.server_id
                        AND so.database IS NULL AND so.enabled IS NOT NULL)
$$;
