-- Checks a monitored Patroni cluster's settings before pem.cluster_add
-- writes them (docs/monitoring-a-server.md "Patroni clusters"). Raises the
-- first problem naming the API field (the error's COLUMN and the start of
-- its message): 22023 for a value that is not valid, 23505 for a name
-- another cluster has, P0002 for an agent that does not exist (agentId).
-- p_rest_endpoints: the base URLs of the members' REST APIs
-- (http[s]://host[:port], 1-10); p_rest_cafile: an absolute path on the
-- following agent's host (the CA that verifies https endpoints), or NULL;
-- p_member_defaults: how new members are monitored, {user, sslmode,
-- sslrootcert, maintenanceDb} (pem.check_monitoring_settings; p_agent_id is
-- the agent that follows the cluster).
CREATE OR REPLACE FUNCTION pem.check_cluster(p_name text, p_rest_endpoints text[], p_rest_cafile text,
                                             p_agent_id integer, p_member_defaults jsonb, p_tags text[],
                                             p_member_grace_s integer)
RETURNS void LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_url text;
  v_other pem.monitored_cluster;
  v_key text;
BEGIN
  IF p_name IS NULL OR p_name !~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$' THEN
    RAISE EXCEPTION 'name: ''%'' is not a cluster name (1-40 letters, digits and _ . -, starting with a letter or digit)',
      p_name USING ERRCODE = '22023', COLUMN = 'name';
  END IF;
  IF p_rest_endpoints IS NULL OR cardinality(p_rest_endpoints) = 0 OR cardinality(p_rest_endpoints) > 10 THEN
    RAISE EXCEPTION 'restEndpoints: give 1 to 10 REST API URLs of the cluster''s members'
      USING ERRCODE = '22023', COLUMN = 'restEndpoints';
  END IF;
  FOREACH v_url IN ARRAY p_rest_endpoints LOOP
    IF v_url IS NULL OR v_url !~ '^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?/?$' THEN
      RAISE EXCEPTION 'restEndpoints: ''%'' is not the base URL of a Patroni REST API (http[s]://host[:port])', v_url
        USING ERRCODE = '22023', COLUMN = 'restEndpoints';
    END IF;
  END LOOP;
  IF p_rest_cafile IS NOT NULL AND (p_rest_cafile !~ '^/' OR p_rest_cafile ~ '[[:cntrl:]]' OR length(p_rest_cafile) > 1024) THEN
    RAISE EXCEPTION 'restCafile: ''%'' is not an absolute path (a CA file on the following agent''s host)', p_rest_cafile
      USING ERRCODE = '22023', COLUMN = 'restCafile';
  END IF;
  IF jsonb_typeof(p_member_defaults) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'user: the members'' monitoring settings are missing' USING ERRCODE = '22023', COLUMN = 'user';
  END IF;
  FOR v_key IN SELECT jsonb_object_keys(p_member_defaults) LOOP
    IF v_key NOT IN ('user', 'sslmode', 'sslrootcert', 'maintenanceDb') THEN
      RAISE EXCEPTION '%: not a monitoring setting of members', v_key USING ERRCODE = '22023', COLUMN = v_key;
    END IF;
  END LOOP;
  IF p_member_grace_s IS NULL OR p_member_grace_s < 0 OR p_member_grace_s > 86400 THEN
    RAISE EXCEPTION 'memberGraceS: % is not 0-86400 seconds', p_member_grace_s
      USING ERRCODE = '22023', COLUMN = 'memberGraceS';
  END IF;
  -- how the members are monitored, as a server is
  PERFORM pem.check_monitoring_settings(p_member_defaults->>'maintenanceDb', p_member_defaults->>'user',
                                        p_member_defaults->>'sslmode', p_member_defaults->>'sslrootcert', p_agent_id,
                                        p_tags);
  SELECT * INTO v_other FROM pem.monitored_cluster WHERE name = p_name;
  IF FOUND THEN
    RAISE EXCEPTION 'name: cluster % is already called %', v_other.id, p_name USING ERRCODE = '23505', COLUMN = 'name';
  END IF;
END $$;
