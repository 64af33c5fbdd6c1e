-- Retention (docs/reference/pem-facts.md §3): deletes rows of probes with a shorter
-- retention than the longest (only the range not expired before, per
-- probe) and expired rows of the default partition; keeps the probe log 30
-- days; purges latest values of servers no longer registered and of objects
-- that stopped reporting 3 days ago while their probe still reports others;
-- last, drops the daily partitions older than the longest retention (under
-- an ACCESS EXCLUSIVE lock of the history table, taken only then). Returns
-- what it did.
CREATE OR REPLACE FUNCTION pem.expire_history()
RETURNS jsonb LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
  v_max integer;
  r record;
  v_dropped integer := 0;
  v_deleted bigint := 0;
  v_log bigint := 0;
  v_latest bigint := 0;
  n bigint;
  v_from timestamptz;
  v_to timestamptz;
  v_old text[];
BEGIN
  SELECT coalesce(max(retention_days), 90) INTO v_max FROM pem.probe;
  DELETE FROM pemhistory.sample_default WHERE collected_at < now() - make_interval(days => v_max);
  GET DIAGNOSTICS n = ROW_COUNT;
  v_deleted := v_deleted + n;
  FOR r IN SELECT name, retention_days, history_expired_through FROM pem.probe WHERE retention_days < v_max LOOP
    v_to := now() - make_interval(days => r.retention_days);
    v_from := coalesce(r.history_expired_through, now() - make_interval(days => v_max + 1));
    IF v_from < v_to THEN
      DELETE FROM pemhistory.sample WHERE probe = r.name AND collected_at >= v_from AND collected_at < v_to;
      GET DIAGNOSTICS n = ROW_COUNT;
      v_deleted := v_deleted + n;
      UPDATE pem.probe SET history_expired_through = v_to WHERE name = r.name;
    END IF;
  END LOOP;
  DELETE FROM pem.probe_log WHERE failed_at < now() - interval '30 days';
  GET DIAGNOSTICS v_log = ROW_COUNT;
  DELETE FROM pemdata.latest l
   WHERE (l.server_id <> 0 AND NOT EXISTS (SELECT 1 FROM pem.server s WHERE s.id = l.server_id))
      OR l.collected_at < (SELECT max(x.collected_at) FROM pemdata.latest x
                            WHERE x.agent_id = l.agent_id AND x.server_id = l.server_id AND x.probe = l.probe)
                          - interval '3 days';
  GET DIAGNOSTICS v_latest = ROW_COUNT;
  SELECT array_agg(c.relname ORDER BY c.relname) INTO v_old
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'pemhistory.sample'::regclass AND c.relname ~ '^sample_[0-9]{8}$'
     AND to_date(substr(c.relname, 8), 'YYYYMMDD') + 1 <= current_date - v_max;
  IF v_old IS NOT NULL THEN
    LOCK TABLE pemhistory.sample IN ACCESS EXCLUSIVE MODE;
    FOR r IN SELECT unnest(v_old) AS relname LOOP
      EXECUTE format('DROP TABLE pemhistory.%I', r.relname);
      v_dropped := v_dropped + 1;
    END LOOP;
  END IF;
  RETURN jsonb_build_object('partitions_dropped', v_dropped, 'rows_deleted', v_deleted,
                            'probe_log_deleted', v_log, 'latest_purged', v_latest, 'longest_retention_days', v_max);
END $$;
