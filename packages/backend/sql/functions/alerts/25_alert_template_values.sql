-- Runs one template's SQL for many alerts in one statement (the batched path of
-- pem.evaluate_due_alerts): row i of the arrays is an alert's id and the template contract's
-- arguments ($1 agent id, $2 server id, $3 object, $4 params, as pem.alert_template_value gets them).
-- Returns one row per alert: its value and detail as pem.alert_template_value would return them
-- (NULLs when the template returned no row), and ok false when the row it returned has no column
-- named value or a value that is not a JSON number or null (the caller evaluates that alert alone,
-- which records the error as before).
--
-- How: the template becomes a temporary PL/pgSQL function of this session,
-- pg_temp.alert_tpl_<md5 of the SQL>(integer, integer, text, jsonb) RETURNS jsonb, whose body is
-- `RETURN (SELECT to_jsonb(t) FROM (<template>) t LIMIT 1)` (the first row, as EXECUTE ... INTO
-- takes it; $1..$4 are the function's own parameters, PostgreSQL docs §43.3.1), and one statement
-- calls it for every alert (in FROM, so once per alert however often its result is used).
-- PL/pgSQL keeps the template's plan for the session (docs §43.11.2), where EXECUTE planned it
-- for every alert (most of an evaluation's time: docs/benchmarks.md, "Alert evaluation"). Made
-- once per session and template text; gone with the session. p_plan_cache_mode (the template's
-- pem.alert_template.plan_cache_mode, migration 024) is set for that statement and put back after
-- it: 'force_generic_plan' or 'force_custom_plan' override PostgreSQL's choice between the cached
-- generic plan and a custom plan per alert (docs §20.7.2, plan_cache_mode); 'auto' leaves the
-- session's setting. On an error the caller's subtransaction puts it back. A function of that name not owned
-- by pharos_alert_reader (another user of the session made it) is never called: 42501.
-- Owned by pharos_alert_reader (below) like pem.alert_template_value, SECURITY DEFINER: the template
-- runs with that role's read-only privileges; the function it makes is STABLE, so the template
-- cannot write. Errors: the template's own (the caller then evaluates its alerts one by one), 42501
-- as above, those of CREATE FUNCTION (a template that is not one query).
CREATE OR REPLACE FUNCTION pem.alert_template_values(p_sql text, p_ids integer[], p_agents integer[], p_servers integer[],
                                                    p_objects text[], p_params jsonb[],
                                                    p_plan_cache_mode text DEFAULT 'auto')
RETURNS TABLE (id integer, value double precision, detail text, ok boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_name text := 'alert_tpl_' || md5(p_sql);
  v_ours boolean;
  v_mode text := current_setting('plan_cache_mode');
BEGIN
  IF p_plan_cache_mode IS DISTINCT FROM 'auto' THEN
    PERFORM set_config('plan_cache_mode', p_plan_cache_mode, true);  -- 22023 for a value PostgreSQL lacks
  END IF;
  SELECT bool_and(p.proowner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)) INTO v_ours
    FROM pg_proc p WHERE p.pronamespace = pg_my_temp_schema() AND p.proname = v_name;
  IF v_ours IS NULL THEN
    EXECUTE format('CREATE FUNCTION pg_temp.%I(integer, integer, text, jsonb) RETURNS jsonb LANGUAGE plpgsql STABLE AS %L',
                   v_name, E'BEGIN\nRETURN (SELECT to_jsonb(t) FROM (\n' || regexp_replace(p_sql, '[\s;]+$', '')
                           || E'\n) t LIMIT 1);\nEND');
  ELSIF NOT v_ours THEN
    RAISE EXCEPTION 'function pg_temp.% is not owned by %', v_name, current_user USING ERRCODE = '42501';
  END IF;
  RETURN QUERY EXECUTE format(
    $q$SELECT d.id,
              CASE WHEN jsonb_typeof(r.j -> 'value') = 'number' THEN (r.j ->> 'value')::float8 END,
              r.j ->> 'detail',
              r.j IS NULL OR coalesce(jsonb_typeof(r.j -> 'value') IN ('number', 'null'), false)
         FROM unnest($1, $2, $3, $4, $5) AS d(id, agent_id, server_id, object, params)
         CROSS JOIN LATERAL pg_temp.%I(d.agent_id, d.server_id, d.object, d.params) AS r(j)$q$, v_name)
    USING p_ids, p_agents, p_servers, p_objects, p_params;
  IF p_plan_cache_mode IS DISTINCT FROM 'auto' THEN
    PERFORM set_config('plan_cache_mode', v_mode, true);
  END IF;
END $$;

-- Like pem.alert_template_value: given to pharos_alert_reader, which needs CREATE on the schema for a moment.
GRANT CREATE ON SCHEMA pem TO pharos_alert_reader;
ALTER FUNCTION pem.alert_template_values(text, integer[], integer[], integer[], text[], jsonb[], text) OWNER TO pharos_alert_reader;
REVOKE CREATE ON SCHEMA pem FROM pharos_alert_reader;
