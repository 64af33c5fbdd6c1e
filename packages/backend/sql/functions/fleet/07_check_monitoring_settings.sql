-- Checks how an agent monitors a server (or the members of a monitored
-- Patroni cluster): the maintenance database, the monitoring user, sslmode,
-- the CA file on the agent's host, the agent, the tags. Raises the first
-- problem naming the API field (the error's COLUMN and the start of its
-- message): 22023 for a value that is not valid, P0002 for an agent that
-- does not exist (agentId). Called by pem.check_server and pem.check_cluster.
CREATE OR REPLACE FUNCTION pem.check_monitoring_settings(p_maintenance_db text, p_user_name text, p_sslmode text,
                                                         p_sslrootcert text, p_agent_id integer, p_tags text[])
RETURNS void LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_tag text;
BEGIN
  IF p_maintenance_db IS NULL OR p_maintenance_db = '' OR octet_length(p_maintenance_db) > 63
     OR p_maintenance_db ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'maintenanceDb: ''%'' is not a database name (1-63 bytes)', p_maintenance_db
      USING ERRCODE = '22023', COLUMN = 'maintenanceDb';
  END IF;
  IF p_user_name IS NULL OR p_user_name = '' OR octet_length(p_user_name) > 63 OR p_user_name ~ '[[:cntrl:]]' THEN
    RAISE EXCEPTION 'user: ''%'' is not a role name (1-63 bytes)', p_user_name USING ERRCODE = '22023', COLUMN = 'user';
  END IF;
  IF p_sslmode IS NULL OR p_sslmode NOT IN ('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full') THEN
    RAISE EXCEPTION 'sslmode: ''%'' is not one of verify-full, verify-ca, require, prefer, allow, disable', p_sslmode
      USING ERRCODE = '22023', COLUMN = 'sslmode';
  END IF;
  IF p_sslrootcert IS NOT NULL AND (p_sslrootcert !~ '^/' OR p_sslrootcert ~ '[[:cntrl:]]' OR length(p_sslrootcert) > 1024) THEN
    RAISE EXCEPTION 'sslrootcert: ''%'' is not an absolute path (a CA file on the agent''s host)', p_sslrootcert
      USING ERRCODE = '22023', COLUMN = 'sslrootcert';
  END IF;
  IF cardinality(p_tags) > 20 THEN
    RAISE EXCEPTION 'tags: % tags, at most 20', cardinality(p_tags) USING ERRCODE = '22023', COLUMN = 'tags';
  END IF;
  FOREACH v_tag IN ARRAY coalesce(p_tags, '{}') LOOP
    IF v_tag IS NULL OR v_tag !~ '^[A-Za-z0-9][A-Za-z0-9_.:/=-]{0,39}$' THEN
      RAISE EXCEPTION 'tags: ''%'' is not a tag (1-40 letters, digits and _ . : / = -, starting with a letter or digit)', v_tag
        USING ERRCODE = '22023', COLUMN = 'tags';
    END IF;
  END LOOP;
  IF p_agent_id IS NULL THEN
    RAISE EXCEPTION 'agentId: which agent monitors the server?' USING ERRCODE = '22023', COLUMN = 'agentId';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id) THEN
    RAISE EXCEPTION 'agentId: there is no agent % (pharos agent enrol registers one)', p_agent_id
      USING ERRCODE = 'P0002', COLUMN = 'agentId';
  END IF;
  IF NOT (SELECT active FROM pem.agent WHERE id = p_agent_id) THEN
    RAISE EXCEPTION 'agentId: agent % is inactive', p_agent_id USING ERRCODE = '22023', COLUMN = 'agentId';
  END IF;
END $$;
