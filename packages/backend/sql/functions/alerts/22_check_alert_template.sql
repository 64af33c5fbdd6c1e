-- Checks a template query: runs it as pharos_alert_reader with the given arguments (default: no
-- agent/server, object '', params {}) and returns NULL when it ran, else the error message.
CREATE OR REPLACE FUNCTION pem.check_alert_template(p_sql text, p_agent_id integer DEFAULT NULL, p_server_id integer DEFAULT NULL,
                                                    p_object text DEFAULT '', p_params jsonb DEFAULT '{}')
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pem.alert_template_value(p_sql, p_agent_id, p_server_id, p_object, p_params);
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  RETURN format('%s (SQLSTATE %s)', SQLERRM, SQLSTATE);
END $$;
