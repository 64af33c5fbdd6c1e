-- An agent's catalog: inserts probes the backend does not know (with the
-- catalog's interval, enablement, history mode and retention) and refreshes
-- the descriptive fields of known ones. Returns the number of probes added.
-- p_catalog: [{name, level, runs_on, interval_s, timeout_ms, enabled,
-- enabled_on, history_mode, retention_days, description, columns,
-- counter_columns}].
CREATE OR REPLACE FUNCTION pem.agent_sync_probes(p_agent_id integer, p_catalog jsonb)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_added integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pem.agent WHERE id = p_agent_id AND active AND user_name = session_user) THEN
    RAISE EXCEPTION 'user % may not define probes for agent %', session_user, p_agent_id USING ERRCODE = '42501';
  END IF;
  WITH c AS (
    SELECT * FROM jsonb_to_recordset(p_catalog) AS x(name text, level text, runs_on text, interval_s integer,
      timeout_ms integer, enabled boolean, enabled_on text, history_mode text, retention_days integer,
      description text, columns jsonb, counter_columns text[])
     WHERE x.name ~ '^[a-z][a-z0-9_]*$'
  ), up AS (
    INSERT INTO pem.probe AS p (name, level, interval_s, enabled, description, runs_on, timeout_ms, enabled_on,
                                history_mode, retention_days, columns, counter_columns)
    SELECT c.name, c.level, c.interval_s, coalesce(c.enabled, true), coalesce(c.description, ''),
           coalesce(c.runs_on, 'both'), coalesce(c.timeout_ms, 5000), coalesce(c.enabled_on, 'all'),
           coalesce(c.history_mode, 'all'), coalesce(c.retention_days, 90), coalesce(c.columns, '[]'),
           coalesce(c.counter_columns, '{}')
      FROM c
    ON CONFLICT (name) DO UPDATE
       SET level = excluded.level, description = excluded.description, runs_on = excluded.runs_on,
           timeout_ms = excluded.timeout_ms, enabled_on = excluded.enabled_on, columns = excluded.columns,
           counter_columns = excluded.counter_columns, defined_at = now()
     WHERE (p.level, p.description, p.runs_on, p.timeout_ms, p.enabled_on, p.columns, p.counter_columns)
           IS DISTINCT FROM (excluded.level, excluded.description, excluded.runs_on, excluded.timeout_ms,
                             excluded.enabled_on, excluded.columns, excluded.counter_columns)
    RETURNING (xmax = 0) AS added
  )
  SELECT count(*) FILTER (WHERE added) INTO v_added FROM up;
  RETURN v_added;
END $$;
