-- Checks a monitored server's settings before pem.server_add or
-- pem.server_set writes them; p_id is the server being changed (NULL for a
-- new one, so its own host:port and name are not duplicates). Raises the
-- first problem, naming the API field (the error's COLUMN and the start of
-- its message): 22023 for a value that is not valid, 23505 for a display
-- name or host:port another server has, P0002 for an agent that does not
-- exist (agentId). A host is a DNS name, an IPv4 or IPv6 address, or a Unix
-- socket directory on the agent's host; sslrootcert an absolute path on the
-- agent's host (docs/monitoring-a-server.md).
CREATE OR REPLACE FUNCTION pem.check_server(p_id integer, p_display_name text, p_host text, p_port integer,
                                            p_maintenance_db text, p_user_name text, p_sslmode text,
                                            p_sslrootcert text, p_agent_id integer, p_tags text[])
RETURNS void LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_other pem.server;
BEGIN
  IF p_display_name IS NULL OR p_display_name = '' OR length(p_display_name) > 63
     OR p_display_name ~ '[[:cntrl:]]' OR p_display_name <> btrim(p_display_name) THEN
    RAISE EXCEPTION 'displayName: ''%'' is not a display name (1-63 characters, no leading or trailing spaces)',
      p_display_name USING ERRCODE = '22023', COLUMN = 'displayName';
  END IF;
  IF p_host IS NULL OR length(p_host) > 253 OR NOT (
       p_host ~ '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$'
       OR (p_host ~ '^[0-9A-Fa-f:.]+$' AND p_host ~ ':')
       OR p_host ~ '^/[^[:cntrl:],]*$') THEN
    RAISE EXCEPTION 'host: ''%'' is not a host name, an IP address or a socket directory', p_host
      USING ERRCODE = '22023', COLUMN = 'host';
  END IF;
  IF p_port IS NULL OR p_port < 1 OR p_port > 65535 THEN
    RAISE EXCEPTION 'port: % is not a TCP port (1-65535)', p_port USING ERRCODE = '22023', COLUMN = 'port';
  END IF;
  PERFORM pem.check_monitoring_settings(p_maintenance_db, p_user_name, p_sslmode, p_sslrootcert, p_agent_id, p_tags);
  SELECT * INTO v_other FROM pem.server
   WHERE display_name = p_display_name AND id IS DISTINCT FROM p_id;
  IF FOUND THEN
    RAISE EXCEPTION 'displayName: server % is already called %', v_other.id, p_display_name
      USING ERRCODE = '23505', COLUMN = 'displayName';
  END IF;
  SELECT * INTO v_other FROM pem.server
   WHERE lower(host) = lower(p_host) AND port = p_port AND id IS DISTINCT FROM p_id
   ORDER BY id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'host: %:% is already monitored as server % (%)', p_host, p_port, v_other.id, v_other.display_name
      USING ERRCODE = '23505', COLUMN = 'host';
  END IF;
END $$;
