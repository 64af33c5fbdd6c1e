-- Creates (p_replace false) or replaces (p_replace true) custom probe p_probe on behalf of p_actor
-- (issue 18; docs/custom-probes.md). p_probe: {name, level, sql: {"<major>": text}, columns: [{name,
-- type, unit, counter}], objectColumn, intervalS, timeoutMs, runsOn, runTag, runServerIds,
-- description}, already checked field by field by the caller (backend/src/probes/custom-probes.ts)
-- and validated on a server by its agent; this function keeps the table's rules: a name taken by a
-- built-in probe or (on create) by a custom one is 23505 (COLUMN name), replacing a probe that does
-- not exist P0002 (name), a server id that does not exist 22023 (runServerIds). The interval and
-- enablement of a replaced probe take the new definition (it is the administrator's either way).
-- Every agent is told at commit (the trigger of 07_probe_change_notify.sql). Returns the name.
CREATE OR REPLACE FUNCTION pem.custom_probe_save(p_actor name, p_probe jsonb, p_replace boolean)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_name text := p_probe->>'name';
  v_existing pem.probe%ROWTYPE;
  v_ids integer[];
  v_missing integer;
BEGIN
  SELECT * INTO v_existing FROM pem.probe WHERE name = v_name FOR UPDATE;
  IF FOUND AND NOT v_existing.custom THEN
    RAISE EXCEPTION 'name: % is a built-in probe', v_name USING ERRCODE = '23505', COLUMN = 'name';
  END IF;
  IF FOUND AND NOT p_replace THEN
    RAISE EXCEPTION 'name: there is already a custom probe %', v_name USING ERRCODE = '23505', COLUMN = 'name';
  END IF;
  IF NOT FOUND AND p_replace THEN
    RAISE EXCEPTION 'name: there is no custom probe %', v_name USING ERRCODE = 'P0002', COLUMN = 'name';
  END IF;
  IF jsonb_typeof(p_probe->'runServerIds') = 'array' THEN
    v_ids := ARRAY(SELECT jsonb_array_elements_text(p_probe->'runServerIds')::integer);
    SELECT x INTO v_missing FROM unnest(v_ids) AS x WHERE NOT EXISTS (SELECT 1 FROM pem.server s WHERE s.id = x) LIMIT 1;
    IF v_missing IS NOT NULL THEN
      RAISE EXCEPTION 'runServerIds: there is no server %', v_missing USING ERRCODE = '22023', COLUMN = 'runServerIds';
    END IF;
  END IF;
  INSERT INTO pem.probe AS p (name, level, interval_s, enabled, description, runs_on, timeout_ms, enabled_on,
                              history_mode, retention_days, columns, counter_columns, custom, sql, object_column,
                              run_tag, run_server_ids, created_by, updated_by)
  VALUES (v_name, p_probe->>'level', (p_probe->>'intervalS')::integer, coalesce((p_probe->>'enabled')::boolean, true),
          coalesce(p_probe->>'description', ''), coalesce(p_probe->>'runsOn', 'both'),
          coalesce((p_probe->>'timeoutMs')::integer, 5000), 'all', 'all', 90,
          (SELECT coalesce(jsonb_agg(jsonb_build_object('name', c->>'name', 'type', c->>'type', 'unit', c->>'unit',
                                                        'counter', coalesce((c->>'counter')::boolean, false))
                                     ORDER BY o), '[]')
             FROM jsonb_array_elements(p_probe->'columns') WITH ORDINALITY AS x(c, o)),
          ARRAY(SELECT c->>'name' FROM jsonb_array_elements(p_probe->'columns') WITH ORDINALITY AS x(c, o)
                 WHERE coalesce((c->>'counter')::boolean, false) ORDER BY o),
          true, p_probe->'sql', nullif(p_probe->>'objectColumn', ''), nullif(p_probe->>'runTag', ''), v_ids,
          p_actor, p_actor)
  ON CONFLICT (name) DO UPDATE
     SET level = excluded.level, interval_s = excluded.interval_s, enabled = excluded.enabled,
         description = excluded.description, runs_on = excluded.runs_on, timeout_ms = excluded.timeout_ms,
         columns = excluded.columns, counter_columns = excluded.counter_columns, sql = excluded.sql,
         object_column = excluded.object_column, run_tag = excluded.run_tag, run_server_ids = excluded.run_server_ids,
         updated_by = excluded.updated_by, defined_at = now()
   WHERE p.custom;
  RETURN v_name;
END $$;
