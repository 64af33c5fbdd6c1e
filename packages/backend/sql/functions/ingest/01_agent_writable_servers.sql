-- The servers agent p_agent_id may store data for: 0, its own host (agent-level probes: pemdata.latest
-- and pem.probe_log keep them under server 0), and the servers bound to it (pem.server_binding). What
-- an agent ships for any other server is refused (pem.ingest_batch, pem.log_probe_failures,
-- pem.log_probe_failure): one compromised agent host must not write the monitoring of the fleet.
CREATE OR REPLACE FUNCTION pem.agent_writable_servers(p_agent_id integer)
RETURNS SETOF integer LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT 0
  UNION ALL
  SELECT b.server_id FROM pem.server_binding b WHERE b.agent_id = p_agent_id
$$;
