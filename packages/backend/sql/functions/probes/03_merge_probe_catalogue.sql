-- Merges the release's probe catalogue (sql/catalogue/probes.sql, generated from the agent's probe
-- definitions) into pem.probe, as the migration runner applies it on the primary: a probe the
-- database lacks is added with the catalogue's interval, enablement, history mode and retention; a
-- known probe takes the catalogue's descriptive fields (level, description, where it runs, timeout,
-- default scope, columns, counter columns; defined_at moves when they change); its interval,
-- enablement, history mode and retention are the administrator's and are kept. Probes the catalogue
-- does not name (custom probes among them) are left alone. p_catalogue: [{name, level, runs_on, interval_s, timeout_ms, enabled,
-- enabled_on, history_mode, retention_days, description, columns, counter_columns}]. Returns the
-- number of probes added.
CREATE OR REPLACE FUNCTION pem.merge_probe_catalogue(p_catalogue jsonb)
RETURNS integer LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_added integer;
BEGIN
  WITH c AS (
    SELECT * FROM jsonb_to_recordset(p_catalogue) AS x(name text, level text, runs_on text, interval_s integer,
      timeout_ms integer, enabled boolean, enabled_on text, history_mode text, retention_days integer,
      description text, columns jsonb, counter_columns text[])
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
     WHERE NOT p.custom
       AND (p.level, p.description, p.runs_on, p.timeout_ms, p.enabled_on, p.columns, p.counter_columns)
           IS DISTINCT FROM (excluded.level, excluded.description, excluded.runs_on, excluded.timeout_ms,
                             excluded.enabled_on, excluded.columns, excluded.counter_columns)
    RETURNING (xmax = 0) AS added
  )
  SELECT count(*) FILTER (WHERE added) INTO v_added FROM up;
  RETURN v_added;
END $$;
