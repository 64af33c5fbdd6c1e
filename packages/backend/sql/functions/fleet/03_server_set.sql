-- Changes monitored server p_id on behalf of p_actor. p_changes holds the
-- fields to change, by their API names: displayName, host, port,
-- maintenanceDb, user, sslmode, sslrootcert (null: the agent's default),
-- agentId, tags, notes. The binding follows (the agent that monitors it and
-- how it dials it); the agent picks the change up within one short wait.
-- A PEM backend's connection (host, port, user, sslmode, agent) is its
-- install steps' to set: only its name, tags and notes change here. A
-- member of a monitored Patroni cluster keeps the host and port its
-- cluster's GET /cluster gives it.
-- Errors: P0002 (column id) when there is no such server; 22023 for an
-- unknown field; those of pem.check_server; 55000 for a PEM backend's
-- connection or a cluster member's host or port. Nothing is written on error.
CREATE OR REPLACE FUNCTION pem.server_set(p_actor name, p_id integer, p_changes jsonb)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s pem.server;
  b pem.server_binding;
  v_key text;
  v_name text;
  v_host text;
  v_port integer;
  v_db text;
  v_user text;
  v_sslmode text;
  v_root text;
  v_agent integer;
  v_tags text[];
  v_notes text;
BEGIN
  IF jsonb_typeof(p_changes) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'the changes must be a JSON object' USING ERRCODE = '22023';
  END IF;
  FOR v_key IN SELECT jsonb_object_keys(p_changes) LOOP
    IF v_key NOT IN ('displayName', 'host', 'port', 'maintenanceDb', 'user', 'sslmode', 'sslrootcert', 'agentId',
                     'tags', 'notes') THEN
      RAISE EXCEPTION '%: not a setting of a server', v_key USING ERRCODE = '22023', COLUMN = v_key;
    END IF;
  END LOOP;
  IF p_changes ? 'port' AND jsonb_typeof(p_changes->'port') IS DISTINCT FROM 'number' THEN
    RAISE EXCEPTION 'port: not a number' USING ERRCODE = '22023', COLUMN = 'port';
  END IF;
  IF p_changes ? 'agentId' AND jsonb_typeof(p_changes->'agentId') IS DISTINCT FROM 'number' THEN
    RAISE EXCEPTION 'agentId: not a number' USING ERRCODE = '22023', COLUMN = 'agentId';
  END IF;
  IF p_changes ? 'tags' AND (jsonb_typeof(p_changes->'tags') IS DISTINCT FROM 'array'
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_changes->'tags') e WHERE jsonb_typeof(e) <> 'string')) THEN
    RAISE EXCEPTION 'tags: not a list of strings' USING ERRCODE = '22023', COLUMN = 'tags';
  END IF;
  LOCK TABLE pem.server IN SHARE ROW EXCLUSIVE MODE;
  SELECT * INTO s FROM pem.server WHERE id = p_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no server %', p_id USING ERRCODE = 'P0002', COLUMN = 'id';
  END IF;
  SELECT * INTO b FROM pem.server_binding WHERE server_id = p_id;
  IF s.is_pem_backend AND p_changes ?| ARRAY['host', 'port', 'user', 'sslmode', 'sslrootcert', 'agentId', 'maintenanceDb'] THEN
    RAISE EXCEPTION 'server % (%) is a node of the PEM backend: its connection is set by its install step (pharos configure); only displayName, tags and notes change here',
      p_id, s.display_name USING ERRCODE = '55000';
  END IF;
  IF s.cluster_id IS NOT NULL AND p_changes ?| ARRAY['host', 'port'] THEN
    RAISE EXCEPTION '%: server % (%) is member % of a monitored Patroni cluster: its host and port follow the member''s in the cluster''s GET /cluster',
      CASE WHEN p_changes ? 'host' THEN 'host' ELSE 'port' END, p_id, s.display_name, s.patroni_member
      USING ERRCODE = '55000', COLUMN = CASE WHEN p_changes ? 'host' THEN 'host' ELSE 'port' END;
  END IF;
  v_name := CASE WHEN p_changes ? 'displayName' THEN p_changes->>'displayName' ELSE s.display_name END;
  v_host := CASE WHEN p_changes ? 'host' THEN p_changes->>'host' ELSE s.host END;
  v_port := CASE WHEN p_changes ? 'port' THEN (p_changes->>'port')::integer ELSE s.port END;
  v_db := CASE WHEN p_changes ? 'maintenanceDb' THEN p_changes->>'maintenanceDb' ELSE s.maintenance_db END;
  v_user := CASE WHEN p_changes ? 'user' THEN p_changes->>'user' ELSE coalesce(s.user_name, b.user_name) END;
  v_sslmode := CASE WHEN p_changes ? 'sslmode' THEN p_changes->>'sslmode' ELSE s.sslmode END;
  v_root := CASE WHEN p_changes ? 'sslrootcert' THEN p_changes->>'sslrootcert' ELSE s.sslrootcert END;
  v_agent := CASE WHEN p_changes ? 'agentId' THEN (p_changes->>'agentId')::integer ELSE b.agent_id END;
  v_tags := CASE WHEN p_changes ? 'tags' THEN ARRAY(SELECT jsonb_array_elements_text(p_changes->'tags')) ELSE s.tags END;
  v_notes := CASE WHEN p_changes ? 'notes' THEN coalesce(p_changes->>'notes', '') ELSE s.notes END;
  IF s.is_pem_backend THEN
    -- only the name, tags and notes change: check those
    IF v_name IS NULL OR v_name = '' OR length(v_name) > 63 OR v_name ~ '[[:cntrl:]]' OR v_name <> btrim(v_name) THEN
      RAISE EXCEPTION 'displayName: ''%'' is not a display name (1-63 characters, no leading or trailing spaces)', v_name
        USING ERRCODE = '22023', COLUMN = 'displayName';
    END IF;
    IF EXISTS (SELECT 1 FROM pem.server WHERE display_name = v_name AND id <> p_id) THEN
      RAISE EXCEPTION 'displayName: another server is already called %', v_name USING ERRCODE = '23505', COLUMN = 'displayName';
    END IF;
  ELSE
    PERFORM pem.check_server(p_id, v_name, v_host, v_port, v_db, v_user, v_sslmode, v_root, v_agent, v_tags);
  END IF;
  IF length(v_notes) > 2000 THEN
    RAISE EXCEPTION 'notes: at most 2000 characters' USING ERRCODE = '22023', COLUMN = 'notes';
  END IF;
  UPDATE pem.server SET display_name = v_name, host = v_host, port = v_port, maintenance_db = v_db, user_name = v_user,
         sslmode = v_sslmode, sslrootcert = v_root, tags = v_tags, notes = v_notes
   WHERE id = p_id;
  IF NOT s.is_pem_backend THEN
    INSERT INTO pem.server_binding AS sb (server_id, agent_id, host, port, user_name, sslmode)
    VALUES (p_id, v_agent, v_host, v_port, v_user, v_sslmode)
    ON CONFLICT (server_id) DO UPDATE SET agent_id = excluded.agent_id, host = excluded.host, port = excluded.port,
      user_name = excluded.user_name, sslmode = excluded.sslmode;
  END IF;
END $$;
