-- Retention of the rollup, as pem.expire_history's for the samples: rows older than the longest
-- retention, and per probe older than its own. Returns the rows deleted.
CREATE OR REPLACE FUNCTION pem.expire_rollup()
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_max integer;
  r record;
  n bigint;
  total bigint := 0;
BEGIN
  SELECT coalesce(max(retention_days), 90) INTO v_max FROM pem.probe;
  DELETE FROM pemhistory.rollup WHERE bucket < now() - make_interval(days => v_max);
  GET DIAGNOSTICS total = ROW_COUNT;
  FOR r IN SELECT name, retention_days FROM pem.probe WHERE retention_days < v_max LOOP
    DELETE FROM pemhistory.rollup WHERE probe = r.name AND bucket < now() - make_interval(days => r.retention_days);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  RETURN total;
END $$;
