-- Adds a monitored server on behalf of p_actor: a standalone server (never
-- a PEM backend: only the backend's install steps mark those) monitored by
-- agent p_agent_id, which dials it at p_host:p_port as p_user_name with
-- p_sslmode (verify-full unless the DBA says otherwise) and p_sslrootcert
-- (a CA file on the agent's host; NULL: the agent's server_sslrootcert).
-- The server's default alerts are bound by the registration trigger
-- (sql/functions/alerts/10_alert_bind_on_register.sql); the agent is told
-- at commit (NOTIFY pharos_agent_<id> 'bindings': it reads its bindings at
-- once) and otherwise finds it within one short wait. Returns the new
-- server's id.
-- Errors: those of pem.check_server (nothing is written).
CREATE OR REPLACE FUNCTION pem.server_add(p_actor name, p_display_name text, p_host text, p_port integer,
                                          p_maintenance_db text, p_user_name text, p_sslmode text,
                                          p_sslrootcert text, p_agent_id integer, p_tags text[], p_notes text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id integer;
BEGIN
  LOCK TABLE pem.server IN SHARE ROW EXCLUSIVE MODE;
  PERFORM pem.check_server(NULL, p_display_name, p_host, p_port, p_maintenance_db, p_user_name, p_sslmode,
                           p_sslrootcert, p_agent_id, p_tags);
  IF length(coalesce(p_notes, '')) > 2000 THEN
    RAISE EXCEPTION 'notes: at most 2000 characters' USING ERRCODE = '22023', COLUMN = 'notes';
  END IF;
  INSERT INTO pem.server (display_name, host, port, maintenance_db, is_pem_backend, kind, tags, user_name, sslmode,
                          sslrootcert, created_by, notes)
  VALUES (p_display_name, p_host, p_port, p_maintenance_db, false, 'standalone', coalesce(p_tags, '{}'), p_user_name,
          p_sslmode, p_sslrootcert, p_actor, coalesce(p_notes, ''))
  RETURNING id INTO v_id;
  INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode)
  VALUES (v_id, p_agent_id, p_host, p_port, p_user_name, p_sslmode);
  PERFORM pg_notify('pharos_agent_' || p_agent_id, 'bindings');
  RETURN v_id;
END $$;
