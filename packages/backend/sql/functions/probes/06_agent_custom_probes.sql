-- The custom probes agent p_agent_id runs (issue 18; docs/custom-probes.md), read with its probe
-- settings every short wait and at once when told (NOTIFY pharos_agent_<id> 'bindings'): each
-- enabled custom probe with its SQL per major, columns, object column, statement timeout, role
-- (runs_on) and level, and the ids of this agent's bound servers it runs on (every server, those
-- carrying run_tag, or those in run_server_ids); probes that run on none of them are left out.
-- Intervals and enablement per object come from pem.agent_probe_config as for every probe.
-- Errors: none; an agent that is not the caller's gets no rows.
CREATE OR REPLACE FUNCTION pem.agent_custom_probes(p_agent_id integer)
RETURNS TABLE (name text, level text, runs_on text, interval_s integer, timeout_ms integer, sql jsonb, columns jsonb,
               object_column text, description text, server_ids integer[])
LANGUAGE sql SECURITY DEFINER STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pem.agent_certificate_in_force();  -- a revoked client certificate stops here (security review L6)
  WITH srv AS (
    SELECT s.id, s.tags
      FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id JOIN pem.agent a ON a.id = b.agent_id
     WHERE b.agent_id = p_agent_id AND a.user_name = session_user AND s.active
  )
  SELECT p.name, p.level, p.runs_on, p.interval_s, p.timeout_ms, p.sql, p.columns, p.object_column, p.description,
         ids.server_ids
    FROM pem.probe p
   CROSS JOIN LATERAL (
     SELECT array_agg(s.id ORDER BY s.id) AS server_ids
       FROM srv s
      WHERE (p.run_tag IS NULL OR p.run_tag = ANY (s.tags))
        AND (p.run_server_ids IS NULL OR s.id = ANY (p.run_server_ids))
   ) ids
   WHERE p.custom AND ids.server_ids IS NOT NULL
   ORDER BY p.name
$$;
