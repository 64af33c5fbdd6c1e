-- Merges the release's built-in templates, written by sql/catalogue/alert-templates.sql into
-- pg_temp.catalogue_alert_template, into pem.alert_template:
-- - a name the database lacks is added (builtin, shipped_at = updated_at) and, when auto_bind,
--   bound to the registered agents or servers (pem.bind_alerts);
-- - a built-in template nobody changed since it was shipped (shipped_at = updated_at; the web
--   application sets updated_at on every save) takes the release's definition;
-- - a built-in template an administrator changed is kept; when it equals the release's definition
--   again (the plan choice aside, which it then takes) it counts as shipped from then on;
-- - a template of an administrator's that has a built-in name is not touched.
-- The plan choice (plan_cache_mode, migration 024) is part of the definition.
-- Returns {added, updated, kept} (kept: the names of changed built-in templates left as they are).
CREATE OR REPLACE FUNCTION pem.merge_alert_template_catalogue()
RETURNS jsonb LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_added text[];
  v_updated text[];
  v_kept text[];
BEGIN
  WITH ins AS (
    INSERT INTO pem.alert_template AS t (name, level, sql, operator, low, medium, high, interval_s, description,
                                         unit, params, auto_bind, probes, plan_cache_mode, builtin, updated_at, shipped_at)
    SELECT c.name, c.level, c.sql, c.operator, c.low, c.medium, c.high, c.interval_s, c.description, c.unit,
           c.params, c.auto_bind, c.probes, c.plan_cache_mode, true, now(), now()
      FROM pg_temp.catalogue_alert_template c
    ON CONFLICT (name) DO NOTHING
    RETURNING t.name
  )
  SELECT array_agg(name ORDER BY name) INTO v_added FROM ins;
  WITH upd AS (
    UPDATE pem.alert_template t
       SET level = c.level, sql = c.sql, operator = c.operator, low = c.low, medium = c.medium, high = c.high,
           interval_s = c.interval_s, description = c.description, unit = c.unit, params = c.params,
           auto_bind = c.auto_bind, probes = c.probes, plan_cache_mode = c.plan_cache_mode, updated_at = now(),
           shipped_at = now()
      FROM pg_temp.catalogue_alert_template c
     WHERE t.name = c.name AND t.builtin AND t.shipped_at = t.updated_at
       AND (t.level, t.sql, t.operator, t.low, t.medium, t.high, t.interval_s, t.description, t.unit, t.params,
            t.auto_bind, t.probes, t.plan_cache_mode)
           IS DISTINCT FROM (c.level, c.sql, c.operator, c.low, c.medium, c.high, c.interval_s, c.description,
                             c.unit, c.params, c.auto_bind, c.probes, c.plan_cache_mode)
    RETURNING t.name
  )
  SELECT array_agg(name ORDER BY name) INTO v_updated FROM upd;
  -- the plan choice is not compared here: saving changed SQL resets it to auto and no save sets it
  -- back, so a template whose other fields are the release's again takes the release's choice
  UPDATE pem.alert_template t SET shipped_at = t.updated_at, plan_cache_mode = c.plan_cache_mode
    FROM pg_temp.catalogue_alert_template c
   WHERE t.name = c.name AND t.builtin AND t.shipped_at IS DISTINCT FROM t.updated_at
     AND (t.level, t.sql, t.operator, t.low, t.medium, t.high, t.interval_s, t.description, t.unit, t.params,
          t.auto_bind, t.probes)
         IS NOT DISTINCT FROM (c.level, c.sql, c.operator, c.low, c.medium, c.high, c.interval_s, c.description,
                               c.unit, c.params, c.auto_bind, c.probes);
  SELECT array_agg(t.name ORDER BY t.name) INTO v_kept
    FROM pem.alert_template t JOIN pg_temp.catalogue_alert_template c ON c.name = t.name
   WHERE t.builtin AND t.shipped_at IS DISTINCT FROM t.updated_at;
  IF v_added IS NOT NULL THEN
    PERFORM pem.bind_alerts(v_added, NULL, NULL, true, true);
  END IF;
  RETURN jsonb_build_object('added', coalesce(v_added, '{}'), 'updated', coalesce(v_updated, '{}'),
                            'kept', coalesce(v_kept, '{}'));
END $$;
