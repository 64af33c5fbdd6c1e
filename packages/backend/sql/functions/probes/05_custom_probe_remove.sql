-- Removes custom probe p_name on behalf of p_actor (issue 18): its definition and per-object
-- settings (pem.probe_override cascades); its samples stay in history until retention, and its
-- latest values until the purge of objects that stopped reporting. Agents stop running it at once
-- (the trigger of 07_probe_change_notify.sql). Errors: P0002 (COLUMN name) when there is no custom
-- probe p_name (a built-in probe is never removed). Returns the name.
CREATE OR REPLACE FUNCTION pem.custom_probe_remove(p_actor name, p_name text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM pem.probe WHERE name = p_name AND custom;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'name: there is no custom probe %', p_name USING ERRCODE = 'P0002', COLUMN = 'name';
  END IF;
  RETURN p_name;
END $$;
