-- Retention (docs/reference/pem-facts.md §3): deletes rows of probes with a shorter
-- retention than the longest (only the range not expired before, per
-- probe) and expired rows of the default partition; keeps the probe log 30
-- days; purges latest values of servers no longer registered and of objects
-- that stopped reporting 3 days ago while their probe still reports others;
-- last, drops the daily partitions older than the longest retention (under
-- an ACCESS EXCLUSIVE lock of the history table, taken only then), and the
-- compacted days' partitions of pemhistory.sample_block / field_block of the
-- same days (migration 019). Probes with a shorter retention lose their
-- compacted days as whole day blocks, once the day's end is past retention.
-- Returns what it did.
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
  v_blocked bigint := 0;
  v_blocks integer := 0;
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
      -- compacted days of the probe: whole day blocks, once the day's end is past retention
      DELETE FROM pemhistory.field_block b USING pemhistory.source x
       WHERE x.id = b.source_id AND x.probe = r.name AND b.block_start + interval '1 day' <= v_to;
      WITH d AS (DELETE FROM pemhistory.sample_block b USING pemhistory.source x
                  WHERE x.id = b.source_id AND x.probe = r.name AND b.block_start + interval '1 day' <= v_to
                 RETURNING b.n)
      SELECT coalesce(sum(d.n), 0) INTO n FROM d;
      v_blocked := v_blocked + n;
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
  -- the compacted days (migration 019) of the same days: their partitions, whole
  FOR r IN
    SELECT c.relname, i.inhparent::regclass AS parent FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent IN ('pemhistory.sample_block'::regclass, 'pemhistory.field_block'::regclass)
       AND c.relname ~ '^(sample|field)_block_[0-9]{8}$'
       AND to_date(right(c.relname, 8), 'YYYYMMDD') + 1 <= current_date - v_max
     ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE pemhistory.%I', r.relname);
    v_blocks := v_blocks + 1;
  END LOOP;
  DELETE FROM pemhistory.compacted_day WHERE day + 1 <= current_date - v_max;
  RETURN jsonb_build_object('partitions_dropped', v_dropped, 'rows_deleted', v_deleted,
                            'block_partitions_dropped', v_blocks, 'block_samples_deleted', v_blocked,
                            'probe_log_deleted', v_log, 'latest_purged', v_latest, 'longest_retention_days', v_max);
END $$;
