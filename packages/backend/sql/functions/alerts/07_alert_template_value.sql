-- Runs a template's SQL with $1 agent id, $2 server id, $3 object, $4 params; returns its `value`
-- and `detail` (NULLs when it returned no row). Owned by pharos_alert_reader (below) and STABLE:
-- template SQL can only read what that role may read and cannot write.
-- Errors: 42703 when the row has no column named value; the template's own errors.
CREATE OR REPLACE FUNCTION pem.alert_template_value(p_sql text, p_agent_id integer, p_server_id integer, p_object text,
                                                    p_params jsonb, OUT value double precision, OUT detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r record;
  n bigint;
  j jsonb;
BEGIN
  EXECUTE p_sql INTO r USING p_agent_id, p_server_id, p_object, p_params;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    RETURN;
  END IF;
  j := to_jsonb(r);
  IF NOT j ? 'value' THEN
    RAISE EXCEPTION 'template query must return a column named "value" (it returned: %)',
      (SELECT string_agg(k, ', ') FROM jsonb_object_keys(j) k) USING ERRCODE = '42703';
  END IF;
  value := (j ->> 'value')::double precision;
  detail := j ->> 'detail';
END $$;

-- Template SQL runs as pharos_alert_reader: read-only access to probe data and the inventory
-- (sql/grants/). Giving the function to that role needs CREATE on its schema for a moment.
GRANT CREATE ON SCHEMA pem TO pharos_alert_reader;
ALTER FUNCTION pem.alert_template_value(text, integer, integer, text, jsonb) OWNER TO pharos_alert_reader;
REVOKE CREATE ON SCHEMA pem FROM pharos_alert_reader;
